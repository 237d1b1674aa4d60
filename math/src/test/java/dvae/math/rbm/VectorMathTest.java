package dvae.math.rbm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.random.RandomStream;
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
            VectorMath.rowSoftplusSums(act, bias, rows, cols, softplusSums);
            double[] dots = new double[rows];
            VectorMath.rowDots(act, 0, bias, rows, cols, dots);
            float sw = 0.3f;
            float sb = 0.3f;
            float[] dsws = {1e-4f, 0.9f};
            for (float dsw : dsws) {
                float[] c = act.clone();
                double[] increments = new double[rows];
                VectorMath.annealSoftplusStep(c, bias, sw, sb, dsw, dsw, rows, cols, increments);
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
}
