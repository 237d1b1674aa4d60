package dvae.math.data;

import dvae.math.random.RandomStream;

/**
 * Grey-level images (values in [0, 1], one float per pixel, row-major) that are binarized afresh each time a batch
 * is drawn: pixel ~ Bernoulli(grey level). This is OMNIGLOT's dynamic binarization of its training set.
 */
public final class GreyImages implements TrainImages {
    private final float[] greys;
    private final int rows;

    /** Takes ownership of {@code greys}, whose values must all lie in [0, 1]. */
    public GreyImages(float[] greys) {
        if (greys.length % Images.PIXELS != 0) {
            throw new IllegalArgumentException(greys.length + " pixels is not a whole number of images");
        }
        for (float g : greys) {
            if (!(g >= 0f && g <= 1f)) {
                throw new IllegalArgumentException("grey levels lie in [0, 1], found " + g);
            }
        }
        this.greys = greys;
        this.rows = greys.length / Images.PIXELS;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public void fillBatch(int[] indices, float[] out, RandomStream random) {
        Images.checkBatch(indices, out, rows);
        random.fillUniform(out, 0, indices.length * Images.PIXELS);
        for (int r = 0; r < indices.length; r++) {
            Bernoulli.sampleInPlace(greys, indices[r] * Images.PIXELS, out, r * Images.PIXELS);
        }
    }

    /** One binarization of every image, drawn row by row from {@code random}: how validation and test are fixed. */
    public BinaryImages binarizeOnce(RandomStream random) {
        return Bernoulli.sampleRows(rows,
                (row, probs) -> System.arraycopy(greys, row * Images.PIXELS, probs, 0, Images.PIXELS), random);
    }

    public float grey(int row, int pixel) {
        return greys[row * Images.PIXELS + pixel];
    }

    @Override
    public float[] meanPixel() {
        double[] sum = new double[Images.PIXELS];
        for (int i = 0; i < greys.length; i++) {
            sum[i % Images.PIXELS] += greys[i];
        }
        float[] mean = new float[Images.PIXELS];
        for (int p = 0; p < Images.PIXELS; p++) {
            mean[p] = rows == 0 ? 0f : (float) (sum[p] / rows);
        }
        return mean;
    }
}
