package dvae.math.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dvae.math.random.RandomStream;
import org.junit.jupiter.api.Test;

/** The vectorised Bernoulli log-likelihoods against scalar double arithmetic, on ragged and long rows. */
class LikelihoodKernelsTest {
    @Test
    void rowLogLikelihoodsMatchDoubleArithmeticForSharedAndPerRowTargets() {
        RandomStream rng = new RandomStream(3);
        for (int cols : new int[] {5, 16, 21, 200, 784}) {
            int rows = 7;
            float[] logits = decoderLikeLogits(rows * cols, rng);
            float[] targets = new float[rows * cols];
            for (int i = 0; i < targets.length; i++) {
                targets[i] = rng.nextDouble() < 0.3 ? 1f : 0f;
            }
            for (int stride : new int[] {0, cols}) {
                double[] out = new double[rows + 1];
                out[0] = 2.5; // added to, not overwritten
                LikelihoodKernels.addRowLogLikelihoods(logits, null, rows, cols, targets, stride, out, 1);
                assertEquals(2.5, out[0]);
                for (int r = 0; r < rows; r++) {
                    double want = 0;
                    for (int c = 0; c < cols; c++) {
                        double l = logits[r * cols + c];
                        double t = targets[r * stride + c];
                        want += t * l - Scalars.softplus(l);
                    }
                    assertEquals(want, out[1 + r], 1e-6 * cols + 1e-6 * Math.abs(want),
                            "cols " + cols + " stride " + stride + " row " + r);
                }
            }
        }
    }

    @Test
    void trainingLogLikelihoodsAndTheirLogitGradientsMatchDoubleArithmeticForRelaxedTargets() {
        RandomStream rng = new RandomStream(4);
        for (int cols : new int[] {5, 16, 21, 200, 784}) {
            int rows = 7;
            float[] logits = decoderLikeLogits(rows * cols, rng);
            float[] x = new float[rows * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = i % 3 == 0 ? (float) rng.nextDouble() : (rng.nextDouble() < 0.3 ? 1f : 0f); // relaxed and 0/1
            }
            float[] dy = new float[rows];
            for (int r = 0; r < rows; r++) {
                dy[r] = (float) rng.nextGaussian();
            }
            float[] out = new float[rows + 2];
            LikelihoodKernels.rowLogLikelihoods(x, logits, cols, 1, rows, out); // rows 1..6: a part of a batch
            float[] dLogits = new float[rows * cols];
            java.util.Arrays.fill(dLogits, 0.5f); // added to, not overwritten
            LikelihoodKernels.addLogitGradients(x, logits, dy, cols, 1, rows, dLogits);
            assertEquals(0f, out[0]);
            for (int c = 0; c < cols; c++) {
                assertEquals(0.5f, dLogits[c], "row 0 is outside the part");
            }
            for (int r = 1; r < rows; r++) {
                double want = 0;
                for (int c = 0; c < cols; c++) {
                    int i = r * cols + c;
                    double l = logits[i];
                    want += x[i] * l - Scalars.softplus(l);
                    double gradient = 0.5 + dy[r] * (x[i] - Scalars.sigmoid(l));
                    assertEquals(gradient, dLogits[i], 1e-6 * (1 + Math.abs(gradient)), "cols " + cols + " at " + i);
                }
                assertEquals(want, out[r], 1e-6 * cols + 1e-6 * Math.abs(want), "cols " + cols + " row " + r);
            }
        }
    }

    @Test
    void aColumnBiasIsAddedToEachRowsLogitsAsTheirFloatSum() {
        RandomStream rng = new RandomStream(5);
        for (int cols : new int[] {5, 21, 784}) {
            int rows = 4;
            float[] logits = new float[rows * cols];
            float[] shifted = new float[rows * cols];
            float[] bias = new float[cols];
            float[] targets = new float[cols];
            for (int c = 0; c < cols; c++) {
                bias[c] = (float) (3 * rng.nextGaussian());
                targets[c] = rng.nextDouble() < 0.3 ? 1f : 0f;
            }
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) (4 * rng.nextGaussian());
                shifted[i] = logits[i] + bias[i % cols];
            }
            double[] withBias = new double[rows];
            double[] added = new double[rows];
            LikelihoodKernels.addRowLogLikelihoods(logits, bias, rows, cols, targets, 0, withBias, 0);
            LikelihoodKernels.addRowLogLikelihoods(shifted, null, rows, cols, targets, 0, added, 0);
            for (int r = 0; r < rows; r++) {
                assertEquals(added[r], withBias[r], "cols " + cols + " row " + r);
            }
        }
    }

    /** Mostly moderate logits and some saturated ones, as a trained decoder gives on MNIST's border pixels. */
    private static float[] decoderLikeLogits(int n, RandomStream rng) {
        float[] logits = new float[n];
        for (int i = 0; i < n; i++) {
            logits[i] = (float) (i % 11 == 0 ? 60 * (rng.nextDouble() - 0.5) : 4 * rng.nextGaussian());
        }
        return logits;
    }
}
