package dvae.math.toy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.random.RandomStream;
import org.junit.jupiter.api.Test;

class EnumeratedRbmTest {
    private final EnumeratedRbm rbm = new EnumeratedRbm(3, 2);
    private final BernoulliMixture target = BernoulliMixture.randomCorners(3, 5, 0.09, 4);

    private double[] randomTheta(long seed) {
        RandomStream rng = new RandomStream(seed);
        double[] theta = new double[rbm.parameterCount()];
        for (int k = 0; k < theta.length; k++) {
            theta[k] = rng.nextGaussian();
        }
        return theta;
    }

    @Test
    void probabilitiesFollowTheEnergyAndSumToOne() {
        double[] theta = randomTheta(1);
        double[] logq = rbm.logProbabilities(theta);
        double total = 0;
        for (double l : logq) {
            total += Math.exp(l);
        }
        assertEquals(1, total, 1e-12);
        // State 0b10101: z1 = (1, 0, 1), z2 = (0, 1); −E = b1[0] + b1[2] + b2[1] + W[0][1] + W[2][1].
        double negativeEnergy = theta[0] + theta[2] + theta[4] + theta[5 + 1] + theta[5 + 2 * 2 + 1];
        assertEquals(negativeEnergy - (logq[0b10101] - logq[0]), 0, 1e-12, "log q(z) − log q(0) = −E(z)");
    }

    @Test
    void klGradientMatchesFiniteDifferences() {
        double[] theta = randomTheta(2);
        double[] logp = rbm.logProbabilitiesOf(target);
        double[] analytic = new double[theta.length];
        rbm.klAndGradient(theta, logp, analytic);
        double[] numeric = new double[theta.length];
        double h = 1e-6;
        for (int k = 0; k < theta.length; k++) {
            double[] up = theta.clone();
            double[] down = theta.clone();
            up[k] += h;
            down[k] -= h;
            numeric[k] = (rbm.kl(up, logp) - rbm.kl(down, logp)) / (2 * h);
        }
        assertArrayEquals(numeric, analytic, 1e-7);
    }

    /**
     * Term II is the derivative through the kernel only: with z′ ~ q_θ0 and f = log q_θ0 − log p fixed, the
     * derivative in the kernel's θ of Σ q_θ0(z1′) E_{K_θ^t}[f | z1′], here by summing over every path of t = 2 sweeps.
     */
    @Test
    void termTwoIsTheDerivativeThroughTheGibbsKernel() {
        double[] theta = randomTheta(5);
        double[] logp = rbm.logProbabilitiesOf(target);
        double[] termTwo = new double[theta.length];
        rbm.termTwo(theta, logp, 2, termTwo);
        double h = 1e-5;
        for (int k = 0; k < theta.length; k++) {
            double[] up = theta.clone();
            double[] down = theta.clone();
            up[k] += h;
            down[k] -= h;
            double numeric = (kernelExpectation(theta, up, logp) - kernelExpectation(theta, down, logp)) / (2 * h);
            assertEquals(numeric, termTwo[k], 1e-7, "parameter " + k);
        }
    }

    /** Σ_z1′ q_θ0(z1′) E[f_θ0(z)] after two sweeps (z2 | z1, then z1 | z2) of the kernel with θ, path by path. */
    private double kernelExpectation(double[] theta0, double[] theta, double[] logp) {
        double[] logq = rbm.logProbabilities(theta0);
        int mask1 = (1 << rbm.n1()) - 1;
        double total = 0;
        for (int start = 0; start < logq.length; start++) {
            int z1 = start & mask1;
            double[] paths = {Math.exp(logq[start])};
            int[] ends = {z1};
            for (int sweep = 0; sweep < 2; sweep++) {
                double[] nextPaths = new double[paths.length << (rbm.n1() + rbm.n2())];
                int[] nextEnds = new int[nextPaths.length];
                int k = 0;
                for (int p = 0; p < paths.length; p++) {
                    for (int z2 = 0; z2 < 1 << rbm.n2(); z2++) {
                        for (int next = 0; next <= mask1; next++) {
                            nextPaths[k] = paths[p] * conditional(theta, ends[p], z2, true)
                                    * conditional(theta, next, z2, false);
                            nextEnds[k++] = next | z2 << rbm.n1();
                        }
                    }
                }
                paths = nextPaths;
                ends = nextEnds;
                if (sweep == 0) {
                    for (int p = 0; p < ends.length; p++) {
                        ends[p] &= mask1;
                    }
                }
            }
            for (int p = 0; p < paths.length; p++) {
                total += paths[p] * (logq[ends[p]] - logp[ends[p]]);
            }
        }
        return total;
    }

