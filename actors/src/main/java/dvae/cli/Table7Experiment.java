package dvae.cli;

import com.typesafe.config.ConfigFactory;
import dvae.math.data.Dataset;
import dvae.math.data.DatasetKind;
import dvae.math.data.Datasets;
import dvae.math.data.Images;
import dvae.math.eval.ExactEvaluation;
import dvae.math.mcmc.TruePosteriorTrainer;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelConfig;
import dvae.math.random.RandomStream;
import dvae.math.run.RunDirectory;
import dvae.math.tensor.Matrix;
import dvae.math.toy.ProgressListener;
import dvae.math.train.TrainConfig;
import dvae.math.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * {@code dvae experiment table7}: the paper's App. E. DVAE## and the MCMC baseline ({@link TruePosteriorTrainer}) are
 * trained with the same settings, seeds and prior sampler on a 16-bit prior, both evaluated exactly by enumerating
 * every latent state, and timed per iteration in the same run.
 */
final class Table7Experiment implements Experiment {
    @Override
    public String name() {
        return "table7";
    }

    @Override
    public String description() {
        return "App. E, Table 7: DVAE## vs MCMC on the true posterior, 16 latent bits, exact NLL and ms/iteration";
    }

    /** One trained model's figures. */
    record Run(long seed, double trainNll, double testNll, double msPerIteration) {
    }

    /** The per-iteration settings both methods share, read for one budget. */
    record Protocol(int latents, long iterations, int mcmcSweeps, int evalExamples, long logEvery) {
    }

    Protocol protocol(Budget budget, Settings s) {
        return new Protocol(s.intAtLeast(key("latents"), 2), s.longAtLeast(key("iterations." + budget.id()), 1),
                s.intAtLeast(key("mcmc-sweeps"), 1), s.intAtLeast(key("eval-examples." + budget.id()), 0),
                s.longAtLeast(key("log-every"), 1));
    }

    @Override
    public Report run(Budget budget, int seeds, Settings s, ProgressListener progress) {
        Dataset data = Datasets.load(DatasetKind.parse(s.string("dvae.data.dataset")), DataCommand.dataOptions(s, null));
        return run(budget, seeds, s, data, progress);
    }

