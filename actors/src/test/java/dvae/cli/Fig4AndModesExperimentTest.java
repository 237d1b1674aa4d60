package dvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dvae.math.data.SyntheticData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fig4} and {@code modes} at tiny budgets on synthetic data. */
class Fig4AndModesExperimentTest {
    private static Settings settings(String experiment, List<String> sets) {
        List<String> all = new java.util.ArrayList<>(sets);
        all.addAll(List.of("dvae.experiment." + experiment + ".iterations.quick=10",
                "dvae.experiment." + experiment + ".latents=8", "dvae.experiment." + experiment + ".log-every=5",
                "dvae.model.encoder-hidden=[16]", "dvae.model.decoder-hidden=[16]", "dvae.prior-sampler.method=pcd",
                "dvae.prior-sampler.particles=20", "dvae.prior-sampler.sweeps=2", "dvae.train.batch-size=10"));
        // synthetic data has no PWL sharpness of its own in the settings; MNIST's is used
        return new Settings(ConfigFactory.parseMap(Map.of("dvae.model.pwl-beta.synthetic", 4))
                .withFallback(SettingsLoader.load(null, all)));
    }

    /** More temperatures bring AIS closer to the reference: the error at the most is below that at the fewest. */
    @Test
    void fig4ErrorShrinksWithTemperatures() {
        // 256 posterior chains: its AIS weighs both sides' states (the evaluation's default), which spread more.
        Experiment.Report report = new Fig4Experiment().run(Budget.QUICK, 1, settings("fig4", List.of(
                "dvae.experiment.fig4.temps.quick=[2, 1000]", "dvae.experiment.fig4.reference-temps.quick=4000",
                "dvae.experiment.fig4.repeats.quick=3", "dvae.experiment.fig4.prior-chains.quick=64",
                "dvae.experiment.fig4.posterior-chains.quick=256")), SyntheticData.noisyPrototypes(50, 3),
                (done, total, note) -> { }, ExperimentProgress.NONE);
        @SuppressWarnings("unchecked")
        List<Fig4Experiment.Series> series = (List<Fig4Experiment.Series>) report.summary().get("series");
        assertEquals(List.of("posterior of test image 0 (joint weights)",
                "posterior of test image 0 (marginal weights)", "prior (marginal weights)"),
                series.stream().map(Fig4Experiment.Series::name).toList());
        for (Fig4Experiment.Series s : series) {
            assertEquals(2, s.points().size());
            assertTrue(s.points().get(1).error() < s.points().get(0).error() + 1e-9, s.toString());
            assertTrue(s.points().get(1).sd() < 0.05, s.toString());
        }
        assertEquals("fig4.png", report.figures().get(0).fileName());
        assertTrue(report.table().contains("| temperatures |"));
    }

    @Test
    void modesCountsEveryPosteriorAndThePrior(@TempDir Path tmp) {
        Settings tiny = settings("modes", List.of(
                "dvae.experiment.modes.examples.quick=3", "dvae.experiment.modes.samples.quick=200",
                "dvae.experiment.modes.posterior-temps.quick=20", "dvae.experiment.modes.prior-temps.quick=50",
                "dvae.experiment.modes.prior-chains.quick=200"));
        Experiment.Report report = new ModesExperiment().run(Budget.QUICK, 1, tiny,
                SyntheticData.noisyPrototypes(50, 4), (done, total, note) -> { }, ExperimentProgress.NONE);
        Map<String, Object> s = report.summary();
        assertEquals(3, s.get("posteriors"));
        int[] modes = (int[]) s.get("posterior_modes");
        assertEquals(3, modes.length);
        for (int m : modes) {
            assertTrue(m >= 1, "every posterior has a mode");
        }
        double one = (Double) s.get("fraction_with_one_mode");
        assertTrue(one >= 0 && one <= 1);
        assertTrue((Integer) s.get("prior_modes") >= 1);
        assertTrue(report.table().contains("| modes of the prior |"));

        // Stopped (Ctrl-C) at step 4 of its DVAE##'s 10, the experiment resumes that run from its checkpoint and
        // reaches the same modes as the run never stopped.
        int[] asked = {0};
        assertThrows(TrainingRuns.Stopped.class, () -> new ModesExperiment().run(Budget.QUICK, 1, tiny,
                SyntheticData.noisyPrototypes(50, 4), (done, total, note) -> { },
                ExperimentProgress.in(tmp, () -> ++asked[0] == 4)));
        assertTrue(Files.isDirectory(tmp.resolve("runs").resolve("dvae").resolve("checkpoints")));
        Experiment.Report resumed = new ModesExperiment().run(Budget.QUICK, 1, tiny,
                SyntheticData.noisyPrototypes(50, 4), (done, total, note) -> { }, ExperimentProgress.in(tmp, () -> false));
        assertEquals(Json.write(s), Json.write(resumed.summary()));
    }
}
