package dvae.math.toy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.autodiff.GradCheck;
import dvae.math.autodiff.LinearOps;
import dvae.math.autodiff.Param;
import dvae.math.autodiff.ReduceOps;
import dvae.math.autodiff.Tape;
import dvae.math.autodiff.Var;
import dvae.math.random.RandomStream;
import dvae.math.relax.PiecewiseLinear;
import dvae.math.tensor.Matrix;
import dvae.math.util.KeptResults;
import dvae.math.util.ProgressListener;
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
                ToyRbm.EvaluationPoint.RELAXED, 0.1, List.of(1, 2, 4, 8), 4, 20_000, 10, 20_000);
        ToyRbm.Result result = ToyRbm.run(settings, 1, ProgressListener.NONE, KeptResults.NONE);
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
        // Where the runs went: exact descent from every t's end point reaches the minimum that descent from the exact
        // gradient's end point reaches (the local one, 1.4e-3 above KL_min), so t changes how far above that
        // minimum's floor the estimator stops, not which minimum it finds.
        double exactBasin = result.exactGradient().descendedKlPerSeed()[0];
        assertEquals(1.4e-3, exactBasin - klMin, 2e-4, "the exact gradient's local minimum");
        assertEquals(0, result.exactGradient().seedsInGlobalBasin());
        for (ToyRbm.Case c : result.cases()) {
            assertEquals(exactBasin, c.descendedKlPerSeed()[0], ToyRbm.SAME_MINIMUM, "t=" + c.t() + " ends in the "
                    + "exact gradient's basin");
            assertTrue(c.gap() > c.descendedKlPerSeed()[0] - klMin, "t=" + c.t() + " stops above its basin's floor");
        }
    }

    /**
     * The paper's words for App. A, "in all cases the optimization locates the global minimizer", on a target where
     * Adam on the exact gradient finds it from the same start (target 3; target 1's start leads exact descent itself
     * to a local minimum): every t ends in the global minimum's basin, 0.015 to 0.019 nats above its floor after
     * 3,000 steps (measured with the same settings through the command line).
     */
    @Test
    void onATargetWhereExactDescentFindsTheGlobalMinimumEveryTLocatesItToo() {
        ToyRbm.Settings settings = new ToyRbm.Settings(4, 4, 3, 0.09, 3, 3000, 100, 0.003, 0, new PiecewiseLinear(4),
                ToyRbm.EvaluationPoint.RELAXED, 0.1, List.of(1, 2, 4, 8), 4, 20_000, 10, 20_000);
        ToyRbm.Result result = ToyRbm.run(settings, 1, ProgressListener.NONE, KeptResults.NONE);
        assertEquals(1, result.exactGradient().seedsInGlobalBasin(), "exact descent finds the global minimum");
        for (ToyRbm.Case c : result.cases()) {
            assertEquals(1, c.seedsInGlobalBasin(), "t=" + c.t() + " ends in the global minimum's basin");
            assertTrue(c.gap() < 0.05, "t=" + c.t() + " gap " + c.gap());
        }
    }

    @Test
    void exactDescentFromTheMinimumStaysThere() {
        EnumeratedRbm rbm = new EnumeratedRbm(4, 4);
        double[] targetLogp = rbm.logProbabilitiesOf(TARGET);
        KlMinimum min = KlMinimum.find(rbm, targetLogp, 4, 20_000, 1);
        double[] theta = KlMinimum.descend(rbm, targetLogp, min.theta(), 20_000, 0.003);
        assertEquals(min.kl(), rbm.kl(theta, targetLogp), ToyRbm.SAME_MINIMUM);
    }

    /**
     * What the relaxed estimator misses is the relaxation's doing: at a fixed φ (target 3's KL minimiser, where the
     * exact gradient vanishes and exact term II of Eq. 9 does not) the mean t = 1 gradient with PWL (the code's, slope
     * gradient on) lies 0.415 of |term II| from term II at β = 4, 0.215 at β = 8 and 0.108 at β = 16 (10^7 draws
     * each, standard errors 0.015, 0.024 and 0.04; a throw-away harness over this method): the bias falls as 1/β,
     * toward the discrete estimator the relaxation stands for.
     */
    @Test
    void theRelaxedGradientApproachesExactTermTwoAsThePwlSharpens() {
        EnumeratedRbm rbm = new EnumeratedRbm(4, 4);
        BernoulliMixture target = BernoulliMixture.randomCorners(3, 8, 0.09, 3);
        double[] targetLogp = rbm.logProbabilitiesOf(target);
        double[] theta = KlMinimum.find(rbm, targetLogp, 4, 20_000, 3).theta();
        double[] termTwo = new double[theta.length];
        rbm.termTwo(theta, targetLogp, 1, termTwo);
        double atBeta4 = relativeDistance(rbm, target, theta, termTwo, 4);
        double atBeta16 = relativeDistance(rbm, target, theta, termTwo, 16);
        assertTrue(atBeta4 > 0.25, "PWL with beta 4 is biased: " + atBeta4);
        assertTrue(atBeta16 < 0.65 * atBeta4, "beta 16 is closer to term II: " + atBeta16 + " vs " + atBeta4);
    }

    /** |mean relaxed gradient − exact| / |exact| over 1,000 estimates of 10,000 draws each at θ. */
    private static double relativeDistance(EnumeratedRbm rbm, BernoulliMixture target, double[] theta,
                                           double[] exact, double beta) {
        ToyRbm.Settings settings = new ToyRbm.Settings(4, 4, 3, 0.09, 3, 1, 10_000, 0.003, 0,
                new PiecewiseLinear(beta), ToyRbm.EvaluationPoint.RELAXED, 0.1, List.of(1), 1, 1, 1, 1);
        ToyRbm.RbmParams params = ToyRbm.RbmParams.initial(4, 4, 0.1, 1);
        List<Param> layout = List.of(params.b1(), params.b2(), params.w());
        int k = 0;
        for (Param p : layout) {
            for (int i = 0; i < p.value().data.length; i++) {
                p.value().data[i] = (float) theta[k++];
            }
        }
        int estimates = 1000;
        double[] mean = new double[theta.length];
        RandomStream rng = new RandomStream(7);
        for (int r = 0; r < estimates; r++) {
            params.all().zeroGrads();
            ToyRbm.addGradientEstimate(rbm, target, params, 1, settings, rng);
            k = 0;
            for (Param p : layout) {
                for (float g : p.grad().data) {
                    mean[k++] += g / (double) estimates;
                }
            }
        }
        double distance = 0;
        double norm = 0;
        for (int i = 0; i < theta.length; i++) {
            distance += (mean[i] - exact[i]) * (mean[i] - exact[i]);
            norm += exact[i] * exact[i];
        }
        return Math.sqrt(distance / norm);
    }
}
