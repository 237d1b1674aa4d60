package dvae.math.data;

import dvae.math.random.RandomStream;

/** Binarization of grey images: pixel = 1 exactly when a uniform draw in [0, 1) falls below its grey level. */
final class Bernoulli {
    private Bernoulli() {
    }

    /** Fills one image's probabilities (grey levels in [0, 1]) into {@code probs}. */
    @FunctionalInterface
    interface RowProbabilities {
        void fill(int row, float[] probs);
    }

    /** Turns one image of uniforms into samples in place: {@code u[off+k] = u[off+k] < probs[probOff+k] ? 1 : 0}. */
    static void sampleInPlace(float[] probs, int probOff, float[] u, int off) {
        for (int k = 0; k < Images.PIXELS; k++) {
            u[off + k] = u[off + k] < probs[probOff + k] ? 1f : 0f;
        }
    }

    /** Samples {@code rows} images, row by row and pixel by pixel from {@code random}, into 0/1 bytes. */
    static BinaryImages sampleRows(int rows, RowProbabilities probabilities, RandomStream random) {
        float[] probs = new float[Images.PIXELS];
        float[] draws = new float[Images.PIXELS];
        byte[] bits = new byte[rows * Images.PIXELS];
        for (int r = 0; r < rows; r++) {
            probabilities.fill(r, probs);
            random.fillUniform(draws);
            sampleInPlace(probs, 0, draws, 0);
            for (int k = 0; k < Images.PIXELS; k++) {
                bits[r * Images.PIXELS + k] = (byte) draws[k];
            }
        }
        return new BinaryImages(bits);
    }
}
