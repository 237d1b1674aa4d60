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
            float[] logits = new float[rows * cols];
            for (int i = 0; i < logits.length; i++) {
                // mostly moderate, some saturated logits as a trained decoder gives on MNIST's border pixels
                logits[i] = (float) (i % 11 == 0 ? 60 * (rng.nextDouble() - 0.5) : 4 * rng.nextGaussian());
            }
            float[] targets = new float[rows * cols];
            for (int i = 0; i < targets.length; i++) {
                targets[i] = rng.nextDouble() < 0.3 ? 1f : 0f;
            }
            for (int stride : new int[] {0, cols}) {
                double[] out = new double[rows + 1];
                out[0] = 2.5; // added to, not overwritten
                LikelihoodKernels.addRowLogLikelihoods(logits, rows, cols, targets, stride, out, 1);
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
}
