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
