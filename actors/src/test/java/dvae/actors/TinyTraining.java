package dvae.actors;

import dvae.math.data.Dataset;
import dvae.math.data.SyntheticData;
import dvae.math.model.ModelConfig;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.model.ModelConfig.RelaxationKind;
import dvae.math.nn.BatchNorm;
import dvae.math.run.MetricsLog;
import dvae.math.train.TrainConfig;
import java.nio.file.Path;
import java.util.List;

/** A run small enough for a test: noisy copies of four prototypes, an 8-latent DVAE## with 32-unit layers. */
final class TinyTraining {
    static final int PIXELS = 784;

    private TinyTraining() {
    }

    static Dataset data(int train) {
        return SyntheticData.noisyPrototypes(train, 11);
    }

    static ModelConfig model() {
        return new ModelConfig(8, PosteriorKind.RBM, 1, RelaxationKind.PWL, 4, true, 10, 30, ObjectiveKind.ELBO, 1, 2,
                1, 1.5, true, new int[] {32}, new int[] {32}, BatchNorm.Config.DEFAULT, PIXELS);
    }

    /** Selecting by the bound, with a small prior AIS for its log Z (30 temperatures × 16 chains). */
    static TrainConfig training(long iterations, long validEvery, String sampler) {
        return new TrainConfig(iterations, 20, 3e-3, 1e-4, 0.9, 0.999, 1e-3, 0.3, 0.5, 0.05, sampler, 50, 5,
                validEvery, 0, new TrainConfig.ValidNll(10, 40, 30, 16, 20), 1, 2, 3, 5, TrainConfig.SelectBy.LOSS);
    }

    /** Validations measure the NLL as {@code validNll} says, and it picks the best checkpoint. */
    static TrainConfig training(long iterations, long validEvery, String sampler, TrainConfig.ValidNll validNll) {
        return new TrainConfig(iterations, 20, 3e-3, 1e-4, 0.9, 0.999, 1e-3, 0.3, 0.5, 0.05, sampler, 50, 5,
                validEvery, 0, validNll, 1, 2, 3, 5, TrainConfig.SelectBy.NLL);
    }

    /** The per-step losses of a run's metrics log (skipped steps have none). */
    static List<Double> losses(Path metrics) {
        return MetricsLog.read(metrics).stream().filter(m -> m.containsKey("loss") && !m.containsKey("event"))
                .map(m -> ((Number) m.get("loss")).doubleValue()).toList();
    }
}
