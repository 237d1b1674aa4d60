package dvae.math.toy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.util.KeptResults;
import dvae.math.util.ProgressListener;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Section 3.1's findings at a test budget: 3,000 Adam steps (lr 0.003, one draw per step), three seeds. */
class ToyGaussianTest {
    private static final List<Integer> TS = List.of(1, 2, 4, 8);
    private static ToyGaussian.Result result;

    @BeforeAll
    static void run() {
        result = ToyGaussian.run(new ToyGaussian.Settings(3000, 1, 0.003, TS, 30, 200, 5), 3, ProgressListener.NONE,
                KeptResults.NONE);
    }

    /** Mean of log KL over the recorded iterations: lower means faster convergence over the whole run. */
    private static double meanLogKl(String method) {
        return Arrays.stream(result.method(method).kl().values()).map(Math::log).average().orElseThrow();
    }

    @Test
    void everyMethodStartsAtTheSameKl() {
        for (ToyGaussian.MethodResult m : result.methods()) {
            assertEquals(result.initialKl(), m.kl().values()[0], 1e-6, m.method());
        }
    }

    @Test
    void ourEstimatorEndsBelowReinforceForEveryT() {
        double reinforce = result.method("reinforce").finalKl();
        for (int t : TS) {
            double ours = result.method("gibbs-t" + t).finalKl();
            assertTrue(ours < reinforce, "t=" + t + ": " + ours + " vs REINFORCE " + reinforce);
            assertTrue(meanLogKl("gibbs-t" + t) < meanLogKl("reinforce"), "t=" + t + " converges faster");
        }
    }

    @Test
    void termIRaisesTheGradientVarianceAndSlowsConvergence() {
        for (int t : TS) {
            // Iteration 0 is the same φ for every method, so the variances there compare like with like.
            double without = result.method("gibbs-t" + t).gradientVariance().values()[0];
            double with = result.method("gibbs-t" + t + "+I").gradientVariance().values()[0];
            assertTrue(with > 2 * without, "t=" + t + ": variance " + with + " with I vs " + without);
            assertTrue(meanLogKl("gibbs-t" + t + "+I") > meanLogKl("gibbs-t" + t), "t=" + t + " slower with I");
        }
    }

    @Test
    void reparameterisationHasTheLowestVarianceAtTheStart() {
        double reparameterized = result.method("reparameterized").gradientVariance().values()[0];
        for (ToyGaussian.MethodResult m : result.methods()) {
            assertTrue(m.gradientVariance().values()[0] >= reparameterized, m.method());
        }
    }
}
