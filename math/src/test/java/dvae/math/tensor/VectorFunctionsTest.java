package dvae.math.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.random.RandomStream;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The project's vector functions against java.lang.Math in double, over grids that span their ranges. */
class VectorFunctionsTest {
    private static final int L = VectorFunctions.LANES.length();

    /** The largest relative error of f against exact over the inputs (|exact| below floor counts absolutely). */
    private static double worstRelativeError(float[] inputs, UnaryOperator<FloatVector> f, DoubleUnaryOperator exact,
                                             double floor) {
        double worst = 0;
        float[] out = new float[L];
        for (int i = 0; i < inputs.length; i += L) {
            float[] in = new float[L];
            int n = Math.min(L, inputs.length - i);
            System.arraycopy(inputs, i, in, 0, n);
            f.apply(FloatVector.fromArray(VectorFunctions.LANES, in, 0)).intoArray(out, 0);
            for (int k = 0; k < n; k++) {
                double want = exact.applyAsDouble(in[k]);
                double err = Math.abs(out[k] - want) / Math.max(Math.abs(want), floor);
                assertTrue(!Double.isNaN(err), "NaN at " + in[k]);
                if (err > worst) {
                    worst = err;
                    worstAt = in[k];
                }
            }
        }
        return worst;
    }

    private static float worstAt;

    private static void assertBelow(double worst, double bound) {
        assertTrue(worst < bound, "worst relative error " + worst + " at " + worstAt + ", bound " + bound);
    }

    private static float[] grid(double from, double to, int n) {
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = (float) (from + (to - from) * i / (n - 1));
        }
        return g;
    }

    /** ±10^k for k from −30 to 0 in steps of ½: where naive formulas lose every digit. */
    private static float[] tiny() {
        float[] g = new float[122];
        for (int i = 0; i < 61; i++) {
            g[2 * i] = (float) Math.pow(10, -30 + i * 0.5);
            g[2 * i + 1] = -g[2 * i];
        }
        return g;
    }

    @Test
    void log1pIsAccurateFromNearMinusOneToLargeAndForTinyArguments() {
        assertBelow(worstRelativeError(grid(-0.999, 3, 40_001), VectorFunctions::log1p, Math::log1p, 1e-30), 3e-7);
        assertBelow(worstRelativeError(grid(3, 1e6, 40_001), VectorFunctions::log1p, Math::log1p, 1e-30), 3e-7);
        float[] tiny = tiny();
        for (int i = 0; i < tiny.length; i++) {
            tiny[i] = Math.max(tiny[i], -0.9f);
        }
        assertBelow(worstRelativeError(tiny, VectorFunctions::log1p, Math::log1p, 1e-38), 3e-7);
        float[] exactZero = new float[L];
        float[] out = new float[L];
        VectorFunctions.log1p(FloatVector.fromArray(VectorFunctions.LANES, exactZero, 0)).intoArray(out, 0);
        assertEquals(0f, out[0]);
    }

    @Test
    void log1pOfTheUnitIntervalIsAccurateThereAndForTinyArguments() {
        assertBelow(worstRelativeError(grid(0, 1, 400_001), VectorFunctions::log1pUnit, Math::log1p, 1e-30), 3e-7);
        float[] tiny = tiny();
        for (int i = 0; i < tiny.length; i++) {
            tiny[i] = Math.abs(tiny[i]);
        }
        assertBelow(worstRelativeError(tiny, VectorFunctions::log1pUnit, Math::log1p, 1e-38), 3e-7);
        float[] out = new float[L];
        VectorFunctions.log1pUnit(FloatVector.zero(VectorFunctions.LANES)).intoArray(out, 0);
        assertEquals(0f, out[0]);
    }

    @Test
    void sumLanesAddsThePairwiseTreeInItsFixedOrder() {
        RandomStream rng = new RandomStream(6);
        float[] lanes = new float[L];
        for (int trial = 0; trial < 1000; trial++) {
            for (int i = 0; i < L; i++) {
                lanes[i] = (float) (Math.pow(10, 4 * rng.nextDouble() - 2) * rng.nextGaussian());
            }
            float[] tree = lanes.clone(); // lane i += lane i + half, halving down to one lane
            for (int half = L / 2; half >= 1; half /= 2) {
                for (int i = 0; i < half; i++) {
                    tree[i] += tree[i + half];
                }
            }
            assertEquals(Float.floatToRawIntBits(tree[0]),
                    Float.floatToRawIntBits(VectorFunctions.sumLanes(FloatVector.fromArray(VectorFunctions.LANES,
                            lanes, 0))), "trial " + trial);
        }
    }

    @Test
    void expm1IsAccurateOnMinusOneToOneAndForTinyArguments() {
        assertBelow(worstRelativeError(grid(-1, 1, 40_001), VectorFunctions::expm1Small, Math::expm1, 1e-30), 2e-7);
        assertBelow(worstRelativeError(tiny(), VectorFunctions::expm1Small, Math::expm1, 1e-38), 2e-7);
    }

    @Test
    void softplusAndExp2StayAccurateAcrossTheirRanges() {
        DoubleUnaryOperator softplus = x -> Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
        // Relative to max(softplus, 1e-3), to 1e-6: below zero, softplus(x) ≈ e^x inherits the float rounding of
        // x·log2 e (|x|·6e-8 relative) on top of exp2's 2e-7.
        assertBelow(worstRelativeError(grid(-80, 80, 80_001), VectorFunctions::softplus, softplus, 1e-3), 1e-6);
        assertBelow(worstRelativeError(grid(-120, 120, 80_001), VectorFunctions::exp2, x -> Math.pow(2, x), 1e-30),
                3e-7);
    }
}
