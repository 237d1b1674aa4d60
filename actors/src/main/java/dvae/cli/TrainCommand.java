package dvae.cli;

import com.typesafe.config.ConfigRenderOptions;
import dvae.actors.TrainingNode;
import dvae.actors.TrainingRoles;
import dvae.cli.plot.LossCurves;
import dvae.math.BadInputException;
import dvae.math.data.Dataset;
import dvae.math.data.DatasetKind;
import dvae.math.data.Datasets;
import dvae.math.eval.Evaluation;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelConfig;
import dvae.math.random.RandomStream;
import dvae.math.run.ImageGrid;
import dvae.math.run.MetricsLog;
import dvae.math.run.RunDirectory;
import dvae.math.run.RunLock;
import dvae.math.tensor.Matrix;
import dvae.math.train.Previews;
import dvae.math.train.ResumePoint;
import dvae.math.train.TrainConfig;
import dvae.math.train.Trainer;
import dvae.math.train.Validation;
import dvae.math.util.Progress;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a model. Defaults are the paper's DVAE## on binarized MNIST (100+100 latents, ELBO, "
                + "s = 10, t = 1, 10^6 steps); settings choose the data set, latent size, posterior, relaxation, "
                + "objective, s, t, T and the prior sampler (see conf/application.conf). Ctrl-C or SIGTERM writes "
                + "a checkpoint at the last step trained and stops; one is also written every "
                + "dvae.train.checkpoint-minutes (15) between validations, so a killed run loses at most that; "
                + "--resume continues from the latest.",
                "Examples:",
                "  dvae train --set dvae.train.iterations=2000 --out runs/quick",
                "  dvae train --set dvae.model.posterior=directed --set dvae.model.levels=2",
                "  dvae train --set dvae.actors.workers=2 --set dvae.actors.samplers=2",
                "  dvae train --resume runs/quick"})
