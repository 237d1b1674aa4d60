package dvae.math.data;

import java.util.List;

/**
 * An MNIST-like data set delivered as two IDX image files (the 60,000 training images, which also give the
 * validation split, and the 10,000 test images), with the SHA-256 sums the project accepts for them.
 *
 * @param name   the data set's name, also its folder in the cache
 * @param origin where the files come from, for people
 * @param train  the file of training (and validation) images
 * @param test   the file of test images
 * @param split  the split sizes; the training file holds train + valid images
 */
public record IdxSpec(String name, String origin, RawFile train, RawFile test, SplitSizes split) {

    /** Both raw files: training, then test. */
    public List<RawFile> files() {
        return List.of(train, test);
    }

    /** One raw file, by name, with its SHA-256 sum (lower-case hex) over the bytes as stored. */
    public record RawFile(String fileName, String sha256) {
    }

    /** The original IDX files as shipped, uncompressed, by the npm package (sums computed from that download). */
    public static final IdxSpec MNIST = new IdxSpec("mnist", "npm package " + NpmIdxSource.MNIST_PACKAGE,
            new RawFile("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
            new RawFile("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
            SplitSizes.MNIST);

    /** The gzip files of Debian's dataset-fashion-mnist 0.0~git20200523.55506a9-1 (sums of the .gz files). */
    public static final IdxSpec FASHION_MNIST = new IdxSpec("fashion-mnist", "Debian package dataset-fashion-mnist",
            new RawFile("train-images-idx3-ubyte.gz",
                    "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7"),
            new RawFile("t10k-images-idx3-ubyte.gz",
                    "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"),
            SplitSizes.MNIST);
}
