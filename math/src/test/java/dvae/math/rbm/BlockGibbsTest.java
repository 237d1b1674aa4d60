package dvae.math.rbm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.random.RandomStream;
import org.junit.jupiter.api.Test;

/**
 * Sampled marginals against exact ones. Each check uses one snapshot of many independent chains after a burn-in far
 * longer than these small RBMs' mixing time, so every sample mean has standard error at most 0.5/√chains; the
 * tolerance is five of those.
 */
class BlockGibbsTest {
    private static final int CHAINS = 20_000;
    private static final int BURN_IN = 60;
    private static final double TOLERANCE = 5 * 0.5 / Math.sqrt(CHAINS);

    @Test
    void sweepsOfOneRbmMatchExactMarginals() {
        Rbm rbm = Rbm.random(5, 7, 1.0, 21);
        float[] z1 = randomBits(CHAINS * 5, 1);
        float[] z2 = new float[CHAINS * 7];
        new BlockGibbs(new RandomStream(2)).sweeps(rbm, z1, z2, CHAINS, BURN_IN);
        assertMatchesExact(ExactRbm.moments(rbm), z1, 0, z2, 0, CHAINS);
    }

    @Test
    void temperedSweepsSampleTheTemperedMachine() {
        Rbm rbm = Rbm.random(4, 6, 1.2, 8);
        float beta = 0.4f;
        Rbm tempered = new Rbm(4, 6, scaled(rbm.w(), beta), scaled(rbm.b1(), 1f), scaled(rbm.b2(), 1f));
        float[] z1 = randomBits(CHAINS * 4, 3);
        float[] z2 = new float[CHAINS * 6];
        new BlockGibbs(new RandomStream(4)).sweeps(rbm, z1, z2, CHAINS, BURN_IN, beta, 1f);
        assertMatchesExact(ExactRbm.moments(tempered), z1, 0, z2, 0, CHAINS);
    }

    @Test
    void batchedSweepsSampleEachExamplesOwnRbm() {
        // enough examples to be run as parallel parts
        int size = 8;
        int n1 = 4;
        int n2 = 5;
        int replicas = CHAINS / 4;
        Rbm[] machines = new Rbm[size];
        float[] w = new float[size * n1 * n2];
        float[] b1 = new float[size * n1];
        float[] b2 = new float[size * n2];
        for (int e = 0; e < size; e++) {
            machines[e] = Rbm.random(n1, n2, 1.0 + e, 30 + e);
            System.arraycopy(machines[e].w(), 0, w, e * n1 * n2, n1 * n2);
            System.arraycopy(machines[e].b1(), 0, b1, e * n1, n1);
            System.arraycopy(machines[e].b2(), 0, b2, e * n2, n2);
        }
        RbmBatch batch = new RbmBatch(size, n1, n2, w, b1, b2);
        float[] z1 = randomBits(size * replicas * n1, 5);
        float[] z2 = new float[size * replicas * n2];
        new BlockGibbs(new RandomStream(6)).sweeps(batch, replicas, z1, z2, BURN_IN);
        double tolerance = 5 * 0.5 / Math.sqrt(replicas);
        for (int e = 0; e < size; e++) {
            assertArrayEquals(machines[e].w(), batch.example(e).w());
            assertMatchesExact(ExactRbm.moments(batch.example(e)), z1, e * replicas * n1, z2, e * replicas * n2,
                    replicas, tolerance);
        }
    }

    private static void assertMatchesExact(NegativePhase exact, float[] z1, int z1Off, float[] z2, int z2Off,
                                           int chains) {
        assertMatchesExact(exact, z1, z1Off, z2, z2Off, chains, TOLERANCE);
    }

    static void assertMatchesExact(NegativePhase exact, float[] z1, int z1Off, float[] z2, int z2Off, int chains,
                                   double tolerance) {
        int n1 = exact.n1();
        int n2 = exact.n2();
        double[] m1 = new double[n1];
        double[] m2 = new double[n2];
        double[] m12 = new double[n1 * n2];
        for (int c = 0; c < chains; c++) {
            for (int i = 0; i < n1; i++) {
                float a = z1[z1Off + c * n1 + i];
                assertTrue(a == 0f || a == 1f, "states are binary");
                m1[i] += a / chains;
                for (int j = 0; j < n2; j++) {
                    m12[i * n2 + j] += a * z2[z2Off + c * n2 + j] / chains;
                }
            }
            for (int j = 0; j < n2; j++) {
                m2[j] += z2[z2Off + c * n2 + j] / chains;
            }
        }
        ExactRbmTest.assertArrayClose(exact.meanZ1(), m1, tolerance);
        ExactRbmTest.assertArrayClose(exact.meanZ2(), m2, tolerance);
        ExactRbmTest.assertArrayClose(exact.meanZ1Z2(), m12, tolerance);
    }

    static float[] randomBits(int n, long seed) {
        RandomStream rng = new RandomStream(seed);
        float[] z = new float[n];
        for (int i = 0; i < n; i++) {
            z[i] = rng.nextFloat() < 0.5f ? 1f : 0f;
        }
        return z;
    }

    private static float[] scaled(float[] a, float s) {
        float[] out = a.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] *= s;
        }
        return out;
    }
}