    Report run(Budget budget, int seeds, Settings s, Dataset data, ProgressListener progress) {
        Protocol p = protocol(budget, s);
        Matrix trainImages = images(data, true, p.evalExamples());
        Matrix testImages = images(data, false, p.evalExamples());
        List<Run> dvae = new ArrayList<>();
        List<Run> mcmc = new ArrayList<>();
        long total = 2L * seeds * p.iterations();
        for (int i = 0; i < seeds; i++) {
            Settings run = runSettings(s, p, s.longAtLeast("dvae.seed", 0) + i);
            ModelConfig model = TrainingSettings.model(run, data.name());
            TrainConfig training = TrainingSettings.training(run);
            long done = 2L * i * p.iterations();
            dvae.add(trainDvae(model, training, data, trainImages, testImages,
                    step -> progress.update(done + step, total, "DVAE## seed " + training.seed())));
            TruePosteriorTrainer baseline = new TruePosteriorTrainer(model, training, data, p.mcmcSweeps());
            TruePosteriorTrainer.Summary summary = baseline.run(
                    step -> progress.update(done + p.iterations() + step, total, "MCMC seed " + training.seed()));
            mcmc.add(evaluated(training.seed(), baseline.model(), trainImages, testImages, summary.msPerStep()));
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("experiment", name());
        summary.put("budget", budget.id());
        summary.put("seeds", seeds);
        summary.put("dataset", data.name());
        summary.put("protocol", p);
        summary.put("eval_examples", Map.of("train", trainImages.rows, "test", testImages.rows));
        summary.put("dvae##", aggregate(dvae));
        summary.put("mcmc", aggregate(mcmc));
        summary.put("paper", Map.of("dvae##", Map.of("train_nll", 105.7, "test_nll", 110.9, "ms_per_iteration", 22),
                "mcmc", Map.of("train_nll", 106.7, "test_nll", 113.4, "ms_per_iteration", 103)));
        return new Report(summary, Map.of("runs", Map.of("dvae##", dvae, "mcmc", mcmc)),
                table(budget, seeds, data, p, trainImages.rows, testImages.rows, dvae, mcmc), List.of());
    }

    /** The experiment's settings as the trainer's: a 16-bit DVAE## (ELBO) with one validation, at the end. */
    private static Settings runSettings(Settings s, Protocol p, long seed) {
        return new Settings(ConfigFactory.parseMap(Map.of("dvae.model.latents", p.latents(),
                "dvae.model.posterior", "rbm", "dvae.model.levels", 1, "dvae.model.relaxation", "pwl",
                "dvae.objective.kind", "elbo", "dvae.objective.samples", 1, "dvae.train.iterations", p.iterations(),
                "dvae.train.eval-every", p.iterations(), "dvae.train.log-every", p.logEvery(), "dvae.seed", seed))
                .withFallback(s.config()));
    }

    /**
     * Trains DVAE## with the reference trainer in a scratch run directory. Its time per iteration is the mean over the
     * logged windows, which hold training steps only (the one validation comes after the last).
     */
    private static Run trainDvae(ModelConfig model, TrainConfig training, Dataset data, Matrix trainImages,
                                 Matrix testImages, LongConsumer onStep) {
        Path dir = scratch();
        try {
            Trainer trainer = new Trainer(model, training, data);
            List<Double> ms = new ArrayList<>();
            trainer.run(RunDirectory.create(dir.resolve("run"), "table7 DVAE## seed " + training.seed()),
                    new Trainer.Listener() {
                        @Override
                        public void onLog(Map<String, Object> metrics) {
                            ms.add(1000 / ((Number) metrics.get("steps_per_s")).doubleValue());
                            onStep.accept(((Number) metrics.get("step")).longValue());
                        }
                    });
            return evaluated(training.seed(), trainer.model(), trainImages, testImages,
                    ms.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
        } finally {
            delete(dir);
        }
    }

    private static Run evaluated(long seed, DvaeModel model, Matrix trainImages, Matrix testImages, double ms) {
        return new Run(seed, meanNll(model, trainImages), meanNll(model, testImages), ms);
    }

    private static double meanNll(DvaeModel model, Matrix images) {
        return -Arrays.stream(ExactEvaluation.logLikelihoods(model, images)).average().orElseThrow();
    }

    /** The first {@code limit} training or test images (0: all); training images as the trainer draws them. */
    private static Matrix images(Dataset data, boolean train, int limit) {
        int available = train ? data.trainSize() : data.test().rows();
        int rows = limit == 0 ? available : Math.min(limit, available);
        Matrix x = new Matrix(rows, Images.PIXELS);
        if (train) {
            data.fillTrainBatch(IntStream.range(0, rows).toArray(), x.data, new RandomStream(0));
        } else {
            data.test().fillRange(0, rows, x.data);
        }
        return x;
    }

    private static Map<String, Object> aggregate(List<Run> runs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("train_nll", mean(runs, Run::trainNll));
        m.put("train_nll_sd", sd(runs, Run::trainNll));
        m.put("test_nll", mean(runs, Run::testNll));
        m.put("test_nll_sd", sd(runs, Run::testNll));
        m.put("ms_per_iteration", mean(runs, Run::msPerIteration));
        return m;
    }

    private static double mean(List<Run> runs, ToDoubleFunction<Run> f) {
        return runs.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    /** The sample standard deviation over seeds (NaN for one seed). */
    private static double sd(List<Run> runs, ToDoubleFunction<Run> f) {
        double m = mean(runs, f);
        double ss = runs.stream().mapToDouble(f).map(v -> (v - m) * (v - m)).sum();
        return runs.size() < 2 ? Double.NaN : Math.sqrt(ss / (runs.size() - 1));
    }

    private static String cell(List<Run> runs, ToDoubleFunction<Run> f) {
        double sd = sd(runs, f);
        return Double.isNaN(sd) ? String.format(Locale.ROOT, "%.2f", mean(runs, f))
                : String.format(Locale.ROOT, "%.2f±%.2f", mean(runs, f), sd);
    }

    private static String table(Budget budget, int seeds, Dataset data, Protocol p, int trainRows, int testRows,
                                List<Run> dvae, List<Run> mcmc) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "**table7** (paper App. E, Table 7), budget `%s`: %s, %d latent bits "
                        + "(%d+%d RBM prior), %,d iterations per method, %d seed(s) (mean±sd over seeds), the "
                        + "project's DVAE## defaults otherwise. MCMC: persistent bit-by-bit Gibbs chains on p(z|x), "
                        + "one per training example, %d sweeps per update. NLL is exact (all 2^%d states enumerated) "
                        + "on the first %,d training and %,d test images. ms/iteration measured on this machine in "
                        + "the same run; the paper's on a GPU.%n%n",
                budget.id(), data.name(), p.latents(), p.latents() / 2, p.latents() / 2, p.iterations(), seeds,
                p.mcmcSweeps(), p.latents(), trainRows, testRows));
        md.append("| | DVAE## (ours) | DVAE## (paper) | MCMC (ours) | MCMC (paper) |\n|---|---|---|---|---|\n");
        md.append("| train NLL | ").append(cell(dvae, Run::trainNll)).append(" | 105.7±0.3 | ")
                .append(cell(mcmc, Run::trainNll)).append(" | 106.7±1.3 |\n");
        md.append("| test NLL | ").append(cell(dvae, Run::testNll)).append(" | 110.9±0.3 | ")
                .append(cell(mcmc, Run::testNll)).append(" | 113.4±1.5 |\n");
        md.append(String.format(Locale.ROOT, "| ms/iteration | %.1f | 22 | %.1f | 103 |%n",
                mean(dvae, Run::msPerIteration), mean(mcmc, Run::msPerIteration)));
        return md.toString();
    }

    private static Path scratch() {
        try {
            return Files.createTempDirectory("dvae-table7-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
