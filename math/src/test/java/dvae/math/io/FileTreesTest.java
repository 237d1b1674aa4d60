package dvae.math.io;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {
    @Test
    void deletesAFolderWithEverythingBelowItAndNothingBeside(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectories(dir.resolve("a").resolve("b").resolve("c"));
        Files.writeString(root.resolve("x.json"), "{}");
        Files.writeString(dir.resolve("a").resolve("y.npy"), "y");
        Files.writeString(dir.resolve("beside.txt"), "kept");
        FileTrees.delete(dir.resolve("a"));
        assertFalse(Files.exists(dir.resolve("a")));
        assertTrue(Files.exists(dir.resolve("beside.txt")));
        FileTrees.delete(dir.resolve("a")); // gone already: nothing to do
        FileTrees.deleteQuietly(dir.resolve("never-there"));
        assertTrue(Files.exists(dir));
    }
}
