package dvae.cli;

import dvae.math.data.Dataset;
import dvae.math.data.Images;
import dvae.math.eval.ExactEvaluation;
import dvae.math.mcmc.TruePosteriorTrainer;
import dvae.math.model.DvaeModel;
import dvae.math.random.RandomStream;
import dvae.math.tensor.Matrix;
import dvae.math.util.ProgressListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;

/**
 * {@code dvae experiment table7}: the paper's App. E. DVAE## and the MCMC baseline ({@link TruePosteriorTrainer}) are
 * trained with the same settings, seeds and prior sampler on a 16-bit prior, both evaluated exactly by enumerating
 * every latent state, and timed per iteration in the same run.
 */
final class Table7Experiment implements DatasetExperiment {
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
        /** As kept by an experiment's progress (JSON). */
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seed", seed);
            m.put("train_nll", trainNll);
            m.put("test_nll", testNll);
            m.put("ms_per_iteration", msPerIteration);
            return m;
        }

        static Run of(Map<String, Object> kept) {
            return new Run(((Number) kept.get("seed")).longValue(), Json.number(kept.get("train_nll")),
                    Json.number(kept.get("test_nll")), Json.number(kept.get("ms_per_iteration")));
        }
    }

    /** The settings both methods share, read for one budget. */
    record Protocol(int latents, long iterations, int mcmcSweeps, int evalExamples, long logEvery) {
    }

    Protocol protocol(Budget budget, Settings s) {
        return new Protocol(s.intAtLeast(key("latents"), 2), s.longAtLeast(key("iterations." + budget.id()), 1),
                s.intAtLeast(key("mcmc-sweeps"), 1), s.intAtLeast(key("eval-examples." + budget.id()), 0),
                s.longAtLeast(key("log-every"), 1));
    }

    /**
     * Per seed, DVAE## and then the MCMC baseline, each kept in {@code kept} once evaluated ({@code seed-S-dvae},
     * {@code seed-S-mcmc}) and trained in its run directory there, so that a stop checkpoints the run under way and a
     * resumed experiment continues it.
     */
    @Override
    public Report run(Budget budget, int seeds, Settings s, Dataset data, ProgressListener progress,
                      ExperimentProgress kept) {
        Protocol p = protocol(budget, s);
        Matrix trainImages = trainImages(data, p.evalExamples());
        Matrix testImages = TrainingRuns.testImages(data, p.evalExamples());
        List<Run> dvae = new ArrayList<>();
        List<Run> mcmc = new ArrayList<>();
        long total = 2L * seeds * p.iterations();
        Map<String, Object> model = TrainingRuns.dvaeSharpSharpElbo(p.latents());
        for (int i = 0; i < seeds; i++) {
            long seed = s.longAtLeast("dvae.seed", 0) + i;
            Settings run = TrainingRuns.runSettings(s, model, p.iterations(), p.logEvery(), seed, 0);
            long done = 2L * i * p.iterations();
            String dvaeKey = "seed-" + seed + "-dvae";
            TrainingRuns.RunProgress dvaeShown = new TrainingRuns.RunProgress(progress, done, total,
                    "DVAE## seed " + seed);
            dvae.add(kept(kept, dvaeKey, () -> dvaeShown.finishedBefore(p.iterations()),
                    () -> {
                        TrainingRuns.Trained trained = TrainingRuns.train(run, data, dvaeShown,
                                kept.runDirectory(dvaeKey), kept::stopRequested);
                        return evaluated(seed, trained.model(), trainImages, testImages, trained.msPerIteration());
                    }));
            String mcmcKey = "seed-" + seed + "-mcmc";
            TrainingRuns.RunProgress mcmcShown = new TrainingRuns.RunProgress(progress, done + p.iterations(), total,
                    "MCMC seed " + seed);
            mcmc.add(kept(kept, mcmcKey, () -> mcmcShown.finishedBefore(p.iterations()),
                    () -> {
                        TruePosteriorTrainer baseline = new TruePosteriorTrainer(
                                TrainingSettings.model(run, data.name()), TrainingSettings.training(run), data,
                                p.mcmcSweeps());
                        Path runDir = kept.runDirectory(mcmcKey);
                        if (runDir != null && baseline.resumeFrom(runDir)) {
                            mcmcShown.continuedFrom(baseline.step());
                        }
                        TruePosteriorTrainer.Summary summary = baseline.run(mcmcShown::trained, kept::stopRequested,
                                runDir, TrainingSettings.checkpointMinutes(run));
                        if (summary.steps() < p.iterations()) {
                            throw new TrainingRuns.Stopped(summary.steps(), p.iterations(), runDir);
                        }
                        return evaluated(seed, baseline.model(), trainImages, testImages, summary.msPerStep());
                    }));
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

    /** The run kept under {@code key} (then {@code onKept} runs), or {@code train}'s, which is then kept. */
    private static Run kept(ExperimentProgress kept, String key, Runnable onKept, Supplier<Run> train) {
        return Run.of(kept.getOrRun(key, r -> true, onKept, () -> train.get().json()));
    }

    private static Run evaluated(long seed, DvaeModel model, Matrix trainImages, Matrix testImages, double ms) {
        return new Run(seed, meanNll(model, trainImages), meanNll(model, testImages), ms);
    }

    private static double meanNll(DvaeModel model, Matrix images) {
        return -Arrays.stream(ExactEvaluation.logLikelihoods(model, images)).average().orElseThrow();
    }

    /** The first {@code limit} training images (0: all), as the trainer draws them. */
    private static Matrix trainImages(Dataset data, int limit) {
        int rows = limit == 0 ? data.trainSize() : Math.min(limit, data.trainSize());
        Matrix x = new Matrix(rows, Images.PIXELS);
        data.fillTrainBatch(IntStream.range(0, rows).toArray(), x.data, new RandomStream(0));
        return x;
    }

    private static double[] values(List<Run> runs, ToDoubleFunction<Run> f) {
        return runs.stream().mapToDouble(f).toArray();
    }

    private static Map<String, Object> aggregate(List<Run> runs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("train_nll", TrainingRuns.mean(values(runs, Run::trainNll)));
        m.put("train_nll_sd", TrainingRuns.sd(values(runs, Run::trainNll)));
        m.put("test_nll", TrainingRuns.mean(values(runs, Run::testNll)));
        m.put("test_nll_sd", TrainingRuns.sd(values(runs, Run::testNll)));
        m.put("ms_per_iteration", TrainingRuns.mean(values(runs, Run::msPerIteration)));
        return m;
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
        md.append("| train NLL | ").append(TrainingRuns.cell(values(dvae, Run::trainNll))).append(" | 105.7±0.3 | ")
                .append(TrainingRuns.cell(values(mcmc, Run::trainNll))).append(" | 106.7±1.3 |\n");
        md.append("| test NLL | ").append(TrainingRuns.cell(values(dvae, Run::testNll))).append(" | 110.9±0.3 | ")
                .append(TrainingRuns.cell(values(mcmc, Run::testNll))).append(" | 113.4±1.5 |\n");
        md.append(String.format(Locale.ROOT, "| ms/iteration | %.1f | 22 | %.1f | 103 |%n",
                TrainingRuns.mean(values(dvae, Run::msPerIteration)),
                TrainingRuns.mean(values(mcmc, Run::msPerIteration))));
        return md.toString();
    }
}
