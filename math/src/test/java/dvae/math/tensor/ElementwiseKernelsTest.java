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
}
