package dvae.math.relax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.random.RandomStream;
import org.junit.jupiter.api.Test;

/**
 * Gradients of the relaxations against central finite differences. Kernels run in float32: with h = 1e-3 on logits
 * of order 1, rounding contributes about 6e-8/1e-3 ≈ 1e-4 of the value, truncation h² ≈ 1e-6, so a tolerance of
 * 2e-3·(1 + |derivative|) is tight enough to catch a wrong factor or a dropped term (both tested to be caught).
 */
class RelaxationTest {
    private static final double H = 1e-3;

    private static float[] one(Relaxation r, float logit, float... noise) {
        float[] zeta = new float[1];
        float[] grad = new float[1];
        r.relax(new float[] {logit}, noise, zeta, grad, 1);
        return new float[] {zeta[0], grad[0]};
    }

    private static double finiteDifference(Relaxation r, float logit, float... noise) {
        return (one(r, (float) (logit + H), noise)[0] - one(r, (float) (logit - H), noise)[0]) / (2 * H);
    }

    @Test
    void pwlGradientMatchesFiniteDifferencesInsideTheLinearRegion() {
        RandomStream rng = new RandomStream(1);
        PiecewiseLinear pwl = new PiecewiseLinear(4);
        int checked = 0;
        for (int i = 0; i < 400; i++) {
            float logit = (float) (rng.nextGaussian() * 2);
            // Aim the noise into the linear region, |ρ − (1 − q)| < 1/(2s), mostly; some points land outside.
            double q = 1 / (1 + Math.exp(-logit));
            double halfWidth = (q * (1 - q) + 0.01) / 2;
            float rho = (float) Math.min(Math.max(1 - q + (2 * rng.nextDouble() - 1) * 1.2 * halfWidth, 0), 1);
            float[] zg = one(pwl, logit, rho);
            // Skip points within h of a kink (the clip at 0 or 1), where the derivative is one-sided.
            float zLo = one(pwl, (float) (logit - H), rho)[0];
            float zHi = one(pwl, (float) (logit + H), rho)[0];
            if (zg[0] <= 0 || zg[0] >= 1 || zLo <= 0 || zLo >= 1 || zHi <= 0 || zHi >= 1) {
                assertTrue(zg[0] > 0 && zg[0] < 1 || zg[1] == 0, "clipped units carry no gradient");
                continue;
            }
            double fd = finiteDifference(pwl, logit, rho);
            assertEquals(fd, zg[1], 2e-3 * (1 + Math.abs(fd)), "logit " + logit + " rho " + rho);
            checked++;
        }
        assertTrue(checked > 250, "too few interior points: " + checked);
    }

    @Test
    void pwlWithoutSlopeGradientDropsExactlyTheSlopeTerm() {
        PiecewiseLinear full = new PiecewiseLinear(4, true);
        PiecewiseLinear held = new PiecewiseLinear(4, false);
        float logit = 1.2f;
        float rho = 0.3f;
        double q = 1 / (1 + Math.exp(-logit));
        double v = q * (1 - q);
        double slope = 1 / (v + 0.01);
        assertEquals(slope * v, one(held, logit, rho)[1], 1e-5);
        double dSlope = -(1 - 2 * q) / Math.pow(v + 0.01, 2);
        assertEquals((slope + (rho - 1 + q) * dSlope) * v, one(full, logit, rho)[1], 1e-5);
        assertTrue(Math.abs(one(full, logit, rho)[1] - one(held, logit, rho)[1]) > 0.05,
                "the two variants must differ here, or the test proves nothing");
    }

    @Test
    void concreteGradientMatchesFiniteDifferences() {
        RandomStream rng = new RandomStream(2);
        Concrete concrete = new Concrete(10);
        for (int i = 0; i < 200; i++) {
            // Logits near the noise's negative so that ζ is not saturated and the check has teeth.
            float rho = 0.05f + 0.9f * rng.nextFloat();
            float logit = (float) (-Math.log(rho / (1 - rho)) + rng.nextGaussian() * 0.2);
            double fd = finiteDifference(concrete, logit, rho);
            assertEquals(fd, one(concrete, logit, rho)[1], 2e-3 * (1 + Math.abs(fd)));
        }
    }

    @Test
    void concreteStaysFiniteAtExtremeNoise() {
        float[] zg = one(new Concrete(10), 0f, 0f);
        assertTrue(Float.isFinite(zg[0]) && Float.isFinite(zg[1]));
        zg = one(new Concrete(10), 0f, 1f);
        assertTrue(Float.isFinite(zg[0]) && Float.isFinite(zg[1]));
    }

    /** The mixture CDF F_q(ζ) = (1−q)ζ^λ + q(1 − (1−ζ)^λ), with the code's 1e-7 offsets. */
    private static double mixtureCdf(double q, double zeta, double lambda) {
        return (1 - q) * Math.pow(zeta + 1e-7, lambda) + q * (1 - Math.pow(1 - zeta + 1e-7, lambda));
    }

    private static double inverseCdf(double q, double u, double lambda) {
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < 200; i++) {
            double mid = 0.5 * (lo + hi);
            if (mixtureCdf(q, mid, lambda) < u) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }

    @Test
    void powerFunctionImplicitGradientMatchesTheInverseCdfDerivative() {
        // Implicit reparameterisation claims ∂ζ/∂l = ∂F⁻¹_q(u)/∂l at u = F_q(ζ). Check it against finite differences
        // of the inverse CDF solved by bisection in double, with β small enough for a well-conditioned CDF.
        PowerFunction power = new PowerFunction(3);
        double lambda = 1.0 / 3;
        RandomStream rng = new RandomStream(3);
        for (int i = 0; i < 50; i++) {
            float logit = (float) rng.nextGaussian();
            float[] noise = {rng.nextFloat(), 0.05f + 0.9f * rng.nextFloat()};
            float[] zg = one(power, logit, noise);
            double q = 1 / (1 + Math.exp(-logit));
            double u = mixtureCdf(q, zg[0], lambda);
            double qPlus = 1 / (1 + Math.exp(-(logit + H)));
            double qMinus = 1 / (1 + Math.exp(-(logit - H)));
            double fd = (inverseCdf(qPlus, u, lambda) - inverseCdf(qMinus, u, lambda)) / (2 * H);
            assertEquals(fd, zg[1], 2e-3 * (1 + Math.abs(fd)), "logit " + logit);
        }
    }

    @Test
    void discreteCompanionHasTheRightRateForEveryRelaxation() {
        // z = 1 iff ρ > 1 − q; every relaxation puts ζ above 1/2 exactly when its discrete companion is 1.
        RandomStream rng = new RandomStream(4);
        float logit = 0.8f;
        double q = 1 / (1 + Math.exp(-logit));
        for (Relaxation r : new Relaxation[] {new PiecewiseLinear(4), new Concrete(10), new PowerFunction(30)}) {
            int n = 40_000;
            int above = 0;
            for (int i = 0; i < n; i++) {
                float[] noise = {rng.nextFloat(), rng.nextFloat()};
                if (one(r, logit, noise)[0] > 0.5f) {
                    above++;
                }
            }
            double se = Math.sqrt(q * (1 - q) / n);
            assertEquals(q, above / (double) n, 4 * se, r.toString());
        }
    }
}
