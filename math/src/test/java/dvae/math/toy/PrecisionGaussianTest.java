package dvae.math.toy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dvae.math.random.RandomStream;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The hand-derived derivatives of {@link PrecisionGaussian} against central finite differences (in double). */
class PrecisionGaussianTest {
    private static final double[] PHI = {0.3, -0.7, 0.2, 0.6, -0.4};
    private static final double STEP = 1e-6;
    private static final double TOLERANCE = 1e-6;

    /** d out / dφ_k by central differences, one column per parameter. */
    private static double[][] numericJacobian(Function<PrecisionGaussian, double[]> f) {
        int outputs = f.apply(new PrecisionGaussian(PHI)).length;
        double[][] j = new double[outputs][PrecisionGaussian.PARAMETERS];
        for (int k = 0; k < PrecisionGaussian.PARAMETERS; k++) {
            double[] up = PHI.clone();
            double[] down = PHI.clone();
            up[k] += STEP;
            down[k] -= STEP;
            double[] fUp = f.apply(new PrecisionGaussian(up));
            double[] fDown = f.apply(new PrecisionGaussian(down));
            for (int i = 0; i < outputs; i++) {
                j[i][k] = (fUp[i] - fDown[i]) / (2 * STEP);
            }
        }
        return j;
    }

    private static void assertJacobian(double[][] expected, double[][] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], TOLERANCE, "row " + i);
        }
    }

    @Test
    void fromPrecisionRecoversThePrecision() {
        PrecisionGaussian target = ToyGaussian.TARGET;
        assertEquals(1.1, target.p11(), 1e-12);
        assertEquals(0.9, target.p12(), 1e-12);
        assertEquals(1.1, target.p22(), 1e-12);
    }

    @Test
    void klHasTheClosedFormValues() {
        PrecisionGaussian q = new PrecisionGaussian(PHI);
        assertEquals(0, q.klTo(q), 1e-12);
        // N(0, I) to the target: ½(tr Λ + μᵀΛμ − 2 − log det Λ) = ½(2.2 + 4 − 2 − log 0.4).
        assertEquals(0.5 * (4.2 - Math.log(0.4)), new PrecisionGaussian(new double[5]).klTo(ToyGaussian.TARGET),
                1e-12);
    }

    @Test
    void reparameterisedSampleJacobianMatchesFiniteDifferences() {
        double e1 = 0.8;
        double e2 = -1.3;
        assertJacobian(numericJacobian(q -> q.sample(e1, e2).z()),
                new PrecisionGaussian(PHI).sample(e1, e2).jacobian());
    }

    @Test
    void gibbsJacobianMatchesFiniteDifferencesForSeveralUpdates() {
        double[] start = {1.2, -0.4};
        double[] eps = {0.5, -1.1, 0.3, 2.0, -0.7, 0.1};
        for (int t = 1; t <= 3; t++) {
            int updates = t;
            assertJacobian(numericJacobian(q -> q.gibbs(start, updates, eps).z()),
                    new PrecisionGaussian(PHI).gibbs(start, updates, eps).jacobian());
        }
    }

    @Test
    void scoreMatchesFiniteDifferencesOfTheLogDensity() {
        double[] z = {0.9, -1.7};
        double[][] numeric = numericJacobian(q -> new double[] {q.logDensity(z)});
        assertArrayEquals(numeric[0], new PrecisionGaussian(PHI).score(z), TOLERANCE);
    }

    @Test
    void logDensityGradientMatchesFiniteDifferencesInZ() {
        PrecisionGaussian q = new PrecisionGaussian(PHI);
        double[] z = {0.9, -1.7};
        double[] numeric = new double[2];
        for (int i = 0; i < 2; i++) {
            double[] up = z.clone();
            double[] down = z.clone();
            up[i] += STEP;
            down[i] -= STEP;
            numeric[i] = (q.logDensity(up) - q.logDensity(down)) / (2 * STEP);
        }
        assertArrayEquals(numeric, q.logDensityGradient(z), TOLERANCE);
    }

    @Test
    void oneGibbsUpdateFromQLeavesQInvariant() {
        PrecisionGaussian q = new PrecisionGaussian(PHI);
        RandomStream rng = new RandomStream(3);
        int n = 200_000;
        double[] sum = new double[2];
        double[] sumSquares = new double[3];
        for (int i = 0; i < n; i++) {
            double[] start = q.sample(rng.nextGaussian(), rng.nextGaussian()).z();
            double[] z = q.gibbs(start, 1, new double[] {rng.nextGaussian(), rng.nextGaussian()}).z();
            sum[0] += z[0];
            sum[1] += z[1];
            sumSquares[0] += z[0] * z[0];
            sumSquares[1] += z[0] * z[1];
            sumSquares[2] += z[1] * z[1];
        }
        double m1 = sum[0] / n;
        double m2 = sum[1] / n;
        double det = q.p11() * q.p22() - q.p12() * q.p12();
        assertEquals(PHI[0], m1, 0.01);
        assertEquals(PHI[1], m2, 0.01);
        assertEquals(q.p22() / det, sumSquares[0] / n - m1 * m1, 0.02);
        assertEquals(-q.p12() / det, sumSquares[1] / n - m1 * m2, 0.02);
        assertEquals(q.p11() / det, sumSquares[2] / n - m2 * m2, 0.02);
    }
}
