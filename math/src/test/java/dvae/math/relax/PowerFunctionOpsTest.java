package dvae.math.relax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.autodiff.GradCheck;
import dvae.math.autodiff.Tape;
import dvae.math.autodiff.Var;
import dvae.math.random.RandomStream;
import dvae.math.tensor.Matrix;
import org.junit.jupiter.api.Test;

class PowerFunctionOpsTest {
    private static Matrix uniform(int rows, int cols, double lo, double hi, long seed) {
        RandomStream rng = new RandomStream(seed);
        Matrix m = new Matrix(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        }
        return m;
    }

    @Test
    void mixtureLogDensityGradientMatchesFiniteDifferencesAndValueIsTheMixture() {
        PowerFunction pf = new PowerFunction(3); // a mild β keeps the density smooth on the probed range
        Matrix logits = uniform(3, 4, -2, 2, 1);
        Matrix zeta = uniform(3, 4, 0.2, 0.8, 2);
        GradCheck.check("mixture log-density", in -> PowerFunctionOps.mixtureLogDensity(in[0], logits, pf), zeta);
        Var v = PowerFunctionOps.mixtureLogDensity(new Tape().constant(zeta), logits, pf);
        double want = 0;
        for (int i = 0; i < 4; i++) {
            double q = 1 / (1 + Math.exp(-logits.data[i]));
            want += Math.log((1 - q) * pf.r0(zeta.data[i]) + q * pf.r0(1 - zeta.data[i]));
        }
        assertEquals(want, v.value().data[0], 1e-4);
    }

    /** Exact log Σ_z exp(b·z + z1ᵀWz2) Π r(ζ_i|z_i) by enumeration, in double. */
    private static double exactLogMarginal(float[] z1, float[] z2, Matrix b1, Matrix b2, Matrix w, PowerFunction pf) {
        int n1 = z1.length;
        int n2 = z2.length;
        double max = Double.NEGATIVE_INFINITY;
        double[] terms = new double[1 << (n1 + n2)];
        for (int s = 0; s < terms.length; s++) {
            double t = 0;
            for (int i = 0; i < n1; i++) {
                int zi = (s >> i) & 1;
                t += zi * b1.data[i] + Math.log(zi == 1 ? pf.r0(1 - z1[i]) : pf.r0(z1[i]));
                for (int j = 0; j < n2; j++) {
                    t += zi * ((s >> (n1 + j)) & 1) * w.data[i * n2 + j];
                }
            }
            for (int j = 0; j < n2; j++) {
                int zj = (s >> (n1 + j)) & 1;
                t += zj * b2.data[j] + Math.log(zj == 1 ? pf.r0(1 - z2[j]) : pf.r0(z2[j]));
            }
            terms[s] = t;
            max = Math.max(max, t);
        }
        double sum = 0;
        for (double t : terms) {
            sum += Math.exp(t - max);
        }
        return max + Math.log(sum);
    }

    @Test
    void meanFieldIsALowerBoundOnTheExactRelaxedMarginal() {
        PowerFunction pf = new PowerFunction(30);
        Matrix b1 = uniform(1, 4, -1, 1, 3);
        Matrix b2 = uniform(1, 4, -1, 1, 4);
        Matrix w = uniform(4, 4, -1, 1, 5);
        Matrix zeta1 = uniform(2, 4, 0.05, 0.95, 6);
        Matrix zeta2 = uniform(2, 4, 0.05, 0.95, 7);
        Tape t = new Tape();
        Var v = PowerFunctionOps.meanFieldLogMarginal(t.constant(zeta1), t.constant(zeta2), t.constant(b1),
                t.constant(b2), t.constant(w), pf, 5);
        for (int r = 0; r < 2; r++) {
            float[] z1 = java.util.Arrays.copyOfRange(zeta1.data, r * 4, r * 4 + 4);
            float[] z2 = java.util.Arrays.copyOfRange(zeta2.data, r * 4, r * 4 + 4);
            double exact = exactLogMarginal(z1, z2, b1, b2, w, pf);
            double mf = v.value().data[r];
            assertTrue(mf <= exact + 1e-3, "mean field " + mf + " above exact " + exact);
            assertTrue(exact - mf < 1.0, "mean field " + mf + " far below exact " + exact);
        }
    }

    @Test
    void atAConvergedFixedPointTheHeldFixedGradientIsTheTrueGradient() {
        // Envelope theorem: the mean-field bound is stationary in m, so holding m fixed is exact at convergence.
        PowerFunction pf = new PowerFunction(3);
        Matrix b1 = uniform(1, 3, -0.5, 0.5, 8);
        Matrix b2 = uniform(1, 2, -0.5, 0.5, 9);
        Matrix w = uniform(3, 2, -0.3, 0.3, 10);
        Matrix zeta1 = uniform(2, 3, 0.2, 0.8, 11);
        Matrix zeta2 = uniform(2, 2, 0.2, 0.8, 12);
        GradCheck.check("mean-field marginal",
                in -> PowerFunctionOps.meanFieldLogMarginal(in[0], in[1], in[2], in[3], in[4], pf, 200),
                zeta1, zeta2, b1, b2, w);
    }
}
