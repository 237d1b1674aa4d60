package dvae.math.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ElementwiseKernelsTest {
    /**
     * Within 4 float ulps of the double tanh rounded to float, over a grid wider than any activation, ragged length
     * (the worst, 3.9 ulps, is near |x| = 0.54, where tanh passes on 1.5 times e^−2|x| − 1's own rounding error).
     */
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
            assertEquals(want, out[i], 4 * Math.ulp(want), "tanh(" + in[i] + ")");
        }
    }

    /**
     * A value's tanh does not depend on where it sits (a whole vector, the overlapping last one, a short padded
     * call), and uses IEEE operations only, so it cannot depend on whether the JIT has compiled the loop either: the
     * Vector API's own TANH did.
     */
    @Test
    void eachValuesTanhIsTheSameWhereverItSits() {
        int n = 5_001;
        float[] in = new float[n];
        java.util.Random rng = new java.util.Random(7);
        for (int i = 0; i < n; i++) {
            in[i] = (float) (4 * rng.nextGaussian() * Math.pow(10, rng.nextInt(7) - 5));
        }
        float[] out = new float[n];
        ElementwiseKernels.tanh(in, out, n);
        float[] alone = new float[1];
        for (int i = 0; i < n; i++) {
            ElementwiseKernels.tanh(new float[] {in[i]}, alone, 1);
            assertEquals(alone[0], out[i], 0f, "tanh(" + in[i] + ")");
        }
        float[] inPlace = in.clone();
        ElementwiseKernels.tanh(inPlace, inPlace, n);
        org.junit.jupiter.api.Assertions.assertArrayEquals(out, inPlace, "in place");
    }
}
