package dvae.math.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.BadInputException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxImagesTest {
    @TempDir
    Path tmp;

    private final byte[] greys = DataFixtures.greys(3, (n, p) -> (n * 97 + p) % 256);

    @Test
    void readsPlainAndGzipFilesAlike() {
        Path plain = DataFixtures.write(tmp.resolve("images-idx3-ubyte"), DataFixtures.idx(greys));
        Path gz = DataFixtures.write(tmp.resolve("images-idx3-ubyte.gz"), DataFixtures.gzip(DataFixtures.idx(greys)));
        assertArrayEquals(greys, IdxImages.read(plain, 3));
        assertArrayEquals(greys, IdxImages.read(gz, 3));
    }

    @Test
    void refusesAWrongMagicNumber() {
        Path file = DataFixtures.write(tmp.resolve("labels"), DataFixtures.idx(0x00000801, 3, 28, 28, greys));
        assertOneLineError(file, 3, "not an IDX image file");
    }

    @Test
    void refusesImagesThatAreNot28By28() {
        Path file = DataFixtures.write(tmp.resolve("f"), DataFixtures.idx(0x00000803, 4, 28, 21, greys));
        assertOneLineError(file, 4, "images are 28x21, expected 28x28");
    }

    @Test
    void refusesAnUnexpectedImageCount() {
        Path file = DataFixtures.write(tmp.resolve("f"), DataFixtures.idx(greys));
        assertOneLineError(file, 5, "holds 3 images, expected 5");
    }

    @Test
    void refusesTruncatedFiles() {
        byte[] whole = DataFixtures.idx(greys);
        Path plain = DataFixtures.write(tmp.resolve("short"), Arrays.copyOf(whole, whole.length - 100));
        assertOneLineError(plain, 3, "truncated: 3 images need 2352 pixel bytes, found 2252");
        byte[] gz = DataFixtures.gzip(whole);
        Path shortGz = DataFixtures.write(tmp.resolve("short.gz"), Arrays.copyOf(gz, gz.length / 2));
        assertOneLineError(shortGz, 3, "truncated");
        Path headerOnly = DataFixtures.write(tmp.resolve("header"), Arrays.copyOf(whole, 10));
        assertOneLineError(headerOnly, 3, "truncated");
    }

    @Test
    void refusesBytesPastTheLastImage() {
        byte[] whole = DataFixtures.idx(greys);
        Path file = DataFixtures.write(tmp.resolve("long"), Arrays.copyOf(whole, whole.length + 1));
        assertOneLineError(file, 3, "bytes past the end of the 3 images");
    }

    @Test
    void refusesCorruptGzipData() {
        byte[] gz = DataFixtures.gzip(DataFixtures.idx(greys));
        for (int i = 20; i < gz.length - 8; i++) {
            gz[i] ^= (byte) 0x5a;
        }
        Path file = DataFixtures.write(tmp.resolve("corrupt.gz"), gz);
        BadInputException e = assertThrows(BadInputException.class, () -> IdxImages.read(file, 3));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    }

    @Test
    void namesAMissingFile() {
        assertOneLineError(tmp.resolve("absent"), 3, "no such file");
    }

    private static void assertOneLineError(Path file, int expectedCount, String problem) {
        BadInputException e = assertThrows(BadInputException.class, () -> IdxImages.read(file, expectedCount));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
}
