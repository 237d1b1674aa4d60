package dvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dvae.math.data.SyntheticData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
                SyntheticData.noisyPrototypes(100, 1), (done, total, note) -> { });
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
}
