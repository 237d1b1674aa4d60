package dvae.math.rbm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ExactRbmTest {
    @Test
    void zeroCouplingsGiveSumOfSoftplusOfBiases() {
        Rbm random = Rbm.random(7, 9, 1.5, 3);
        Rbm rbm = new Rbm(7, 9, new float[7 * 9], random.b1(), random.b2());
        double expected = 0;
        for (float b : rbm.b1()) {
            expected += dvae.math.tensor.Scalars.softplus(b);
        }
        for (float b : rbm.b2()) {
            expected += dvae.math.tensor.Scalars.softplus(b);
        }
        assertEquals(expected, ExactRbm.logZ(rbm), 1e-10);
    }

    @Test
    void zeroFieldAndCouplingsGiveLogTwoPerUnit() {
        Rbm rbm = new Rbm(12, 5, new float[60], new float[12], new float[5]);
        assertEquals(17 * Math.log(2), ExactRbm.logZ(rbm), 1e-10);
    }

    @Test
    void smallerSideSumEqualsBruteForceOverAllStates() {
        for (int[] shape : new int[][] {{4, 6}, {7, 3}, {8, 8}}) {
            Rbm rbm = Rbm.random(shape[0], shape[1], 1.0, 11 + shape[0]);
            assertEquals(bruteForceLogZ(rbm), ExactRbm.logZ(rbm), 1e-9, "shape " + shape[0] + "+" + shape[1]);
        }
    }

    @Test
    void momentsEqualBruteForce() {
        Rbm rbm = Rbm.random(5, 4, 1.0, 5);
        NegativePhase exact = ExactRbm.moments(rbm);
        NegativePhase brute = bruteForceMoments(rbm);
        assertArrayClose(brute.meanZ1(), exact.meanZ1(), 1e-12);
        assertArrayClose(brute.meanZ2(), exact.meanZ2(), 1e-12);
        assertArrayClose(brute.meanZ1Z2(), exact.meanZ1Z2(), 1e-12);
    }

    static void assertArrayClose(double[] expected, double[] actual, double tolerance) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, "entry " + i);
        }
    }

    private static double bruteForceLogZ(Rbm rbm) {
        double[] negEnergies = allNegEnergies(rbm);
        double max = Double.NEGATIVE_INFINITY;
        for (double v : negEnergies) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : negEnergies) {
            sum += Math.exp(v - max);
        }
        return max + Math.log(sum);
    }

    private static NegativePhase bruteForceMoments(Rbm rbm) {
        int n1 = rbm.n1();
        int n2 = rbm.n2();
        double logZ = bruteForceLogZ(rbm);
        double[] m1 = new double[n1];
        double[] m2 = new double[n2];
        double[] m12 = new double[n1 * n2];
        double[] negEnergies = allNegEnergies(rbm);
        for (int s = 0; s < negEnergies.length; s++) {
            double p = Math.exp(negEnergies[s] - logZ);
            float[][] z = state(s, n1, n2);
            for (int i = 0; i < n1; i++) {
                m1[i] += p * z[0][i];
                for (int j = 0; j < n2; j++) {
                    m12[i * n2 + j] += p * z[0][i] * z[1][j];
                }
            }
            for (int j = 0; j < n2; j++) {
                m2[j] += p * z[1][j];
            }
        }
        return new NegativePhase(n1, n2, m1, m2, m12);
    }

    private static double[] allNegEnergies(Rbm rbm) {
        double[] out = new double[1 << (rbm.n1() + rbm.n2())];
        for (int s = 0; s < out.length; s++) {
            float[][] z = state(s, rbm.n1(), rbm.n2());
            out[s] = rbm.negEnergy(z[0], z[1]);
        }
        return out;
    }

    private static float[][] state(int s, int n1, int n2) {
        float[] z1 = new float[n1];
        float[] z2 = new float[n2];
        for (int i = 0; i < n1; i++) {
            z1[i] = s >> i & 1;
        }
        for (int j = 0; j < n2; j++) {
            z2[j] = s >> (n1 + j) & 1;
        }
        return new float[][] {z1, z2};
    }
}
