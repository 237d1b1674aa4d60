package dvae.math.rbm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.random.RandomStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The vector kernels against scalar double arithmetic, on row lengths below, at and between whole vectors. */
class VectorMathTest {
    private static final int[] COLUMNS = {5, 16, 21, 37, 100};

    @Test
    void uniformsAreInRangeWithTheRightMomentsAndFollowTheSeed() {
        int n = 100_003;
        float[] u = new float[VectorMath.uniformBufferLength(n)];
        VectorMath.fillUniform(new RandomStream(1), u, n);
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < n; i++) {
            assertTrue(u[i] >= 0f && u[i] < 1f, "uniform " + u[i]);
            sum += u[i];
            sumSq += u[i] * u[i];
        }
        // Standard errors: 0.29/√n for the mean, 0.3/√n for the second moment.
        assertEquals(0.5, sum / n, 5 * 0.29 / Math.sqrt(n));
        assertEquals(1.0 / 3, sumSq / n, 5 * 0.3 / Math.sqrt(n));
        float[] again = new float[u.length];
        VectorMath.fillUniform(new RandomStream(1), again, n);
        assertArrayEquals(u, again);
    }

    /**
     * The draw is 1 exactly when u < σ(x): uniforms 1e-5·σ(1−σ) + 2^-22 below and above σ(x) give 1 and 0 for x from
     * −80 to 80 (where float can hold them apart), so the kernel's own exp is accurate to well within that.
     */
    @Test
    void bernoulliDrawsCompareTheUniformWithTheSigmoidExactly() {
        int cols = 1601;
        float[] act = new float[cols];
        float[] below = new float[VectorMath.uniformBufferLength(cols)];
        float[] above = new float[VectorMath.uniformBufferLength(cols)];
        boolean[] separable = new boolean[cols];
        int checked = 0;
        for (int c = 0; c < cols; c++) {
            act[c] = -80f + 0.1f * c;
            double p = 1 / (1 + Math.exp(-(double) act[c]));
            // the comparison itself is in float: near 1 it resolves 2^-24 at best
            double margin = 1e-5 * p * (1 - p) + 0x1.0p-22;
            below[c] = (float) (p - margin);
            above[c] = (float) (p + margin);
            separable[c] = below[c] < p - margin / 2 && above[c] > p + margin / 2 && above[c] < 1f;
            checked += separable[c] ? 1 : 0;
        }
        float[] outBelow = new float[cols];
        float[] outAbove = new float[cols];
        VectorMath.sampleBernoulli(act, 0, 1f, new float[cols], 0, 1f, 1, cols, below, outBelow, 0);
        VectorMath.sampleBernoulli(act, 0, 1f, new float[cols], 0, 1f, 1, cols, above, outAbove, 0);
        assertTrue(checked > 800, "points checked: " + checked);
        for (int c = 0; c < cols; c++) {
            if (separable[c]) {
                assertEquals(1f, outBelow[c], "u just below sigma at x = " + act[c]);
                assertEquals(0f, outAbove[c], "u just above sigma at x = " + act[c]);
            }
        }
        // far beyond the clamp the draws saturate the right way
        float[] extreme = {-1e4f, 1e4f, -200f, 200f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f};
        float[] u = new float[VectorMath.uniformBufferLength(extreme.length)];
        java.util.Arrays.fill(u, 1e-30f);
        float[] out = new float[extreme.length];
        VectorMath.sampleBernoulli(extreme, 0, 1f, new float[extreme.length], 0, 1f, 1, extreme.length, u, out, 0);
        assertEquals(List.of(0f, 1f, 0f, 1f), List.of(out[0], out[1], out[2], out[3]));
    }

    @Test
    void bernoulliFrequenciesFollowTheSigmoidOnRaggedRows() {
        int rows = 40_000;
        for (int cols : COLUMNS) {
            float[] bias = new float[cols];
            for (int c = 0; c < cols; c++) {
                bias[c] = -3f + 6f * c / cols;
            }
            float[] act = new float[rows * cols];
            float[] uniforms = new float[VectorMath.uniformBufferLength(rows * cols)];
            VectorMath.fillUniform(new RandomStream(cols), uniforms, rows * cols);
            float[] out = new float[rows * cols];
            VectorMath.sampleBernoulli(act, 0, 1f, bias, 0, 0.5f, rows, cols, uniforms, out, 0);
            for (int c = 0; c < cols; c++) {
                double ones = 0;
                for (int r = 0; r < rows; r++) {
                    ones += out[r * cols + c];
                }
                double p = 1 / (1 + Math.exp(-0.5 * bias[c]));
                assertEquals(p, ones / rows, 5 * Math.sqrt(p * (1 - p) / rows), "cols " + cols + " column " + c);
            }
        }
    }

    @Test
    void rowReductionsAndTheAnnealingStepMatchDoubleArithmetic() {
        int rows = 7;
        RandomStream rng = new RandomStream(3);
        for (int cols : COLUMNS) {
            float[] act = new float[rows * cols];
            float[] bias = new float[cols];
            for (int i = 0; i < act.length; i++) {
                act[i] = (float) (4 * rng.nextGaussian());
            }
            for (int c = 0; c < cols; c++) {
                bias[c] = (float) rng.nextGaussian();
            }
            double[] softplusSums = new double[rows];
            VectorMath.rowSoftplusSums(act, 0, bias, rows, cols, softplusSums, 0);
            double[] dots = new double[rows];
            VectorMath.rowDots(act, 0, bias, rows, cols, dots, 0);
            // Row r of act (from row 1) with row r of its reverse (from row 0), into out from index 2.
            float[] reversed = new float[act.length];
            for (int i = 0; i < act.length; i++) {
                reversed[i] = act[act.length - 1 - i];
            }
            double[] paired = new double[rows + 1];
            VectorMath.pairedRowDots(act, cols, reversed, 0, rows - 1, cols, paired, 2);
            for (int r = 0; r < rows - 1; r++) {
                double dot = 0;
                for (int k = 0; k < cols; k++) {
                    dot += (double) act[(r + 1) * cols + k] * reversed[r * cols + k];
                }
                assertEquals(dot, paired[r + 2], 1e-5 * (1 + Math.abs(dot)), "paired dot cols " + cols);
            }
            float sw = 0.3f;
            float sb = 0.3f;
            float[] dsws = {1e-4f, 0.9f};
            for (float dsw : dsws) {
                float[] c = act.clone();
                double[] increments = new double[rows];
                VectorMath.annealSoftplusStep(c, bias, sw, sb, dsw, dsw, rows, cols, increments, 0);
                for (int r = 0; r < rows; r++) {
                    double expected = 0;
                    for (int k = 0; k < cols; k++) {
                        double x = sw * (double) act[r * cols + k] + sb * (double) bias[k];
                        double d = dsw * (double) act[r * cols + k] + dsw * (double) bias[k];
                        expected += dvae.math.tensor.Scalars.softplus(x + d) - dvae.math.tensor.Scalars.softplus(x);
                        assertEquals(x + d, c[r * cols + k], 1e-5 * (1 + Math.abs(x + d)));
                    }
                    assertEquals(expected, increments[r], 1e-6 * (1 + Math.abs(expected)) + 1e-7 * cols,
                            "cols " + cols + " step " + dsw);
                }
            }
            for (int r = 0; r < rows; r++) {
                double softplus = 0;
                double dot = 0;
                for (int k = 0; k < cols; k++) {
                    softplus += dvae.math.tensor.Scalars.softplus((double) act[r * cols + k] + bias[k]);
                    dot += (double) act[r * cols + k] * bias[k];
                }
                assertEquals(softplus, softplusSums[r], 1e-5 * (1 + softplus), "softplus cols " + cols);
                assertEquals(dot, dots[r], 1e-5 * (1 + Math.abs(dot)), "dot cols " + cols);
            }
        }
    }

    /**
     * The increment against double arithmetic over x in [−40, 40] and steps d on every side of the limits of its
     * methods (the series below 0.125, log1p below 1, the difference beyond).
     */
    @Test
    void theSoftplusIncrementIsAccurateToItsOwnSizeOnEveryMethod() {
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        double worst = 0;
        String where = "";
        float[] xs = new float[lanes];
        float[] ds = new float[lanes];
        float[] out = new float[lanes];
        double[] steps = {1e-6, -3e-4, 2e-3, -0.02, 0.1, -0.124, 0.125, -0.126, -0.3, 0.49, -0.5, 0.7, -0.99, 1.5, -4};
        for (double d : steps) {
            for (int i = 0; i <= 8000; i += lanes) {
                for (int k = 0; k < lanes; k++) {
                    xs[k] = (float) (-40 + 80.0 * Math.min(i + k, 8000) / 8000);
                    ds[k] = (float) d;
                }
                VectorMath.softplusIncrement(jdk.incubator.vector.FloatVector.fromArray(
                        jdk.incubator.vector.FloatVector.SPECIES_PREFERRED, xs, 0),
                        jdk.incubator.vector.FloatVector.fromArray(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED,
                                ds, 0)).intoArray(out, 0);
                for (int k = 0; k < lanes; k++) {
                    double x = xs[k];
                    double dd = ds[k];
                    // softplus(x + d) − softplus(x) = log1p(σ(x)·expm1(d)), in double
                    double want = Math.log1p(Math.expm1(dd) / (1 + Math.exp(-x)));
                    // σ(x) = 1/(1 + 2^(−x·log2 e)) inherits the float rounding of x·log2 e, |x|·6e-8 relative.
                    double bound = 1e-6 + 1e-7 * Math.abs(x);
                    double err = Math.abs(out[k] - want) / Math.max(Math.abs(want), 1e-30) / bound;
                    if (err > worst) {
                        worst = err;
                        where = "x " + x + ", d " + dd;
                    }
                }
            }
        }
        assertTrue(worst < 1, "worst relative error " + worst + " of its bound at " + where);
    }
}
