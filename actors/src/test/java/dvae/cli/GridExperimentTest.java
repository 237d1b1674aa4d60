package dvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dvae.math.data.Dataset;
import dvae.math.data.SyntheticData;
import dvae.math.model.ModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The grid of runs behind tables 1, 2, 3, 5 and 6. */
class GridExperimentTest {
    @TempDir
    Path tmp;

    private static Settings settings(List<String> sets) {
        // synthetic data has no PWL sharpness of its own in the settings; MNIST's is used
        return new Settings(ConfigFactory.parseMap(Map.of("dvae.model.pwl-beta.synthetic", 4))
                .withFallback(SettingsLoader.load(null, sets)));
    }

    /** Every cell of every table makes a valid model of the kind it names, and no two cells share a place. */
    @Test
    void everyTableCellIsAValidDistinctModel() {
        Map<String, Integer> sizes = Map.of("table1", 20, "table2", 24, "table3", 12, "table5", 36, "table6", 9);
        for (Experiment e : PaperTables.all()) {
            List<GridExperiment.Cell> cells = ((GridExperiment) e).cells();
            assertEquals(sizes.get(e.name()), cells.size(), e.name());
            assertEquals(cells.size(), cells.stream().map(c -> c.row() + "|" + c.column()).distinct().count());
            for (GridExperiment.Cell c : cells) {
                ModelConfig m = TrainingSettings.model(TrainingRuns.runSettings(settings(List.of()), c.settings(), 10,
                        5, 1, 0), "mnist");
                assertEquals(c.row().contains("DVAE##") || c.column().contains("DVAE##") || e.name().equals("table6"),
                        m.posterior() == ModelConfig.PosteriorKind.RBM, e.name() + " " + c);
                assertTrue(c.paper().matches("\\d+\\.\\d+(±\\.\\d+)?"), c.paper());
            }
        }
    }

