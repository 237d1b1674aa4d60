package dvae.math.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @Test
    void writtenFilesAreReadableByOthersLikeOrdinaryOutput(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("out.txt");
        AtomicFiles.writeString(file, "hello");
        assertEquals("hello", Files.readString(file));
        assertTrue(Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ));
    }

    @Test
    void aFailedWriteLeavesTheOldContentAndNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("out.txt");
        AtomicFiles.writeString(file, "old");
        assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(file, out -> {
            out.write("partial".getBytes());
            throw new IOException("disk full");
        }));
        assertEquals("old", Files.readString(file));
        try (var listing = Files.list(dir)) {
            assertEquals(1, listing.count());
        }
    }
}
