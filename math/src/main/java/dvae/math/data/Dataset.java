package dvae.math.data;

import dvae.math.random.RandomStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A data set of 28 x 28 binary images split into train, validation and test, as the trainer and evaluator use it.
 *
 * @param name         the data set's name on the command line, e.g. {@code mnist}
 * @param train        the training images (static, or binarized at each draw)
 * @param valid        validation images, binarized once
 * @param test         test images, binarized once
 * @param binarization how the binary pixels came about, for people
 * @param source       where the raw data came from, for people
 * @param cache        the folder holding the cached binarized arrays, if this data set is cached
 */
public record Dataset(String name, TrainImages train, BinaryImages valid, BinaryImages test, String binarization,
                      String source, Optional<Path> cache) {

    public int trainSize() {
        return train.rows();
    }

    /** Training images {@code indices} as 0/1 floats, row-major; see {@link TrainImages#fillBatch}. */
    public void fillTrainBatch(int[] indices, float[] out, RandomStream random) {
        train.fillBatch(indices, out, random);
    }

    /** Per-pixel mean of the stored training array (for encoder centering and the decoder's output offset). */
    public float[] meanPixel() {
        return train.meanPixel();
    }
}