    /** q(z2 | z1) (side2 true) or q(z1 | z2), straight from the energy. */
    private double conditional(double[] theta, int z1, int z2, boolean side2) {
        int n1 = rbm.n1();
        int n2 = rbm.n2();
        double prob = 1;
        for (int b = 0; b < (side2 ? n2 : n1); b++) {
            double logit = theta[side2 ? n1 + b : b];
            for (int a = 0; a < (side2 ? n1 : n2); a++) {
                int i = side2 ? a : b;
                int j = side2 ? b : a;
                logit += theta[n1 + n2 + i * n2 + j] * ((side2 ? z1 >> a : z2 >> a) & 1);
            }
            double on = 1 / (1 + Math.exp(-logit));
            prob *= ((side2 ? z2 >> b : z1 >> b) & 1) == 1 ? on : 1 - on;
        }
        return prob;
    }

    @Test
    void termTwoApproachesTheFullGradientAsTheChainMixes() {
        double[] theta = randomTheta(6);
        double[] logp = rbm.logProbabilitiesOf(target);
        double[] full = new double[theta.length];
        rbm.klAndGradient(theta, logp, full);
        double[] termTwo = new double[theta.length];
        rbm.termTwo(theta, logp, 200, termTwo);
        assertArrayEquals(full, termTwo, 1e-9, "term I vanishes as t grows (Eq. 12)");
    }

    @Test
    void samplerDrawsStatesWithTheirProbabilities() {
        double[] theta = randomTheta(3);
        double[] logq = rbm.logProbabilities(theta);
        EnumeratedRbm.Sampler sampler = rbm.sampler(theta);
        RandomStream rng = new RandomStream(4);
        int n = 200_000;
        int[] counts = new int[rbm.stateCount()];
        for (int i = 0; i < n; i++) {
            counts[sampler.draw(rng)]++;
        }
        for (int s = 0; s < counts.length; s++) {
            double p = Math.exp(logq[s]);
            double sd = Math.sqrt(p * (1 - p) / n);
            assertEquals(p, (double) counts[s] / n, 5 * sd + 1e-9, "state " + s);
        }
    }

    @Test
    void mixtureBitsHaveTheRequestedVarianceAndTheMixtureIsNormalised() {
        for (double[] component : target.logits()) {
            for (double logit : component) {
                assertEquals(Math.log(9), Math.abs(logit), 1e-12, "mean 0.1 or 0.9 for variance 0.09");
            }
        }
        double total = 0;
        for (double l : rbm.logProbabilitiesOf(target)) {
            total += Math.exp(l);
        }
        assertEquals(1, total, 1e-12);
    }

    @Test
    void exactMinimisationConvergesAndSeveralStartsAgree() {
        EnumeratedRbm rbm44 = new EnumeratedRbm(4, 4);
        double[] logp = rbm44.logProbabilitiesOf(BernoulliMixture.randomCorners(3, 8, 0.09, 1));
        KlMinimum min = KlMinimum.find(rbm44, logp, 6, 20_000, 1);
        assertTrue(min.gradientNorm() < 1e-5, "stationary: |grad| = " + min.gradientNorm());
        long agreeing = java.util.Arrays.stream(min.klPerStart()).filter(kl -> kl - min.kl() < 1e-6).count();
        assertTrue(agreeing >= 2, "the best minimum is reached from more than one start: " + agreeing);
        assertEquals(min.kl(), rbm44.kl(min.theta(), logp), 1e-12);
    }
}
