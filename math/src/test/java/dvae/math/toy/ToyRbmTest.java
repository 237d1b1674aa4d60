package dvae.math.toy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.autodiff.GradCheck;
import dvae.math.autodiff.LinearOps;
import dvae.math.autodiff.ReduceOps;
import dvae.math.autodiff.Tape;
import dvae.math.autodiff.Var;
import dvae.math.random.RandomStream;
import dvae.math.relax.PiecewiseLinear;
import dvae.math.tensor.Matrix;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToyRbmTest {
    private static final BernoulliMixture TARGET = BernoulliMixture.randomCorners(3, 8, 0.09, 1);

    private static Matrix random(int rows, int cols, double scale, long seed) {
        RandomStream rng = new RandomStream(seed);
        Matrix m = new Matrix(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = (float) (scale * rng.nextGaussian());
        }
        return m;
    }

    @Test
    void theTapesMixtureDensityMatchesTheDoubleOne() {
        Matrix zeta = new Matrix(1, 8);
        RandomStream rng = new RandomStream(5);
        double[] z = new double[8];
        for (int a = 0; a < 8; a++) {
            z[a] = rng.nextDouble();
            zeta.data[a] = (float) z[a];
        }
        Tape tape = new Tape();
        Var logP = ReduceOps.rowLogSumExp(LinearOps.addBias(LinearOps.matmulTransB(tape.constant(zeta),
                tape.constant(TARGET.logitMatrix())), tape.constant(TARGET.componentOffsets())));
        assertEquals(TARGET.logDensity(z), logP.value().data[0], 1e-5);
    }

    /**
     * The whole surrogate f(ζ(φ)) with fixed z′, fixed noise and φ′ fixed, through t = 2 updates, at every evaluation
     * point.
     */
    @Test
    void surrogateGradientThroughTwoRelaxedUpdatesMatchesFiniteDifferences() {
        Matrix side1 = new Matrix(3, 4, new float[] {1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1});
        Matrix b1 = random(1, 4, 0.5, 1);
        Matrix b2 = random(1, 4, 0.5, 2);
        Matrix w = random(4, 4, 0.5, 3);
        Matrix b1Fixed = b1.copy();
        Matrix b2Fixed = b2.copy();
        Matrix wFixed = w.copy();
        // β = 1 keeps the relaxation's linear region wide, so no finite-difference step crosses a clipping kink.
        PiecewiseLinear pwl = new PiecewiseLinear(1);
        for (ToyRbm.EvaluationPoint point : ToyRbm.EvaluationPoint.values()) {
            GradCheck.check("relaxed Gibbs surrogate at " + point, in -> {
                Tape tape = in[0].tape();
                ToyRbm.RelaxedState state = ToyRbm.relaxedGibbs(tape, tape.constant(side1), in[0], in[1], in[2], 2,
                        pwl, new RandomStream(7));
                return ToyRbm.surrogate(state, point, b1Fixed, b2Fixed, wFixed, TARGET);
            }, b1, b2, w);
        }
    }

    /**
     * Appendix A at a test budget (3,000 of the paper's 10,000 iterations, one seed). Every t removes nearly all of the
     * excess KL and ends near the exact minimum, though not within the 1e-3: the estimator's bias (which grows
     * with t) moves its fixed point on this flat landscape (see the experiment's report); 0.15 bounds the worst t at
     * this budget with margin, and t = 1 (the paper's choice) is held to 0.05. That bias comes from the relaxation, not
     * from dropping term I: Adam on the exact term II (3,000 steps: gaps 5e-3 to 7e-3) ends within 3e-3 of Adam on the
     * exact gradient (5e-3; from this start both head for a local minimum 1.4e-3 above KL_min), and below the relaxed
     * estimator's gap (0.026 to 0.059) for every t.
     */
    @Test
    void everyTApproachesTheExactMinimum() {
        ToyRbm.Settings settings = new ToyRbm.Settings(4, 4, 3, 0.09, 1, 3000, 100, 0.003, 0, new PiecewiseLinear(4),
                ToyRbm.EvaluationPoint.RELAXED, 0.1, List.of(1, 2, 4, 8), 4, 20_000, 10);
        ToyRbm.Result result = ToyRbm.run(settings, 1, ProgressListener.NONE);
        double klMin = result.klMin().kl();
        for (ToyRbm.Case c : result.cases()) {
            double initial = c.klCurve().values()[0];
            assertTrue(initial - klMin > 1.5, "the start is far from the minimum: " + initial);
            assertTrue(c.gap() < 0.15, "t=" + c.t() + " gap " + c.gap());
            assertTrue(c.gap() < 0.1 * (initial - klMin), "t=" + c.t() + " removes 90% of the excess KL");
            assertTrue(c.gap() > -1e-9, "nothing beats the exact minimum");
        }
        assertTrue(result.cases().get(0).gap() < 0.05, "t=1 gap " + result.cases().get(0).gap());
        double exactGap = result.exactGradient().gap();
        assertTrue(exactGap < 0.01, "Adam on the exact gradient gets close too");
        for (int i = 0; i < settings.ts().size(); i++) {
            ToyRbm.Case termTwo = result.termTwo().get(i);
            assertTrue(Math.abs(termTwo.gap() - exactGap) < 3e-3, "dropping term I alone costs little at t="
                    + termTwo.t() + ": " + termTwo.gap() + " vs " + exactGap);
            assertTrue(termTwo.gap() < result.cases().get(i).gap(), "the relaxation costs more at t=" + termTwo.t());
        }
    }
}
