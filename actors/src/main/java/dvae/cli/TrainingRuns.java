package dvae.cli;

import com.typesafe.config.ConfigFactory;
import dvae.math.BadInputException;
import dvae.math.data.Dataset;
import dvae.math.data.Images;
import dvae.math.io.FileTrees;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelCheckpoint;
import dvae.math.model.ModelConfig;
import dvae.math.run.Checkpoint;
import dvae.math.run.RunDirectory;
import dvae.math.tensor.Matrix;
import dvae.math.train.TrainConfig;
import dvae.math.train.Trainer;
import dvae.math.util.ProgressListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** What the table experiments share: a run's settings, training with the reference trainer, test images, seed stats. */
final class TrainingRuns {
    private TrainingRuns() {
    }

    /**
     * A trained model, the step it is from (the last, or the best checkpoint's when validations pick one), and the
     * mean wall time per training step.
     */
    record Trained(DvaeModel model, long step, ModelConfig config, TrainConfig training, double msPerIteration) {
    }

    /** The overrides that make a run the paper's DVAE## (RBM posterior, PWL, ELBO) with n latents. */
    static Map<String, Object> dvaeSharpSharpElbo(int latents) {
        return Map.of("dvae.model.latents", latents, "dvae.model.posterior", "rbm", "dvae.model.levels", 1,
                "dvae.model.relaxation", "pwl", "dvae.objective.kind", "elbo", "dvae.objective.samples", 1);
    }

    /**
     * The DVAE## an experiment analyses after training it: its settings' {@code latents}, {@code log-every} and the
     * budget's {@code iterations}, seed {@code dvae.seed}, with the reference trainer, in {@code kept}'s run directory
     * "dvae" (so a stop checkpoints it and a resumed experiment continues it, or finds it trained).
     */
    static Trained trainDvaeSharpSharp(Experiment e, Budget budget, Settings s, Dataset data,
                                       ProgressListener progress, ExperimentProgress kept) {
        long iterations = s.longAtLeast(e.key("iterations." + budget.id()), 1);
        Map<String, Object> model = dvaeSharpSharpElbo(s.intAtLeast(e.key("latents"), 2));
        return train(runSettings(s, model, iterations, s.longAtLeast(e.key("log-every"), 1),
                s.longAtLeast("dvae.seed", 0), 0), data, new RunProgress(progress, 0, iterations, "training DVAE##"),
                kept.runDirectory("dvae"), kept::stopRequested);
    }

    /**
     * The settings of one run: {@code overrides} (dvae.* keys) over the user's, with the experiment's iteration count,
     * timing windows of {@code logEvery} steps and the given seed. With {@code validEvery} 0, one validation at the end
     * by the training bound (the experiment evaluates the last model); else the authors' model selection, a validation
     * NLL every {@code validEvery} steps ({@link #train} then returns the best checkpoint's model).
     */
    static Settings runSettings(Settings s, Map<String, Object> overrides, long iterations, long logEvery, long seed,
                                long validEvery) {
        Map<String, Object> all = new LinkedHashMap<>(overrides);
        all.put("dvae.train.iterations", iterations);
        all.put("dvae.train.eval-every", validEvery == 0 ? iterations : validEvery);
        all.put("dvae.train.select-by", validEvery == 0 ? "loss" : "nll");
        if (validEvery == 0) {
            // That one validation picks nothing (the last model is evaluated): its bound's prior log Z needs no
            // larger AIS than the quick budget's evaluation runs, rather than the paper's 10,000 x 1,024.
            all.put("dvae.train.valid-nll.prior-temps", s.intAtLeast("dvae.experiment.grid.prior-temps.quick", 2));
            all.put("dvae.train.valid-nll.prior-chains", s.intAtLeast("dvae.experiment.grid.prior-chains.quick", 1));
        }
        all.put("dvae.train.log-every", Math.min(logEvery, iterations));
        all.put("dvae.seed", seed);
        return new Settings(ConfigFactory.parseMap(all).withFallback(s.config()));
    }

    /**
     * How one run of an experiment shows on its progress line: its steps count from {@code done} of the experiment's
     * {@code total}; steps a resumed run trained before, and a run kept whole, are shown but left out of the rate.
     */
    record RunProgress(ProgressListener progress, long done, long total, String note) {
        void trained(long step) {
            progress.update(done + step, total, note);
        }

        void continuedFrom(long step) {
            progress.skipped(done + step, total, note + " (continued)");
        }

