package dvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dvae.math.data.SyntheticData;
import dvae.math.util.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code table7} at a tiny budget on synthetic data: both methods trained, evaluated exactly and timed. */
class Table7ExperimentTest {
    private static Settings tiny() {
        // synthetic data has no PWL sharpness of its own in the settings; MNIST's is used
        return new Settings(ConfigFactory.parseMap(Map.of("dvae.model.pwl-beta.synthetic", 4)).withFallback(
                SettingsLoader.load(null, List.of("dvae.experiment.table7.iterations.quick=20",
                "dvae.experiment.table7.latents=6", "dvae.experiment.table7.mcmc-sweeps=2",
                "dvae.experiment.table7.eval-examples.quick=30", "dvae.experiment.table7.log-every=5",
                "dvae.model.encoder-hidden=[16]",
                "dvae.model.decoder-hidden=[16]", "dvae.prior-sampler.method=pcd", "dvae.prior-sampler.particles=20",
                "dvae.prior-sampler.sweeps=2", "dvae.train.batch-size=10"))));
    }

    @Test
    @SuppressWarnings("unchecked")
    void bothMethodsAreEvaluatedExactlyAndTimedInTheSameRun() {
        Experiment.Report report = new Table7Experiment().run(Budget.QUICK, 2, tiny(),
                SyntheticData.noisyPrototypes(100, 1), (done, total, note) -> { }, ExperimentProgress.NONE);
        Map<String, Object> s = report.summary();
        assertEquals("table7", s.get("experiment"));
        assertEquals(Map.of("train", 30, "test", 30), s.get("eval_examples"));
        for (String method : List.of("dvae##", "mcmc")) {
            Map<String, Object> m = (Map<String, Object>) s.get(method);
            for (String key : List.of("train_nll", "test_nll", "ms_per_iteration", "train_nll_sd")) {
                double v = (Double) m.get(key);
                assertTrue(Double.isFinite(v) && v > 0, method + " " + key + " = " + v);
            }
            // an exact NLL of 784 pixels cannot beat the data's own noise floor nor be worse than coin flips
            assertTrue((Double) m.get("test_nll") < 784 * Math.log(2), method);
        }
        Map<String, List<Table7Experiment.Run>> runs = (Map<String, List<Table7Experiment.Run>>) report.details()
                .get("runs");
        assertEquals(List.of(1L, 2L), runs.get("mcmc").stream().map(Table7Experiment.Run::seed).toList());
        assertTrue(report.table().contains("| test NLL |") && report.table().contains("113.4±1.5"));
        assertTrue(report.table().contains("20 iterations per method, 2 seed(s)"), report.table());
    }

    /**
     * Stopped (Ctrl-C) in DVAE##'s training and again in the MCMC baseline's, each run checkpoints in its run
     * directory, and the resumed experiment ends with the NLLs of the experiment never stopped.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aStoppedTableResumesToTheSameFigures(@TempDir Path tmp) {
        Table7Experiment table7 = new Table7Experiment();
        var data = SyntheticData.noisyPrototypes(100, 1);
        Experiment.Report whole = table7.run(Budget.QUICK, 1, tiny(), data, (done, total, note) -> { },
                ExperimentProgress.NONE);

        Path kept = tmp.resolve("progress");
        int[] asked = {0};
        TrainingRuns.Stopped inDvae = assertThrows(TrainingRuns.Stopped.class, () -> table7.run(Budget.QUICK, 1,
                tiny(), data, (done, total, note) -> { }, ExperimentProgress.in(kept, () -> ++asked[0] == 5)));
        assertTrue(inDvae.getMessage().startsWith("stopped at step 5 of 20"), inDvae.getMessage());
        assertTrue(Files.isDirectory(kept.resolve("runs").resolve("seed-1-dvae")));

        asked[0] = 0; // DVAE##'s remaining 15 steps ask, then the baseline after each of its steps but the last
        SkippedProgress second = new SkippedProgress();
        TrainingRuns.Stopped inMcmc = assertThrows(TrainingRuns.Stopped.class, () -> table7.run(Budget.QUICK, 1,
                tiny(), data, second, ExperimentProgress.in(kept, () -> ++asked[0] == 15 + 7)));
        // The steps trained before the stop are shown, not counted in the rate.
        assertEquals(List.of("5/40 DVAE## seed 1 (continued)"), second.skipped);
        assertTrue(inMcmc.getMessage().startsWith("stopped at step 7 of 20"), inMcmc.getMessage());
        assertTrue(Files.isRegularFile(kept.resolve("seed-1-dvae.json")));
        assertTrue(!Files.exists(kept.resolve("runs").resolve("seed-1-dvae")), "a finished run's directory goes");
        assertTrue(Files.isDirectory(kept.resolve("runs").resolve("seed-1-mcmc")));

        SkippedProgress third = new SkippedProgress();
        Experiment.Report resumed = table7.run(Budget.QUICK, 1, tiny(), data, third,
                ExperimentProgress.in(kept, () -> false));
        assertEquals(List.of("20/40 DVAE## seed 1" + ProgressListener.FINISHED_BEFORE, "27/40 MCMC seed 1 (continued)"),
                third.skipped);
        for (String method : List.of("dvae##", "mcmc")) {
            Map<String, Object> a = (Map<String, Object>) whole.summary().get(method);
            Map<String, Object> b = (Map<String, Object>) resumed.summary().get(method);
            assertEquals(a.get("train_nll"), b.get("train_nll"), method);
            assertEquals(a.get("test_nll"), b.get("test_nll"), method);
        }
        assertTrue(Files.isRegularFile(kept.resolve("seed-1-mcmc.json")));
    }

    /** Records what is reported as done before, ignoring the rest. */
    private static final class SkippedProgress implements ProgressListener {
        final List<String> skipped = new ArrayList<>();

        @Override
        public void update(long done, long total, String note) {
        }

        @Override
        public void skipped(long done, long total, String note) {
            skipped.add(done + "/" + total + " " + note);
        }
    }
}