final class TrainCommand implements Callable<Integer> {
    @Mixin
    SettingsOptions settingsOptions;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory to create (default: a new folder under dvae.train.runs-dir).")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run in DIR from its latest checkpoint, with its own settings.")
    Path resume;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data set cache (overrides dvae.data.dir).")
    Path dataDir;

    @Option(names = "--json", description = "Print the run's summary as one JSON object at the end.")
    boolean json;

    enum Engine { actors, reference }

    @Option(names = "--engine", paramLabel = "E",
            description = "actors (default): the actor system as a one-node cluster, dvae.actors.workers workers, "
                    + "dvae.actors.samplers prior samplers, dvae.actors.chain-shards chain keepers; with one worker "
                    + "it reproduces the reference run. reference: the single-process trainer. With --resume, by "
                    + "default the engine that made the run; the other continues it when the shapes of its state "
                    + "meet (an actor run of one worker and one sampler; a reference run with one actor sampler), "
                    + "the same steps with one worker.")
    Engine engine;

    /** The run directory's lock, held from its opening or creation to the command's end. */
    private RunLock lock;

    @Override
    public Integer call() {
        try {
            return train();
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
    }

    private Integer train() {
        if (resume != null && (out != null || !settingsOptions.sets.isEmpty() || settingsOptions.configFile != null)) {
            throw new BadInputException("--resume continues a run with its own settings: drop --out, --set and --config");
        }
        RunDirectory run = resume == null ? null : RunDirectory.open(resume);
        if (run != null) {
            lock = RunLock.acquire(run.root()); // before anything reads the run's state or writes to it
        }
        // A resumed run keeps the settings it was started with (data set, workers, samplers, chain shards).
        Settings settings = run == null ? settingsOptions.load()
                : new Settings(SettingsLoader.load(run.configFile(), List.of()));
        DatasetKind kind = DatasetKind.parse(settings.oneOf("dvae.data.dataset", DatasetKind.ids().toArray(String[]::new)));
        double checkpointMinutes = TrainingSettings.checkpointMinutes(settings);
        Dataset data;
        Trainer trainer = null;
        ResumePoint from = null;
        ModelConfig model;
        TrainConfig training;
        TrainingRoles.Topology topology;
        if (run != null) {
            data = Datasets.load(kind, DataCommand.dataOptions(settings, dataDir));
            from = ResumePoint.of(run, data);
            if (engine == null) {
                // The engine recorded with the checkpoint; an unknown name fails in requireContinuableBy below.
                engine = from.engine().equals(ResumePoint.REFERENCE) ? Engine.reference : Engine.actors;
            }
            topology = actorTopology(settings);
            // The reference trainer takes one sampler whatever the settings say; only an actor run reads them.
            from.requireContinuableBy(engine.name(), topology == null ? 1 : topology.samplers());
            if (!engine.name().equals(from.engine())) {
                System.err.println("continuing a run of the " + from.engine() + " engine with the " + engine
                        + " engine");
            }
            trainer = engine == Engine.reference ? Trainer.resume(run, data) : null;
            model = from.manifest().config();
            training = from.config();
        } else {
            engine = engine == null ? Engine.actors : engine;
            model = TrainingSettings.model(settings, kind.id());
            training = TrainingSettings.training(settings);
            topology = actorTopology(settings); // its settings are checked before anything is written
            run = createRunDirectory(settings, model, out);
            lock = RunLock.acquire(run.root());
            data = Datasets.load(kind, DataCommand.dataOptions(settings, dataDir));
            System.err.println("run directory: " + run.root());
        }
        long startStep = from == null ? 0 : from.step();
        System.err.println("model " + model.label() + ", objective " + model.objective() + ", " + training.iterations()
                + " steps, starting at step " + startStep + ", engine " + engine);
        TerminalListener listener = new TerminalListener(training.iterations(), startStep, data, checkpointMinutes);
        StopOnSignal signal = StopOnSignal.install(listener::requestStop);
        if (signal == null) {
            System.err.println(stopped(0, training.iterations(), null));
            return Main.EXIT_FAILURE;
        }
        try (signal) {
            Trainer.Summary summary;
            if (engine == Engine.reference) {
                summary = (trainer != null ? trainer : new Trainer(model, training, data)).run(run, listener);
            } else {
                try {
                    summary = TrainingNode.runAlone(settings.config(), settings.string("dvae.cluster.system-name"),
                            new TrainingRoles.Training(model, training, data, from), topology, run, listener);
                } catch (IllegalStateException e) {
                    if (!listener.stopRequested()) {
                        throw e;
                    }
                    // The signal came while the actor system started (Akka refuses to start during a shutdown), or
                    // the shutdown's wait ran out before the run had ended (a long validation): the run goes on
                    // from its latest checkpoint, whichever that is.
                    System.err.println("\n" + stoppedWithoutSummary(run, training));
                    return Main.EXIT_FAILURE;
                }
            }
            String stopped = stopped(summary.steps(), training.iterations(), "run/dvae train --resume " + run.root());
            if (stopped != null) {
                System.err.println("\n" + stopped);
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("run", run.root().toString());
            result.put("model", model.label());
            result.put("engine", engine.name());
            result.putAll(outcome(summary, run, training));
            if (json) {
                Json.print(result);
            } else {
                System.out.println("done: " + result);
            }
            if (stopped == null) {
                // The authors' last step: the best checkpoint's test NLL, K = 4000 (about an hour on 2 cores for an
                // RBM posterior's whole test set), left to its own resumable command.
                System.err.println("test NLL of the best checkpoint (the paper's protocol): run/dvae eval --run "
                        + run.root() + " --checkpoint best");
            }
            return 0;
        }
    }

    /**
     * What a run that ended before its last step says, as a signal stops it: where it stopped and the command that
     * continues it; null for a run that finished.
     */
    static String stopped(long steps, long iterations, String continueWith) {
        if (steps >= iterations) {
            return null;
        }
        return steps == 0 ? "stopped before the first step"
                : "stopped at step " + steps + ", checkpoint written; continue with: " + continueWith;
    }

    /** What a run stopped before it could report says: the checkpoint it continues from, if any. */
    static String stoppedWithoutSummary(RunDirectory run, TrainConfig training) {
        return run.checkpoints(training.keepCheckpoints()).latest()
                .map(c -> "stopped; the latest checkpoint is step " + c.step() + "; continue with: run/dvae train "
                        + "--resume " + run.root())
                .orElse("stopped before the first checkpoint");
    }

    /** The actor system's shape and settings (null for the reference engine): all of them in one JVM. */
    private TrainingRoles.Topology actorTopology(Settings settings) {
        return engine == Engine.actors
                ? TrainingRoles.Topology.from(settings, settings.intAtLeast("dvae.actors.workers", 1)) : null;
    }

    /** A new run folder ({@code out}, or one named after the model and the time under dvae.train.runs-dir). */
    static RunDirectory createRunDirectory(Settings settings, ModelConfig model, Path out) {
        Path dir = out != null ? out : Path.of(settings.string("dvae.train.runs-dir"), model.label() + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        // Fail on a bad run folder before spending time on the data.
        String resolved = settings.config().withOnlyPath("dvae").root().render(ConfigRenderOptions.concise()
                .setFormatted(true).setJson(false));
        return RunDirectory.create(dir, resolved);
    }

    /**
     * How a run ended, for its last line: steps, skipped steps, the last loss, the best checkpoint over the whole run
     * (a resumed run's earlier validations included) by the metric that picks it, and this process's seconds.
     */
    static Map<String, Object> outcome(Trainer.Summary summary, RunDirectory run, TrainConfig training) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", summary.steps());
        m.put("skipped_steps", summary.skippedSteps());
        m.put("last_loss", summary.lastLoss());
        run.checkpoints(training.keepCheckpoints()).best().ifPresent(best -> m.put("best_checkpoint",
                Map.of("step", best.step(), best.score().metric(), best.score().value())));
        m.put("seconds", summary.seconds());
        return m;
    }

    /** Progress with ETA on stderr, and plots refreshed at every validation. */
    static final class TerminalListener implements Trainer.Listener {
        /** The validation loss's name in plots/loss.png, where it is drawn on the training loss's basis. */
        static final String VALID_LOSS_WITHOUT_LOG_Z = "valid_loss - valid_prior_log_z";

        private final Progress progress;
        private final RandomStream previews = RandomStream.forPurpose(0, "previews");
        private final Matrix validImages = new Matrix(32, 784);
        private final double checkpointMinutes;
        private volatile boolean stop;

        TerminalListener(long iterations, long startStep, Dataset data, double checkpointMinutes) {
            this.checkpointMinutes = checkpointMinutes;
            this.progress = new Progress("train", iterations);
            progress.update(startStep, null);
            data.valid().fillRange(0, validImages.rows, validImages.data);
        }

        void requestStop() {
            stop = true;
        }

        @Override
        public boolean stopRequested() {
            return stop;
        }

        @Override
        public double checkpointMinutes() {
            return checkpointMinutes;
        }

        @Override
        public void onLog(Map<String, Object> m) {
            progress.update(((Number) m.get("step")).longValue(), String.format(Locale.ROOT, "loss %.2f",
                    ((Number) m.get("loss")).doubleValue()));
        }

        @Override
        public Progress validationProgress(long step, int examples) {
            System.err.printf(Locale.ROOT, "%nstep %d: validation NLL on %d validation images%n", step, examples);
            return new Progress("validation NLL", examples);
        }

        @Override
        public void onValidation(long step, Validation valid, RunDirectory run, DvaeModel model) {
            String nll = valid.nll() == null ? "" : String.format(Locale.ROOT,
                    ", NLL %.3f ± %.3f on %d images (%.0f s)", valid.nll().mean(), valid.nll().standardError(),
                    valid.nll().count(), valid.nllSeconds());
            if (valid.vsBest() != null) {
                Evaluation.MeanAndError d = valid.vsBest().difference();
                nll += String.format(Locale.ROOT, ", %+.3f ± %.3f against step %d's on the same images (the best "
                        + "earlier validation logged image by image)", d.mean(), d.standardError(),
                        valid.vsBest().bestStep());
            }
            System.err.printf(Locale.ROOT, "%nstep %d: validation loss %.3f%s (checkpoint written)%n", step,
                    valid.loss(), nll);
            // Both without the prior's log Z, which the training loss leaves out and the validation adds.
            Map<String, NavigableMap<Long, Double>> losses = new LinkedHashMap<>(
                    MetricsLog.series(run.metricsFile(), "loss"));
            losses.put(VALID_LOSS_WITHOUT_LOG_Z, MetricsLog.validLossWithoutLogZ(run.metricsFile()));
            LossCurves.writePng(run.lossCurvesPng(), model.config().label(), losses, LossCurves.Scale.LINEAR);
            if (valid.nll() != null) { // its own axes: the bound can lie far from it (relaxed samples' densities)
                LossCurves.writePng(run.validNllPng(), model.config().label() + ": validation NLL",
                        MetricsLog.series(run.metricsFile(), "valid_nll"), LossCurves.Scale.LINEAR);
            }
            if (valid.priorLogZ() != null) { // the sampler's running estimate beside AIS at the validations
                LossCurves.writePng(run.priorLogZPng(), model.config().label() + ": the prior's log Z",
                        MetricsLog.series(run.metricsFile(), "prior_log_z", "valid_prior_log_z"),
                        LossCurves.Scale.LINEAR);
            }
            float[] samples = Previews.priorSamples(model, 64, 500, previews);
            if (samples != null) {
                ImageGrid.writePng(run.samplesPng(), samples, 64, 28, 28, 8);
            }
            ImageGrid.writePng(run.reconstructionsPng(), Previews.reconstructions(model, validImages, previews),
                    2 * validImages.rows, 28, 28, 8);
        }
    }
}
