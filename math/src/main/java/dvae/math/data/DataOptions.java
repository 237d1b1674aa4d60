package dvae.math.data;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the data sets live and how they are binarized (the {@code dvae.data} settings).
 *
 * @param cacheDir          cache of fetched and binarized data sets
 * @param binarizationSeed  seed of every static binarization
 * @param fashionMnistDir   folder of the Fashion-MNIST IDX .gz files (where the Debian package puts them)
 * @param omniglotFile      OMNIGLOT's chardata.mat, if the user has it
 * @param amatDir           folder of Larochelle's .amat files, if the user has them
 */
public record DataOptions(Path cacheDir, long binarizationSeed, Path fashionMnistDir, Optional<Path> omniglotFile,
                          Optional<Path> amatDir) {
}
