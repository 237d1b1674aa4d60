package dvae.math.data;

import dvae.math.BadInputException;
import dvae.math.random.RandomStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.Array;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.Matrix;

/**
 * Reader of OMNIGLOT's {@code chardata.mat} (Burda et al.'s 28 x 28 set, MATLAB v5): {@code data} holds the training
 * images and {@code testdata} the test images, one image per column of 784 grey levels in [0, 1].
 *
 * <p>Each column is a MATLAB column-major image, so it is transposed on reading: output pixel {@code i + 28 j} (row
 * {@code j}, column {@code i} of the row-major image) takes stored element {@code 28 i + j}. The last
 * {@code split.valid()} training images validate. Training images stay grey and are binarized at every draw;
 * validation and test are binarized once, from {@code RandomStream.forPurpose(seed, "omniglot valid binarization")}
 * and {@code ... "omniglot test binarization"} (not numpy's MT19937 stream of the original code, so the bits differ
 * from it; the distribution is the same).
 */
public final class OmniglotMat {
    static final String TRAIN_VARIABLE = "data";
    static final String TEST_VARIABLE = "testdata";

    private OmniglotMat() {
    }

    public static Dataset read(Path file, SplitSizes split, long seed) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file + ": no such file (OMNIGLOT's chardata.mat; set dvae.data.omniglot-file)");
        }
        float[] trainAndValid;
        float[] test;
        try (MatFile mat = open(file)) {
            trainAndValid = images(file, mat, TRAIN_VARIABLE, split.trainAndValid());
            test = images(file, mat, TEST_VARIABLE, split.test());
        } catch (IOException e) {
            throw new UncheckedIOException("closing " + file + ": " + e.getMessage(), e);
        }
        int validStart = split.train() * Images.PIXELS;
        GreyImages train = new GreyImages(Arrays.copyOf(trainAndValid, validStart));
        GreyImages valid = new GreyImages(Arrays.copyOfRange(trainAndValid, validStart, trainAndValid.length));
        return new Dataset("omniglot", train,
                valid.binarizeOnce(RandomStream.forPurpose(seed, "omniglot valid binarization")),
                new GreyImages(test).binarizeOnce(RandomStream.forPurpose(seed, "omniglot test binarization")),
                "train dynamic (pixel ~ Bernoulli(grey) at every draw); valid and test static, seed " + seed,
                file.toString(), Optional.empty());
    }

    private static MatFile open(Path file) {
        try {
            return Mat5.readFromFile(file.toFile());
        } catch (Exception e) { // the library reports damage with assorted IO and runtime exceptions
            throw new BadInputException(file + ": not a readable MATLAB v5 file (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + Text.oneLine(e.getMessage())) + ")");
        }
    }

    /** The {@code count} images of a 784 x count variable, transposed to row-major 28 x 28. */
    private static float[] images(Path file, MatFile mat, String variable, int count) {
        Matrix matrix = matrix(file, mat, variable);
        int[] dims = matrix.getDimensions();
        if (dims.length != 2 || dims[0] != Images.PIXELS || dims[1] != count) {
            throw new BadInputException(file + ": variable '" + variable + "' is " + shape(dims) + ", expected "
                    + Images.PIXELS + "x" + count);
        }
        float[] greys = new float[count * Images.PIXELS];
        for (int n = 0; n < count; n++) {
            for (int i = 0; i < Images.SIDE; i++) {
                for (int j = 0; j < Images.SIDE; j++) {
                    double grey = matrix.getDouble(Images.SIDE * i + j, n);
                    if (!(grey >= 0 && grey <= 1)) {
                        throw new BadInputException(file + ": variable '" + variable + "' holds " + grey
                                + " in image " + n + ", outside the grey levels [0, 1]");
                    }
                    greys[n * Images.PIXELS + i + Images.SIDE * j] = (float) grey;
                }
            }
        }
        return greys;
    }

    private static Matrix matrix(Path file, MatFile mat, String variable) {
        for (MatFile.Entry entry : mat.getEntries()) {
            if (entry.getName().equals(variable)) {
                Array value = entry.getValue();
                if (value instanceof Matrix matrix && !matrix.isComplex()) {
                    return matrix;
                }
                throw new BadInputException(file + ": variable '" + variable + "' is a " + value.getType()
                        + ", expected a real numeric matrix");
            }
        }
        throw new BadInputException(file + ": has no variable '" + variable + "' (is this OMNIGLOT's chardata.mat?)");
    }

    private static String shape(int[] dims) {
        StringBuilder s = new StringBuilder();
        for (int d : dims) {
            s.append(s.length() == 0 ? "" : "x").append(d);
        }
        return s.toString();
    }
}