    @Test
    void aTinyGridTrainsEvaluatesAndTabulatesEveryCell() throws Exception {
        Map<String, Object> small = Map.of("dvae.model.latents", 8, "dvae.model.encoder-hidden", List.of(16),
                "dvae.model.decoder-hidden", List.of(16));
        List<GridExperiment.Cell> cells = List.of(
                new GridExperiment.Cell("PWL L=2", "ELBO", with(small, "dvae.model.posterior", "directed",
                        "dvae.model.levels", 2, "dvae.objective.kind", "elbo", "dvae.objective.samples", 1), "1.0"),
                new GridExperiment.Cell("DVAE##", "ELBO", with(small, "dvae.model.posterior", "rbm",
                        "dvae.model.levels", 1, "dvae.objective.kind", "elbo", "dvae.objective.samples", 1), "2.0"),
                new GridExperiment.Cell("DVAE##", "IW K=3", with(small, "dvae.model.posterior", "rbm",
                        "dvae.model.levels", 1, "dvae.objective.kind", "iw", "dvae.objective.samples", 3), "3.0"));
        Settings s = settings(List.of("dvae.experiment.grid.iterations.quick=10", "dvae.experiment.grid.log-every=5",
                "dvae.experiment.grid.eval-examples.quick=4", "dvae.experiment.grid.eval-samples.quick=20",
                "dvae.experiment.grid.prior-temps.quick=20", "dvae.experiment.grid.prior-chains.quick=16",
                "dvae.experiment.grid.posterior-temps.quick=10", "dvae.prior-sampler.method=pcd",
                "dvae.prior-sampler.particles=20", "dvae.prior-sampler.sweeps=2", "dvae.train.batch-size=10"));
        Dataset synthetic = SyntheticData.noisyPrototypes(50, 2);
        Dataset asMnist = new Dataset("mnist", synthetic.train(), synthetic.valid(), synthetic.test(),
                synthetic.binarization(), synthetic.source(), synthetic.cache());
        Experiment.Report report = new GridExperiment("tiny", "a tiny grid", "test grid", cells).run(Budget.QUICK, 2,
                s, asMnist, (done, total, note) -> { }, ExperimentProgress.NONE);
        assertEquals(4, report.summary().get("test_examples"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> out = (List<Map<String, Object>>) report.summary().get("cells");
        assertEquals(3, out.size());
        for (Map<String, Object> c : out) {
            double nll = (Double) c.get("nll");
            assertTrue(nll > 0 && nll < 784 * Math.log(2), c.toString());
            assertEquals(2, ((double[]) c.get("nll_per_seed")).length);
            assertTrue(Double.isFinite((Double) c.get("nll_sd")));
            for (double se : (double[]) c.get("nll_standard_error_per_seed")) {
                assertTrue(se > 0 && se < nll, c.toString());
            }
        }
        List<String> lines = report.table().lines().collect(Collectors.toList());
        assertTrue(lines.contains("| | ELBO | IW K=3 |"), report.table());
        // a cell the grid does not have stays empty
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("| PWL L=2 |") && l.endsWith("(1.0) | |")),
                report.table());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("| DVAE## |") && l.contains("(2.0)")
                && l.contains("(3.0)")), report.table());

        // Kept as they finish, the runs are read back instead of run again: a kept figure changed by hand shows up,
        // a deleted one is run again and comes out the same (the runs are seeded).
        Path kept = tmp.resolve("progress");
        GridExperiment grid = new GridExperiment("tiny", "a tiny grid", "test grid", cells.subList(0, 2));
        Experiment.Report first = grid.run(Budget.QUICK, 1, s, asMnist, (done, total, note) -> { },
                ExperimentProgress.in(kept, () -> false));
        assertEquals(List.of("cell-00-seed-1.json", "cell-01-seed-1.json"), fileNames(kept));
        ExperimentProgress runs = ExperimentProgress.in(kept, () -> false);
        Map<String, Object> changed = new java.util.LinkedHashMap<String, Object>(
                runs.get("cell-00-seed-1", Map.class).orElseThrow());
        changed.put("nll", 123.25);
        runs.put("cell-00-seed-1", changed);
        java.nio.file.Files.delete(kept.resolve("cell-01-seed-1.json"));
        List<String> notes = new ArrayList<>();
        Experiment.Report again = grid.run(Budget.QUICK, 1, s, asMnist, (done, total, note) -> notes.add(note),
                ExperimentProgress.in(kept, () -> false));
        assertEquals(List.of(123.25, nlls(first).get(1)), nlls(again));
        assertTrue(notes.contains("PWL L=2 / ELBO seed 1 (finished before)"), notes.toString());
        assertTrue(notes.contains("DVAE## / ELBO seed 1"), notes.toString());

        // A stop (Ctrl-C) in the middle of a run: it checkpoints in its run directory, and the resumed experiment
        // continues that run from there to the same NLL as the run that was never stopped.
        Path stopped = tmp.resolve("stopped");
        int[] asked = {0};
        ExperimentProgress stopAt15 = ExperimentProgress.in(stopped, () -> ++asked[0] == 15); // cell 1's step 5
        TrainingRuns.Stopped stop = org.junit.jupiter.api.Assertions.assertThrows(TrainingRuns.Stopped.class,
                () -> grid.run(Budget.QUICK, 1, s, asMnist, (done, total, note) -> { }, stopAt15));
        assertTrue(stop.getMessage().startsWith("stopped at step 5 of 10, checkpoint written in "), stop.getMessage());
        assertEquals(List.of("cell-00-seed-1.json"), fileNames(stopped));
        assertTrue(java.nio.file.Files.isDirectory(stopped.resolve("runs").resolve("cell-01-seed-1")
                .resolve("checkpoints")));
        Experiment.Report resumed = grid.run(Budget.QUICK, 1, s, asMnist, (done, total, note) -> { },
                ExperimentProgress.in(stopped, () -> false));
        assertEquals(nlls(first), nlls(resumed));
        assertTrue(!java.nio.file.Files.exists(stopped.resolve("runs").resolve("cell-01-seed-1")),
                "a finished run's directory is deleted");

        // one seed: the standard error over the test images; another data set: no paper (MNIST) figures beside ours
        Experiment.Report other = new GridExperiment("tiny", "a tiny grid", "test grid", cells.subList(0, 1))
                .run(Budget.QUICK, 1, s, SyntheticData.noisyPrototypes(50, 2), (done, total, note) -> { },
                        ExperimentProgress.NONE);
        assertTrue(other.table().lines().anyMatch(l -> l.matches("\\| PWL L=2 \\| \\d+\\.\\d\\d±\\d+\\.\\d\\d \\|")),
                other.table());
        assertTrue(other.table().contains("±: standard error over the test images"), other.table());
        assertTrue(other.table().contains("the paper's figures held here are its MNIST ones, so none is shown beside ours on "
                + "synthetic"), other.table());
    }

    @SuppressWarnings("unchecked")
    private static List<Double> nlls(Experiment.Report report) {
        return ((List<Map<String, Object>>) report.summary().get("cells")).stream().map(c -> (Double) c.get("nll"))
                .toList();
    }

    private static List<String> fileNames(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".json")).sorted().toList();
        }
    }

    private static Map<String, Object> with(Map<String, Object> base, Object... keyValues) {
        Map<String, Object> m = new java.util.LinkedHashMap<>(base);
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
