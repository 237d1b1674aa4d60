package dvae.math.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ElementwiseKernelsTest {
    /** Within 2 float ulps of the double tanh rounded to float, over a grid wider than any activation, ragged length. */
    @Test
    void tanhMatchesTheDoubleFunctionToAFewUlps() {
        int n = 20_003;
        float[] in = new float[n];
        for (int i = 0; i < n; i++) {
            in[i] = -20f + 40f * i / (n - 1);
        }
        in[0] = Float.NEGATIVE_INFINITY;
        in[1] = 1e-30f;
        float[] out = new float[n];
        ElementwiseKernels.tanh(in, out, n);
        for (int i = 0; i < n; i++) {
            float want = (float) Math.tanh(in[i]);
            assertEquals(want, out[i], 2 * Math.ulp(want), "tanh(" + in[i] + ")");
        }
    }

    /**
     * Every lane gives exactly what the one-value formula gives (IEEE operations only, in the same order), so the
     * result cannot depend on whether the JIT has compiled the loop: the Vector API's own TANH did.
     */
    @Test
    void theLanesGiveExactlyTheOneValueFormula() {
        int n = 5_001;
        float[] in = new float[n];
        java.util.Random rng = new java.util.Random(7);
        for (int i = 0; i < n; i++) {
            in[i] = (float) (4 * rng.nextGaussian() * Math.pow(10, rng.nextInt(7) - 5));
        }
        float[] out = new float[n];
        ElementwiseKernels.tanh(in, out, n);
        for (int i = 0; i < n; i++) {
            assertEquals((float) ElementwiseKernels.tanh((double) in[i]), out[i], 0f, "tanh(" + in[i] + ")");
        }
    }
}
