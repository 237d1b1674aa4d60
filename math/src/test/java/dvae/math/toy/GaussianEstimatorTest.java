package dvae.math.toy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.random.RandomStream;
import org.junit.jupiter.api.Test;

/** The estimators' means against the exact gradient of the closed-form KL, at a q away from the target. */
class GaussianEstimatorTest {
    private static final double[] PHI = {0.3, -0.7, 0.2, 0.6, -0.4};
    private static final int DRAWS = 200_000;

    /** ∂KL/∂φ by central differences of the closed form. */
    private static double[] exactGradient() {
        double[] g = new double[PrecisionGaussian.PARAMETERS];
        double h = 1e-6;
        for (int k = 0; k < g.length; k++) {
            double[] up = PHI.clone();
            double[] down = PHI.clone();
            up[k] += h;
            down[k] -= h;
            g[k] = (new PrecisionGaussian(up).klTo(ToyGaussian.TARGET)
                    - new PrecisionGaussian(down).klTo(ToyGaussian.TARGET)) / (2 * h);
        }
        return g;
    }

    private static double[] mean(GaussianEstimator estimator) {
        return estimator.estimate(new PrecisionGaussian(PHI), ToyGaussian.TARGET, DRAWS, new RandomStream(11));
    }

    @Test
    void unbiasedEstimatorsAverageToTheExactGradient() {
        double[] exact = exactGradient();
        assertArrayEquals(exact, mean(GaussianEstimator.reparameterized()), 0.02);
        assertArrayEquals(exact, mean(GaussianEstimator.reinforce()), 0.1);
        for (int t : new int[] {1, 4}) {
            assertArrayEquals(exact, mean(GaussianEstimator.gibbs(t, true)), 0.1, "t=" + t + " with term I");
        }
    }

    @Test
    void withoutTermIThePaperEstimatorIsBiasedAtTEqualsOneAndTheBiasFadesWithT() {
        double[] exact = exactGradient();
        double biasT1 = distance(exact, mean(GaussianEstimator.gibbs(1, false)));
        double biasT8 = distance(exact, mean(GaussianEstimator.gibbs(8, false)));
        assertTrue(biasT1 > 0.1, "term I matters at t = 1: bias " + biasT1);
        assertTrue(biasT8 < 0.03, "term I vanishes as t grows: bias " + biasT8);
    }

    @Test
    void idsNameTheEstimators() {
        assertEquals("gibbs-t2", GaussianEstimator.gibbs(2, false).id());
        assertEquals("gibbs-t2+I", GaussianEstimator.gibbs(2, true).id());
        assertEquals("reinforce", GaussianEstimator.reinforce().id());
        assertEquals("reparameterized", GaussianEstimator.reparameterized().id());
    }

    private static double distance(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += (a[k] - b[k]) * (a[k] - b[k]);
        }
        return Math.sqrt(s);
    }
}
