package dvae.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dvae.cli.Settings;
import dvae.math.data.Dataset;
import dvae.math.model.ModelConfig;
import dvae.math.run.MetricsLog;
import dvae.math.run.RunDirectory;
import dvae.math.train.TrainConfig;
import dvae.math.train.Trainer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One worker without staleness: the actor run is the reference trainer's run, loss for loss, bit for bit. */
class ActorTrainingEquivalenceTest {

    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    @ParameterizedTest(name = "pipeline depth {0}, local updates {1}")
    @CsvSource({"1, off", "1, on", "2, on"})
    void oneWorkerWithoutStalenessReproducesTheReferenceTrainersLosses(int pipelineDepth, String localUpdates,
                                                                      @TempDir Path dir) {
        Dataset data = TinyTraining.data(200);
        ModelConfig model = TinyTraining.model();
        // Validations measure the NLL too (a small version of the authors' model selection).
        TrainConfig training = TinyTraining.training(30, 15, "pa", new TrainConfig.ValidNll(10, 40, 30, 16, 20));
        Trainer.Summary reference = new Trainer(model, training, data).run(
                RunDirectory.create(dir.resolve("reference"), "x"), new Trainer.Listener() {
                });

        // Synchronous, or pipelined with local updates: either way every step computes at the newest version.
        Config config = ConfigFactory.parseString("dvae.actors.worker.pipeline-depth = " + pipelineDepth
                + "\ndvae.actors.worker.local-updates = " + localUpdates).withFallback(
                ConfigFactory.load("application-test"));
        TrainingRoles.Topology topology = TrainingRoles.Topology.from(new Settings(config), 1);
        Trainer.Summary actors = TrainingNode.runAlone(config, "dvae-equivalence",
                new TrainingRoles.Training(model, training, data), topology,
                RunDirectory.create(dir.resolve("actors"), "x"), new Trainer.Listener() {
                });

        List<Double> expected = TinyTraining.losses(dir.resolve("reference").resolve("metrics.jsonl"));
        assertEquals(30, expected.size());
        assertEquals(expected, TinyTraining.losses(dir.resolve("actors").resolve("metrics.jsonl")));
        assertEquals(validations(dir.resolve("reference"), "valid_loss"), validations(dir.resolve("actors"),
                "valid_loss"));
        List<Object> nlls = validations(dir.resolve("reference"), "valid_nll");
        assertEquals(2, nlls.size());
        assertEquals(nlls, validations(dir.resolve("actors"), "valid_nll"));
        assertEquals("valid_nll", RunDirectory.open(dir.resolve("actors")).checkpoints(2).best().orElseThrow()
                .score().metric());
        assertEquals(reference.steps(), actors.steps());
        assertEquals(0, actors.skippedSteps());
        assertEquals(reference.bestValidLoss(), actors.bestValidLoss());
    }

    private static List<Object> validations(Path run, String key) {
        return MetricsLog.read(run.resolve("metrics.jsonl")).stream().filter(m -> m.containsKey(key))
                .map(m -> m.get(key)).toList();
    }
}
