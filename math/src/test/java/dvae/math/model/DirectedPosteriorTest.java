package dvae.math.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.model.ModelConfig.RelaxationKind;
import dvae.math.nn.BatchNorm;
import dvae.math.random.RandomStream;
import dvae.math.tensor.Matrix;
import org.junit.jupiter.api.Test;

/** Evaluation's ancestral sampling and exact log q of the directed posteriors. */
class DirectedPosteriorTest {
    private static final int LATENTS = 4;

    private static ModelConfig config(PosteriorKind kind) {
        return new ModelConfig(LATENTS, kind, 2, RelaxationKind.PWL, 4, true, 10, 30, ObjectiveKind.ELBO, 1, 10, 1,
                1.5, true, new int[] {3}, new int[] {3}, BatchNorm.Config.DEFAULT, 5);
    }

    /** All 2^4 states, row s holding the bits of s. */
    private static Matrix allStates() {
        Matrix z = new Matrix(1 << LATENTS, LATENTS);
        for (int s = 0; s < z.rows; s++) {
            for (int i = 0; i < LATENTS; i++) {
                z.set(s, i, (s >> i) & 1);
            }
        }
        return z;
    }

    private static double logBernoulli(double z, double logit) {
        return z * logit - Math.log1p(Math.exp(logit));
    }

    @Test
    void level2SeesTheContextAndLevel1sBitsThroughItsKernelAndBias() {
        ParamSet params = new ParamSet();
        DirectedPosterior q = new DirectedPosterior(params, config(PosteriorKind.DIRECTED), new RandomStream(1));
        // Level 1 (kernel 3 × 2) ignores the context; level 2 (kernel (3 + 2) × 2) reads z1 in rows 3 and 4 only.
        float[] b1 = {0.3f, -1.2f};
        float[] b2 = {-0.4f, 0.7f};
        float[][] w2 = {{2f, -1f}, {0.5f, 1.5f}};
        params.get("posterior/level0/kernel").value().fill(0f);
        System.arraycopy(b1, 0, params.get("posterior/level0/bias").value().data, 0, 2);
        Matrix k2 = params.get("posterior/level1/kernel").value();
        k2.fill(0f);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                k2.set(3 + i, j, w2[i][j]);
            }
        }
        System.arraycopy(b2, 0, params.get("posterior/level1/bias").value().data, 0, 2);
        Matrix z = allStates();
        double[] logQ = q.logMass(new Matrix(1, 5, new float[] {1, 0, 1, 1, 0}), z);
        for (int s = 0; s < z.rows; s++) {
            double want = 0;
            for (int j = 0; j < 2; j++) {
                want += logBernoulli(z.get(s, j), b1[j]);
                double logit = b2[j] + z.get(s, 0) * w2[0][j] + z.get(s, 1) * w2[1][j];
                want += logBernoulli(z.get(s, 2 + j), logit);
            }
            assertEquals(want, logQ[s], 1e-5, "state " + s);
        }
    }

    @Test
    void logMassIsNormalisedAndSamplesFollowIt() {
        for (PosteriorKind kind : new PosteriorKind[] {PosteriorKind.DIRECTED, PosteriorKind.DVAE_SHARP}) {
            ParamSet params = new ParamSet();
            DirectedPosterior q = new DirectedPosterior(params, config(kind), new RandomStream(2));
            RandomStream rng = new RandomStream(3);
            for (Param p : params.all()) { // batch-norm statistics and biases away from their initial values
                for (int i = 0; i < p.value().data.length; i++) {
                    p.value().data[i] += (float) (p.name().endsWith("variance") ? 0.5 + rng.nextFloat()
                            : 0.5 * rng.nextGaussian());
                }
            }
            Matrix x = new Matrix(1, 5, new float[] {0.2f, -0.5f, 0.7f, 0.1f, -0.3f});
            double[] logQ = q.logMass(x, allStates());
            double total = 0;
            for (double v : logQ) {
                total += Math.exp(v);
            }
            assertEquals(1, total, 1e-5, kind.toString());
            int samples = 40_000;
            DirectedPosterior.DiscreteSample d = q.discreteSample(x, samples, new RandomStream(4));
            assertArrayEquals(q.logMass(x, d.z()), d.logQ(), 1e-12, kind + ": the samples' log q is their log mass");
            int[] counts = new int[1 << LATENTS];
            for (int r = 0; r < samples; r++) {
                int s = 0;
                for (int i = 0; i < LATENTS; i++) {
                    s |= (int) d.z().get(r, i) << i;
                }
                counts[s]++;
            }
            for (int s = 0; s < counts.length; s++) {
                double p = Math.exp(logQ[s]);
                double sd = Math.sqrt(samples * p * (1 - p));
                assertEquals(samples * p, counts[s], 5 * sd + 1, kind + " state " + s);
            }
        }
    }
}
