package dvae.math.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.BadInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AmatTest {
    private static final SplitSizes SIZES = new SplitSizes(3, 2, 1);

    @TempDir
    Path tmp;

    /** One image line: pixel p is 1 when {@code p % period == 0}. */
    private static String line(int period) {
        return IntStream.range(0, Images.PIXELS).mapToObj(p -> p % period == 0 ? "1" : "0")
                .collect(Collectors.joining(" "));
    }

    private Path write(String split, String... lines) {
        return DataFixtures.write(Amat.file(tmp, split),
                (String.join("\n", lines) + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void readsTheThreeFilesAsTheyAre() {
        write("train", line(1), line(2), line(3));
        write("valid", line(4), line(5));
        write("test", line(6) + "  ", "");
        Dataset data = Amat.read(tmp, SIZES);
        assertEquals(3, data.trainSize());
        assertEquals(2, data.valid().rows());
        assertEquals(1, data.test().rows());
        BinaryImages train = (BinaryImages) data.train();
        assertEquals(1, train.pixel(0, 1));
        assertEquals(0, train.pixel(1, 1));
        assertEquals(1, train.pixel(2, 3));
        assertEquals(1, data.valid().pixel(1, 5));
        assertEquals(0, data.test().pixel(0, 5));
        assertEquals(1, data.test().pixel(0, 6));
        assertEquals(1f, data.meanPixel()[0]);
        assertEquals(1f / 3, data.meanPixel()[1], 1e-6);
    }

    @Test
    void acceptsZeroAndOneWrittenAsDecimals() {
        Path file = write("train", line(1).replace("1", "1.0"));
        assertEquals(1, Amat.readFile(file, 1).pixel(0, 7));
    }

    @Test
    void refusesValuesOtherThanZeroAndOne() {
        Path file = write("train", line(1), line(2).replaceFirst("0", "0.5"));
        assertError(file, 2, ": line 2 holds '0.5', expected 0 or 1");
        Path words = write("valid", line(1).replaceFirst("1", "x"));
        assertError(words, 1, ": line 1 holds 'x', expected 0 or 1");
    }

    @Test
    void refusesLinesOfTheWrongLength() {
        Path file = write("train", line(1), line(1) + " 1");
        assertError(file, 2, ": line 2 has 785 values, expected 784");
        Path truncated = write("valid", line(1).substring(0, 100));
        assertError(truncated, 1, ": line 1 has 50 values, expected 784");
    }

    @Test
    void refusesTheWrongNumberOfImages() {
        Path few = write("train", line(1));
        assertError(few, 2, ": holds 1 images, expected 2");
        Path many = write("test", line(1), line(1), line(1));
        assertError(many, 2, ": more than the expected 2 images (line 3)");
        assertError(tmp.resolve("absent.amat"), 2, ": no such file");
    }

    private static void assertError(Path file, int rows, String problem) {
        BadInputException e = assertThrows(BadInputException.class, () -> Amat.readFile(file, rows));
        assertTrue(e.getMessage().startsWith(file + problem), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
