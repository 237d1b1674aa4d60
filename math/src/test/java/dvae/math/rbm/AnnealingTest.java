package dvae.math.rbm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.random.RandomStream;
import org.junit.jupiter.api.Test;

/**
 * Every estimator against exact enumeration on random RBMs (W and biases ~ scale·N(0,1)). Settings are reduced from
 * the evaluation defaults to keep the suite fast: 300 temperatures × 256 chains; the defaults' own check runs 20+20
 * at 10,000 × 1,024 for AIS only.
 */
class AnnealingTest {
    private static final int TEMPS = 300;
    private static final int CHAINS = 256;
    /** The exact value must lie within this many standard deviations of each estimate. */
    private static final double SIGMAS = 4;

    @Test
    void estimatorsAgreeWithExactAcrossSizesAndScales() {
        int[][] shapes = {{10, 10}, {12, 20}, {20, 20}};
        double[] scales = {0.5, 1.0};
        long seed = 100;
        for (int[] shape : shapes) {
            for (double scale : scales) {
                Rbm rbm = Rbm.random(shape[0], shape[1], scale, seed++);
                double exact = ExactRbm.logZ(rbm);
                for (AnnealingBase base : AnnealingBase.values()) {
                    String label = shape[0] + "+" + shape[1] + " scale " + scale + " base " + base.label();
                    assertClose(exact, Annealing.ais(rbm, TEMPS, CHAINS, base, new RandomStream(seed)).estimate(), label);
                    assertClose(exact, Annealing.ais(rbm, TEMPS, CHAINS, base, Annealing.Weights.JOINT,
                            new RandomStream(seed)).estimate(), label + " joint weights");
                    assertClose(exact, Annealing.reverseAis(rbm, TEMPS, CHAINS, base, new RandomStream(seed)).estimate(),
                            label);
                    assertClose(exact, Annealing.populationAnnealing(rbm, TEMPS, CHAINS, base, new RandomStream(seed)),
                            label);
                }
            }
        }
    }

    @Test
    void forwardAndReverseAisBracketExact() {
        // Each chain's log-weight is a one-chain estimate, biased low going forward and high in reverse (Jensen); a
        // short ladder on strong couplings makes the gaps large next to the standard error of the mean of 2000.
        Rbm rbm = Rbm.random(16, 16, 1.5, 7);
        double exact = ExactRbm.logZ(rbm);
        double logZBase = 32 * Math.log(2);
        Annealing.AisRun forward = Annealing.ais(rbm, 30, 2000, AnnealingBase.UNIFORM, new RandomStream(1));
        Annealing.AisRun reverse = Annealing.reverseAis(rbm, 30, 2000, AnnealingBase.UNIFORM, new RandomStream(2));
        double forwardMean = logZBase + mean(forward.logWeights());
        double reverseMean = logZBase - mean(reverse.logWeights());
        double forwardError = 4 * sd(forward.logWeights()) / Math.sqrt(2000);
        double reverseError = 4 * sd(reverse.logWeights()) / Math.sqrt(2000);
        assertTrue(forwardMean + forwardError < exact && exact < reverseMean - reverseError,
                "one-chain means: ais " + forwardMean + " ± " + forwardError + " < exact " + exact + " < rais "
                        + reverseMean + " ± " + reverseError);
        assertClose(exact, forward.estimate(), "16+16 scale 1.5, 30 temps");
        assertClose(exact, reverse.estimate(), "16+16 scale 1.5, 30 temps");
    }

    private static double mean(double[] x) {
        double sum = 0;
        for (double v : x) {
            sum += v;
        }
        return sum / x.length;
    }

    private static double sd(double[] x) {
        double m = mean(x);
        double sumSq = 0;
        for (double v : x) {
            sumSq += (v - m) * (v - m);
        }
        return Math.sqrt(sumSq / (x.length - 1));
    }

    @Test
    void defaultPriorAisIsWithinFiveHundredthsOfANatOnTwentyPlusTwenty() {
        Rbm rbm = Rbm.random(20, 20, 1.0, 3);
        LogZEstimate ais = Annealing.ais(rbm, Annealing.PRIOR_TEMPS, Annealing.PRIOR_CHAINS, AnnealingBase.UNIFORM,
                new RandomStream(4)).estimate();
        assertEquals(ExactRbm.logZ(rbm), ais.logZ(), 0.05);
        assertEquals(Annealing.PRIOR_TEMPS, ais.temps());
        assertEquals(Annealing.PRIOR_CHAINS, ais.chains());
    }

    @Test
    void aisReturnsItsFinalParticlesAsSamplesOfTheRbm() {
        Rbm rbm = Rbm.random(6, 5, 1.0, 9);
        NegativePhase exact = ExactRbm.moments(rbm);
        for (Annealing.Weights weights : Annealing.Weights.values()) {
            Annealing.AisRun run = Annealing.ais(rbm, 200, 20_000, AnnealingBase.BIASES, weights, new RandomStream(5));
            ExactRbmTest.assertArrayClose(exact.meanZ1(), columnMeans(run.z1(), 6), 5 * 0.5 / Math.sqrt(20_000));
            ExactRbmTest.assertArrayClose(exact.meanZ2(), columnMeans(run.z2(), 5), 5 * 0.5 / Math.sqrt(20_000));
            assertEquals(20_000, run.logWeights().length);
        }
    }

    /**
     * The two weightings estimate the same log Z; summing side 2 out lowers the spread of the one-chain log-weights
     * (Rao-Blackwellisation), so the joint weights' spread is the larger, not the marginal's.
     */
    @Test
    void jointWeightsSpreadMoreThanMarginalOnes() {
        Rbm rbm = Rbm.random(12, 12, 1.0, 21);
        double exact = ExactRbm.logZ(rbm);
        Annealing.AisRun marginal = Annealing.ais(rbm, 100, 4000, AnnealingBase.BIASES, new RandomStream(8));
        Annealing.AisRun joint = Annealing.ais(rbm, 100, 4000, AnnealingBase.BIASES, Annealing.Weights.JOINT,
                new RandomStream(8));
        assertClose(exact, marginal.estimate(), "12+12 marginal");
        assertClose(exact, joint.estimate(), "12+12 joint");
        assertTrue(sd(joint.logWeights()) > 1.2 * sd(marginal.logWeights()),
                "joint " + sd(joint.logWeights()) + " vs marginal " + sd(marginal.logWeights()));
    }

    @Test
    void onlyMarginalPopulationsResample() {
        ParticlePopulation joint = new ParticlePopulation(3, 2, 10, Annealing.Weights.JOINT, new RandomStream(1));
        assertThrows(IllegalStateException.class, joint::resample);
    }

    private static double[] columnMeans(float[] rows, int cols) {
        double[] mean = new double[cols];
        int n = rows.length / cols;
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < cols; c++) {
                mean[c] += rows[r * cols + c] / (double) n;
            }
        }
        return mean;
    }

    private static void assertClose(double exact, LogZEstimate estimate, String label) {
        assertTrue(estimate.sd() > 0 && estimate.sd() < 0.1, label + " " + estimate.method() + " sd " + estimate.sd());
        assertEquals(exact, estimate.logZ(), SIGMAS * estimate.sd() + 1e-3,
                label + " " + estimate.method() + " sd " + estimate.sd());
    }
}