        void finishedBefore(long steps) {
            progress.skipped(done + steps, total, note + ProgressListener.FINISHED_BEFORE);
        }
    }

    /** A stop was asked for while a run trained: it has written a checkpoint in its run directory. */
    static final class Stopped extends RuntimeException {
        Stopped(long steps, long iterations, Path checkpointIn) {
            super("stopped at step " + steps + " of " + iterations + ", checkpoint written in " + checkpointIn);
        }
    }

    /**
     * Trains with the reference trainer. In {@code keepIn} (when not null) a run continues from the checkpoint a stop
     * left there (shown as {@link RunProgress#continuedFrom}), and {@code stop} turning true makes it write one and
     * throw {@link Stopped}; else it trains in a scratch folder, deleted afterwards. The time per iteration is the mean
     * over the logged windows trained here, which hold training steps only (the one validation comes after the last).
     */
    static Trained train(Settings run, Dataset data, RunProgress shown, Path keepIn, BooleanSupplier stop) {
        ModelConfig config = TrainingSettings.model(run, data.name());
        TrainConfig training = TrainingSettings.training(run);
        double checkpointMinutes = keepIn == null ? 0 : TrainingSettings.checkpointMinutes(run);
        Path scratch = keepIn == null ? scratch() : null;
        try {
            RunDirectory dir = keepIn == null ? null : stoppedRun(keepIn);
            Trainer trainer = dir != null ? Trainer.resume(dir, data) : new Trainer(config, training, data);
            if (dir != null) {
                shown.continuedFrom(trainer.step());
            }
            if (dir == null) {
                dir = RunDirectory.create(keepIn != null ? keepIn : scratch.resolve("run"),
                        config.label() + " seed " + training.seed());
            }
            List<Double> ms = new ArrayList<>();
            Trainer.Summary summary = trainer.run(dir, new Trainer.Listener() {
                @Override
                public void onLog(Map<String, Object> metrics) {
                    ms.add(1000 / ((Number) metrics.get("steps_per_s")).doubleValue());
                    shown.trained(((Number) metrics.get("step")).longValue());
                }

                @Override
                public boolean stopRequested() {
                    return stop.getAsBoolean();
                }

                @Override
                public double checkpointMinutes() {
                    return checkpointMinutes;
                }
            });
            if (summary.steps() < training.iterations()) {
                throw new Stopped(summary.steps(), training.iterations(), keepIn);
            }
            double msPerIteration = ms.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            if (training.selectsByNll()) {
                Checkpoint best = dir.checkpoints(training.keepCheckpoints()).best().orElseThrow(
                        () -> new IllegalStateException("no validation scored a checkpoint in " + keepIn));
                return new Trained(ModelCheckpoint.load(best.dir()).model(), best.step(), config, training,
                        msPerIteration);
            }
            return new Trained(trainer.model(), summary.steps(), config, training, msPerIteration);
        } finally {
            if (scratch != null) {
                FileTrees.deleteQuietly(scratch);
            }
        }
    }

    /** The run a stop left in {@code dir}, or null (and nothing left there) when it has no checkpoint. */
    private static RunDirectory stoppedRun(Path dir) {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try {
            return RunDirectory.open(dir);
        } catch (BadInputException noCheckpoint) {
            try {
                FileTrees.delete(dir); // begun, but stopped before its first checkpoint
            } catch (IOException e) {
                throw new UncheckedIOException("deleting " + dir + ": " + e.getMessage(), e);
            }
            return null;
        }
    }

    /** The first {@code limit} test images (0: all). */
    static Matrix testImages(Dataset data, int limit) {
        int rows = limit == 0 ? data.test().rows() : Math.min(limit, data.test().rows());
        Matrix x = new Matrix(rows, Images.PIXELS);
        data.test().fillRange(0, rows, x.data);
        return x;
    }

    static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    /** The sample standard deviation over seeds (NaN for one seed). */
    static double sd(double[] v) {
        double m = mean(v);
        double ss = 0;
        for (double x : v) {
            ss += (x - m) * (x - m);
        }
        return v.length < 2 ? Double.NaN : Math.sqrt(ss / (v.length - 1));
    }

    /** mean±sd over seeds, or the mean alone for one seed. */
    static String cell(double[] v) {
        double sd = sd(v);
        return Double.isNaN(sd) ? String.format(Locale.ROOT, "%.2f", mean(v))
                : String.format(Locale.ROOT, "%.2f±%.2f", mean(v), sd);
    }

    private static Path scratch() {
        try {
            return Files.createTempDirectory("dvae-experiment-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
