package dvae.math.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.BadInputException;
import dvae.math.random.RandomStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.IntBinaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.Matrix;

class OmniglotMatTest {
    private static final SplitSizes SIZES = new SplitSizes(5, 3, 4);

    @TempDir
    Path tmp;

    /** A 784 x count matrix whose element (k, n) is {@code value(k, n) / 1000}. */
    private static Matrix columns(int rows, int count, IntBinaryOperator value) {
        Matrix m = Mat5.newMatrix(rows, count);
        for (int n = 0; n < count; n++) {
            for (int k = 0; k < rows; k++) {
                m.setDouble(k, n, value.applyAsInt(k, n) / 1000.0);
            }
        }
        return m;
    }

    private Path writeMat(String name, MatFile mat) throws Exception {
        Path file = tmp.resolve(name);
        Mat5.writeToFile(mat, file.toFile());
        return file;
    }

    /** Stored element k of training column n is (k + n) mod 1000 thousandths: each pixel tells where it came from. */
    private Path chardata() throws Exception {
        return writeMat("chardata.mat", Mat5.newMatFile()
                .addArray("data", columns(784, SIZES.trainAndValid(), (k, n) -> (k + n) % 1000))
                .addArray("testdata", columns(784, SIZES.test(), (k, n) -> 500)));
    }

    @Test
    void transposesEachColumnMajorImage() throws Exception {
        Dataset data = OmniglotMat.read(chardata(), SIZES, 1);
        GreyImages train = (GreyImages) data.train();
        for (int n = 0; n < SIZES.train(); n++) {
            for (int i = 0; i < 28; i++) {
                for (int j = 0; j < 28; j++) {
                    assertEquals((28 * i + j + n) / 1000f, train.grey(n, i + 28 * j), 1e-7,
                            "output pixel i+28j takes stored element 28i+j");
                }
            }
        }
        assertEquals(28 / 1000f, train.grey(0, 1), 1e-7);
        assertEquals(1 / 1000f, train.grey(0, 28), 1e-7);
    }

    @Test
    void theLastTrainingImagesValidateAndTheMeanIsOverGreyTrainingImagesOnly() throws Exception {
        Dataset data = OmniglotMat.read(chardata(), SIZES, 1);
        assertEquals(5, data.trainSize());
        assertEquals(3, data.valid().rows());
        assertEquals(4, data.test().rows());
        // pixel 0 is stored element 0, grey n/1000 in training column n: the mean of columns 0..4 is 2/1000
        assertEquals(0.002f, data.meanPixel()[0], 1e-7);
        assertTrue(data.binarization().startsWith("train dynamic"), data.binarization());
    }

    @Test
    void validationAndTestAreBinarizedOnceFromTheSeedAndTrainingAtEveryDraw() throws Exception {
        Path file = writeMat("half.mat", Mat5.newMatFile()
                .addArray("data", columns(784, SIZES.trainAndValid(), (k, n) -> 500))
                .addArray("testdata", columns(784, SIZES.test(), (k, n) -> 500)));
        Dataset a = OmniglotMat.read(file, SIZES, 1);
        Dataset b = OmniglotMat.read(file, SIZES, 1);
        Dataset c = OmniglotMat.read(file, SIZES, 2);
        assertArrayEquals(a.valid().pixelBytes(), b.valid().pixelBytes());
        assertArrayEquals(a.test().pixelBytes(), b.test().pixelBytes());
        assertFalse(Arrays.equals(a.test().pixelBytes(), c.test().pixelBytes()));
        double ones = 0;
        for (byte bit : a.test().pixelBytes()) {
            ones += bit;
        }
        assertEquals(0.5, ones / (4 * 784), 0.04);

        RandomStream random = RandomStream.forPurpose(1, "train");
        float[] first = new float[2 * 784];
        float[] second = new float[2 * 784];
        a.fillTrainBatch(new int[] {0, 4}, first, random);
        a.fillTrainBatch(new int[] {0, 4}, second, random);
        assertFalse(Arrays.equals(first, second));
    }

    @Test
    void refusesAFileWithoutTheTestImages() throws Exception {
        Path file = writeMat("no-test.mat", Mat5.newMatFile()
                .addArray("data", columns(784, SIZES.trainAndValid(), (k, n) -> 1)));
        assertError(file, ": has no variable 'testdata'");
    }

    @Test
    void refusesWrongShapes() throws Exception {
        Path rows = writeMat("rows.mat", Mat5.newMatFile()
                .addArray("data", columns(783, SIZES.trainAndValid(), (k, n) -> 1))
                .addArray("testdata", columns(784, SIZES.test(), (k, n) -> 1)));
        assertError(rows, ": variable 'data' is 783x8, expected 784x8");
        Path count = writeMat("count.mat", Mat5.newMatFile()
                .addArray("data", columns(784, SIZES.trainAndValid(), (k, n) -> 1))
                .addArray("testdata", columns(784, 9, (k, n) -> 1)));
        assertError(count, ": variable 'testdata' is 784x9, expected 784x4");
        Path cell = writeMat("cell.mat", Mat5.newMatFile()
                .addArray("data", Mat5.newCell(1, 1))
                .addArray("testdata", columns(784, SIZES.test(), (k, n) -> 1)));
        assertError(cell, ": variable 'data' is a cell, expected a real numeric matrix");
    }

    @Test
    void refusesValuesThatAreNotGreyLevels() throws Exception {
        Path file = writeMat("bytes.mat", Mat5.newMatFile()
                .addArray("data", columns(784, SIZES.trainAndValid(), (k, n) -> 255_000))
                .addArray("testdata", columns(784, SIZES.test(), (k, n) -> 1)));
        assertError(file, ": variable 'data' holds 255.0 in image 0, outside the grey levels [0, 1]");
    }

    @Test
    void refusesCorruptAndTruncatedFiles() throws Exception {
        byte[] good = Files.readAllBytes(chardata());
        Path truncated = DataFixtures.write(tmp.resolve("truncated.mat"), Arrays.copyOf(good, good.length / 2));
        assertError(truncated, ": not a readable MATLAB v5 file");
        byte[] garbage = new byte[4096];
        Arrays.fill(garbage, (byte) 'x');
        Path corrupt = DataFixtures.write(tmp.resolve("corrupt.mat"), garbage);
        assertError(corrupt, ": not a readable MATLAB v5 file");
        assertError(tmp.resolve("absent.mat"), ": no such file");
    }

    private static void assertError(Path file, String problem) {
        BadInputException e = assertThrows(BadInputException.class, () -> OmniglotMat.read(file, SIZES, 1));
        assertTrue(e.getMessage().startsWith(file + problem), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
