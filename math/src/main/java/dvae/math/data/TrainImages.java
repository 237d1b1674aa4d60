package dvae.math.data;

import dvae.math.random.RandomStream;

/**
 * A training set as the trainer draws it: binary images, either stored as such ({@link BinaryImages}) or binarized
 * afresh from grey levels at every draw ({@link GreyImages}).
 */
public sealed interface TrainImages permits BinaryImages, GreyImages {
    int rows();

    /**
     * Writes the images {@code indices} as 0/1 floats into {@code out}, row-major ({@code indices.length} rows of
     * {@link Images#PIXELS}). {@code random} is drawn from only when the images are binarized at each draw.
     */
    void fillBatch(int[] indices, float[] out, RandomStream random);

    /** Per-pixel mean of the stored array: binary pixels, or grey levels before binarization. */
    float[] meanPixel();
}
