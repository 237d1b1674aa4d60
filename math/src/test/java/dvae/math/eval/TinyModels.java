package dvae.math.eval;

import dvae.math.autodiff.Param;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelConfig;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.model.ModelConfig.RelaxationKind;
import dvae.math.nn.BatchNorm;
import dvae.math.random.RandomStream;
import dvae.math.tensor.Matrix;

/** Tiny models on 12-pixel images whose latent spaces can be enumerated, and a few binary examples. */
final class TinyModels {
    static final int PIXELS = 12;

    private TinyModels() {
    }

    static ModelConfig config(int latents, PosteriorKind posterior, int levels, ObjectiveKind objective) {
        return new ModelConfig(latents, posterior, levels, RelaxationKind.PWL, 4, true, 10, 30, objective,
                objective == ObjectiveKind.ELBO ? 1 : 5, 10, 1, 1.5, true, new int[] {7}, new int[] {9},
                BatchNorm.Config.DEFAULT, PIXELS);
    }

    static float[] meanPixel() {
        float[] m = new float[PIXELS];
        for (int i = 0; i < PIXELS; i++) {
            m[i] = 0.2f + 0.05f * i;
        }
        return m;
    }

    /**
     * A model with random weights everywhere, the prior included (it starts at zero), so that prior, posterior and
     * decoder all matter; the posterior's batch-norm statistics are left at their start (mean 0, variance 1).
     */
    static DvaeModel model(ModelConfig config, long seed) {
        DvaeModel model = new DvaeModel(config, meanPixel(), null, new RandomStream(seed));
        RandomStream rng = new RandomStream(seed + 1);
        for (Param p : model.params().trainable()) {
            if (p.name().startsWith("prior/")) {
                for (int i = 0; i < p.value().data.length; i++) {
                    p.value().data[i] = (float) (0.7 * rng.nextGaussian());
                }
            }
        }
        return model;
    }

    /** Binary examples, pixel i on with probability 0.2 + 0.05 i. */
    static Matrix examples(int rows, long seed) {
        RandomStream rng = new RandomStream(seed);
        float[] mean = meanPixel();
        Matrix x = new Matrix(rows, PIXELS);
        for (int r = 0; r < rows; r++) {
            for (int p = 0; p < PIXELS; p++) {
                x.data[r * PIXELS + p] = rng.nextFloat() < mean[p] ? 1f : 0f;
            }
        }
        return x;
    }

    static int[] range(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }
}
