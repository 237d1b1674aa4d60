package dvae.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dvae.math.autodiff.Param;
import dvae.math.data.Dataset;
import dvae.math.data.SyntheticData;
import dvae.math.model.ModelCheckpoint;
import dvae.math.run.MetricsLog;
import dvae.math.util.ProgressListener;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingRunsTest {
    private static final Map<String, Object> TINY_RBM = Map.of("dvae.model.latents", 8, "dvae.model.encoder-hidden",
            List.of(16), "dvae.model.decoder-hidden", List.of(16), "dvae.model.posterior", "rbm", "dvae.model.levels", 1,
            "dvae.objective.kind", "elbo", "dvae.objective.samples", 1);

    private static Settings settings() {
        return new Settings(ConfigFactory.parseMap(Map.of("dvae.model.pwl-beta.synthetic", 4)).withFallback(
                SettingsLoader.load(null, List.of("dvae.prior-sampler.method=pcd", "dvae.prior-sampler.particles=20",
                        "dvae.prior-sampler.sweeps=2", "dvae.train.batch-size=10", "dvae.train.valid-nll.examples=6",
                        "dvae.train.valid-nll.samples=30", "dvae.train.valid-nll.prior-temps=20",
                        "dvae.train.valid-nll.prior-chains=16", "dvae.train.valid-nll.posterior-temps=10",
                        // A rate this high makes the validation NLL go up and down: on 2 cores its lowest is at
                        // step 10 of 20, neither the last nor the lowest bound's.
                        "dvae.train.learning-rate=0.3"))));
    }

    private static TrainingRuns.Trained trainTwentySteps(long validEvery, Path runDir) {
        Dataset data = SyntheticData.noisyPrototypes(60, 5);
        return TrainingRuns.train(TrainingRuns.runSettings(settings(), TINY_RBM, 20, 5, 1, validEvery), data,
                new TrainingRuns.RunProgress(ProgressListener.NONE, 0, 20, "tiny"), runDir, () -> false);
    }

    /** The paper budget's model selection: validation NLLs every few steps, and the best checkpoint's model back. */
    @Test
    void withValidationsTheBestCheckpointsModelIsReturned(@TempDir Path dir) {
        TrainingRuns.Trained trained = trainTwentySteps(5, dir.resolve("run"));

        List<Map<String, Object>> validations = MetricsLog.read(dir.resolve("run").resolve("metrics.jsonl")).stream()
                .filter(m -> m.containsKey("valid_nll")).toList();
        assertEquals(4, validations.size());
        long best = validations.stream()
                .min(Comparator.comparingDouble(m -> ((Number) m.get("valid_nll")).doubleValue()))
                .map(m -> ((Number) m.get("step")).longValue()).orElseThrow();
        assertEquals(best, trained.step());
        var saved = ModelCheckpoint.load(dir.resolve("run").resolve("checkpoints")
                .resolve(String.format("step-%07d", best))).model();
        for (Param p : saved.params().all()) {
            assertArrayEquals(p.value().data, trained.model().params().get(p.name()).value().data, p.name());
        }
    }

    /** The quick budget's: one validation at the end, by the bound alone, and the last model. */
    @Test
    void withoutValidationsTheLastModelIsReturned(@TempDir Path dir) {
        TrainingRuns.Trained trained = trainTwentySteps(0, dir.resolve("run"));
        assertEquals(20, trained.step());
        List<Map<String, Object>> metrics = MetricsLog.read(dir.resolve("run").resolve("metrics.jsonl"));
        assertEquals(1, metrics.stream().filter(m -> m.containsKey("valid_loss")).count());
        assertTrue(metrics.stream().noneMatch(m -> m.containsKey("valid_nll")));
    }
}
