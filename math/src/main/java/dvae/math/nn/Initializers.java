package dvae.math.nn;

import dvae.math.random.RandomStream;
import dvae.math.tensor.Matrix;

/** Weight initialisers. */
public final class Initializers {
    private Initializers() {
    }

    /**
     * TF1 {@code variance_scaling_initializer(factor=2.0, mode='FAN_IN', uniform=False)} (He): a normal with standard
     * deviation √(1.3·2/fanIn), redrawn until it lies within two standard deviations. The 1.3 makes up for the variance
     * the truncation removes.
     */
    public static Matrix heTruncatedNormal(int fanIn, int fanOut, RandomStream rng) {
        double sd = Math.sqrt(1.3 * 2.0 / fanIn);
        Matrix m = new Matrix(fanIn, fanOut);
        for (int i = 0; i < m.data.length; i++) {
            double g;
            do {
                g = rng.nextGaussian();
            } while (Math.abs(g) > 2);
            m.data[i] = (float) (sd * g);
        }
        return m;
    }
}
