package dvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.data.Dataset;
import dvae.math.data.SyntheticData;
import dvae.math.model.ModelConfig;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.model.ModelConfig.RelaxationKind;
import dvae.math.nn.BatchNorm;
import dvae.math.run.RunDirectory;
import dvae.math.run.RunLock;
import dvae.math.train.TrainConfig;
import dvae.math.train.Trainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dvae status} on a finished, a stopped and a held run, read from their files alone. */
class StatusCommandTest {
    private static final Dataset DATA = SyntheticData.noisyPrototypes(100, 3);
    private static final ModelConfig MODEL = new ModelConfig(8, PosteriorKind.RBM, 1, RelaxationKind.PWL, 4, true, 10,
            30, ObjectiveKind.ELBO, 1, 2, 1, 1.5, true, new int[] {16}, new int[] {16}, BatchNorm.Config.DEFAULT, 784);
    private static final TrainConfig TRAINING = new TrainConfig(20, 20, 3e-3, 1e-4, 0.9, 0.999, 1e-3, 0.3, 0.5, 0.05,
            "pcd", 20, 2, 10, 0, new TrainConfig.ValidNll(10, 20, 30, 16, 10), 5, 2, 3, 5, TrainConfig.SelectBy.LOSS);

    @TempDir
    Path tmp;

    /** Trains the tiny run in {@code dir}, stopped after {@code stopAt} steps (0: to the end). */
    private static Path train(Path dir, int stopAt) {
        new Trainer(MODEL, TRAINING, DATA).run(RunDirectory.create(dir, "dvae {}\n"), new Trainer.Listener() {
            private int asked;

            @Override
            public boolean stopRequested() {
                return ++asked == stopAt;
            }
        });
        return dir;
    }

    @Test
    void aFinishedRunPointsToItsEvaluation() {
        Path dir = train(tmp.resolve("done"), 0);
        Map<String, Object> s = StatusCommand.status(dir);
        assertEquals("finished", s.get("state"));
        assertEquals(20L, ((Number) s.get("last_logged_step")).longValue());
        assertEquals(20L, ((Number) ((Map<?, ?>) s.get("latest_checkpoint")).get("step")).longValue());
        assertTrue(((Map<?, ?>) s.get("best_checkpoint")).containsKey("valid_loss"), s.toString());
        assertEquals(List.of(10L, 20L), ((List<?>) s.get("validations")).stream()
                .map(v -> ((Number) ((Map<?, ?>) v).get("step")).longValue()).toList());
        assertEquals("run/dvae eval --run " + dir + " --checkpoint best", s.get("next"));

        CliRun shown = CliRun.run("status", "--run", dir.toString());
        assertEquals(0, shown.exit(), shown.err());
        assertTrue(shown.out().contains("step 20 of 20 (100.0%)") && shown.out().contains("finished")
                && shown.out().contains("next: run/dvae eval --run " + dir), shown.out());
    }

    @Test
    void aStoppedRunPointsToItsResumeAndAHeldOneToItsProcess() {
        Path dir = train(tmp.resolve("stopped"), 13);
        Map<String, Object> s = StatusCommand.status(dir);
        assertEquals("stopped", s.get("state"));
        assertEquals(13L, ((Number) ((Map<?, ?>) s.get("latest_checkpoint")).get("step")).longValue());
        assertEquals("run/dvae train --resume " + dir, s.get("next"));

        try (RunLock held = RunLock.acquire(dir)) {
            Map<String, Object> training = StatusCommand.status(dir);
            assertEquals("training", training.get("state"));
            assertEquals("pid " + ProcessHandle.current().pid(), training.get("held_by"));
            // Logged to step 10 of 20, validations every 10: the one at step 20 is left, and counts in the ETA.
            assertEquals(10L, ((Number) training.get("last_logged_step")).longValue());
            assertEquals(1L, ((Number) training.get("validations_left")).longValue());
            assertTrue(((Number) training.get("eta_seconds")).longValue() >= 0, training.toString());
            assertTrue(StatusCommand.text(training).contains("(with 1 validation)"), StatusCommand.text(training));
        }
    }

    @Test
    void aFolderThatIsNoRunIsAOneLineError() {
        EvalCommandTest.assertOneLineBadInput(CliRun.run("status", "--run", tmp.resolve("nothing").toString()),
                "no such run directory");
    }
}
