package dvae.math.train;

import dvae.math.BadInputException;
import dvae.math.data.Dataset;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelCheckpoint;
import dvae.math.model.ModelConfig;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.optim.Adam;
import dvae.math.optim.LearningRateSchedule;
import dvae.math.random.RandomStream;
import dvae.math.rbm.ChainStore;
import dvae.math.rbm.NegativePhase;
import dvae.math.rbm.PopulationAnnealingSampler;
import dvae.math.rbm.PriorSampler;
import dvae.math.rbm.SamplerState;
import dvae.math.run.Checkpoint;
import dvae.math.run.CheckpointClock;
import dvae.math.run.Checkpoints;
import dvae.math.run.JsonFiles;
import dvae.math.run.MetricsLog;
import dvae.math.run.RandomStates;
import dvae.math.run.RunDirectory;
import dvae.math.io.ParamStore;
import dvae.math.tensor.Matrix;
import dvae.math.util.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The single-process reference trainer: the paper's training loop exactly, and the oracle the actor system is checked
 * against. Each step draws a batch, moves the prior sampler to the current prior (log Z's gradient), builds the
 * objective (the posterior's persistent chains advance inside), adds log Z's gradient and weight decay, and takes one
 * Adam step at the scheduled rate. The sampler runs on a thread of its own beside the objective, from the prior's
 * update on (the prior's parameters are updated first), which changes no value: each draws from its own stream. A
 * step whose loss or gradient is not finite is skipped and logged; after {@link TrainConfig#maxNonFiniteSteps} in a
 * row the run stops with its last good checkpoint intact.
 *
 * <p>Everything that determines the future (parameters, Adam's moments, chains, the sampler's particles, the batch
 * order and every random stream) is checkpointed, so a resumed run continues bit-exactly, also from the checkpoint a
 * run writes when its listener asks it to stop ({@link Listener#stopRequested}).
 */
public final class Trainer {
    public static final String TRAIN_FILE = "train.json";
    /** The metrics event of a run that wrote its checkpoint and ended because it was asked to stop. */
    public static final String STOPPED_EVENT = "stopped on request";
    /** The metrics event of a checkpoint written because its wall-clock interval had passed. */
    public static final String TIMED_CHECKPOINT_EVENT = "timed checkpoint";
    public static final String CHAINS_FILE = "chains.bin";
    public static final String SAMPLER_FILE = "prior-sampler.json";
    public static final String ORDER_FILE = "batch-order.json";
    public static final String RANDOM_FILE = "random.json";

    /** Hooks for progress, plots and the like; every method is optional. */
    public interface Listener {
        default void onLog(Map<String, Object> metrics) {
        }

        /** Where a validation's NLL shows its progress over the examples (null: nowhere). */
        default Progress validationProgress(long step, int examples) {
            return null;
        }

        default void onValidation(long step, Validation validation, RunDirectory run, DvaeModel model) {
        }

        /**
         * Asked after every step: true makes the run write a checkpoint at the step just trained (without
         * validating, so a resumed run continues exactly as if uninterrupted) and end there.
         */
        default boolean stopRequested() {
            return false;
        }

        /**
         * Wall-clock minutes between the checkpoints written besides the validations' (0: only those), so that a run
         * killed outright loses at most that much. Like a stop's, they do not validate: the run is unchanged.
         */
        default double checkpointMinutes() {
            return 0;
        }
    }

    /** Thrown when too many consecutive steps were not finite. */
    public static final class TrainingDiverged extends RuntimeException {
        public TrainingDiverged(String message) {
            super(message);
        }
    }

    /** How a run ended. */
    public record Summary(long steps, long skippedSteps, double lastLoss, Double bestValidLoss, long seconds) {
    }

    private final ModelConfig modelConfig;
    private final TrainConfig config;
    private final Dataset data;
    private final DvaeModel model;
    private final ChainStore chains;
    private final PriorSampler sampler;
    private final Adam adam;
    private final LearningRateSchedule schedule;
    private final BatchOrder order;
    private final Map<String, RandomStream> streams = new LinkedHashMap<>();
    private final RandomStream binarize;
    private final RandomStream noise;
    private final RandomStream validation;
    private long step;

    /** A fresh run: initial weights, chains and sampler drawn from streams of {@code config.seed()}. */
    public Trainer(ModelConfig modelConfig, TrainConfig config, Dataset data) {
        if (modelConfig.pixels() != data.meanPixel().length) {
            throw new BadInputException("the model expects " + modelConfig.pixels() + " pixels, data set "
                    + data.name() + " has " + data.meanPixel().length);
        }
        this.modelConfig = modelConfig;
        this.config = config;
        this.data = data;
        long seed = config.seed();
        this.chains = modelConfig.posterior() == PosteriorKind.RBM
                ? new ChainStore(data.trainSize(), modelConfig.samples(), modelConfig.side1(),
                        RandomStream.forPurpose(seed, "chains").nextLong())
                : null;
        this.model = new DvaeModel(modelConfig, data.meanPixel(), chains, RandomStream.forPurpose(seed, "init"));
        this.sampler = modelConfig.objective() == ObjectiveKind.STRUCT ? null : config.newPriorSampler(
                modelConfig.side1(), modelConfig.side2(), config.priorParticles(),
                RandomStream.forPurpose(seed, "prior-sampler"));
        this.adam = new Adam(model.params(), config.adamBeta1(), config.adamBeta2(), config.adamEpsilon());
        this.schedule = new LearningRateSchedule(config.learningRate(), config.iterations());
        this.order = new BatchOrder(data.trainSize(), config.batchSize(),
                RandomStates.named(streams, seed, "data-order"));
        this.binarize = RandomStates.named(streams, seed, "binarize");
        this.noise = RandomStates.named(streams, seed, "noise");
        this.validation = RandomStates.named(streams, seed, "validation");
    }

    /** Continues a run from its latest checkpoint, with the settings it was started with. */
    public static Trainer resume(RunDirectory run, Dataset data) {
        ResumePoint from = ResumePoint.of(run, data).requireContinuableBy(ResumePoint.REFERENCE, 1);
        Path dir = from.checkpoint().dir();
        Trainer t = new Trainer(from.manifest().config(), from.config(), data);
        ParamStore.load(dir.resolve(ModelCheckpoint.PARAMS_DIR), t.model.params(), t.adam);
        if (t.chains != null) {
            if (from.engine().equals(ResumePoint.ACTORS)) {
                ChainStoreShard.restoreFromShards(t.chains, dir);
            } else {
                t.chains.restore(dir.resolve(CHAINS_FILE));
            }
        }
        if (t.sampler != null) {
            t.sampler.restore(JsonFiles.read(from.priorSamplerFile(), SamplerState.class));
        }
        t.order.restore(JsonFiles.read(dir.resolve(ORDER_FILE), BatchOrder.Position.class));
        RandomStates.restore(dir.resolve(RANDOM_FILE), t.streams);
        t.step = from.step();
        return t;
    }

    public DvaeModel model() {
        return model;
    }

    public ModelConfig modelConfig() {
        return modelConfig;
    }

    public TrainConfig config() {
        return config;
    }

    public long step() {
        return step;
    }

    /** Trains up to {@link TrainConfig#iterations()} steps, logging, validating and checkpointing into {@code run}. */
    public Summary run(RunDirectory run, Listener listener) {
        long started = System.nanoTime();
        long skipped = 0;
        int nonFiniteInRow = 0;
        double lastLoss = Double.NaN;
        Double bestValid = null;
        Checkpoints checkpoints = run.checkpoints(config.keepCheckpoints());
        CheckpointClock clock = new CheckpointClock(listener.checkpointMinutes());
        Matrix x = new Matrix(config.batchSize(), modelConfig.pixels());
        long windowStart = System.nanoTime();
        long windowSteps = 0;
        ExecutorService priorThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "prior-sampler");
            t.setDaemon(true);
            return t;
        });
        List<Future<NegativePhase>> nextSample = new ArrayList<>(1); // the next step's sample, begun during an update
        try (MetricsLog metrics = run.openMetrics()) {
            while (step < config.iterations()) {
                int[] batch = order.next();
                data.fillTrainBatch(batch, x.data, binarize);
                double lambda = lambda(step);
                double rate = schedule.rate(step);
                // The prior sampler moves on its own thread while the objective computes: neither writes what
                // the other reads (the prior's parameters change only in the update below), and each draws from its
                // own stream, so the step's arithmetic is that of running them one after the other.
                Future<NegativePhase> phase = sampler == null ? null : !nextSample.isEmpty() ? nextSample.remove(0)
                        : priorThread.submit(() -> sampler.step(model.prior().asRbm()));
                DvaeModel.StepValues values = GradientStep.objectiveGradient(model, x, batch, lambda, noise);
                GradientStep.addLogZGradient(model, lambda, phase == null ? null : result(phase));
                step++;
                windowSteps++;
                if (!GradientStep.finite(values, model.params())) {
                    skipped++;
                    nonFiniteInRow++;
                    metrics.write(Map.of("step", step, "event", "non-finite step skipped", "loss",
                            values.loss()));
                    if (nonFiniteInRow >= config.maxNonFiniteSteps()) {
                        throw new TrainingDiverged("training stopped at step " + step + " after " + nonFiniteInRow
                                + " non-finite steps in a row; the last good checkpoint in "
                                + checkpoints.latest().map(c -> c.dir().toString()).orElse("(none yet)")
                                + " is intact");
                    }
                    continue;
                }
                nonFiniteInRow = 0;
                boolean stopping = listener.stopRequested();
                boolean timedCheckpoint = clock.due();
                if (sampler != null && step % config.logEvery() != 0 && step % config.validEvery() != 0
                        && step < config.iterations() && !stopping && !timedCheckpoint) {
                    // The next step's sample starts as soon as the prior is updated, beside the rest of the update
                    // (memory-bound, on one core). Not before a log line or a checkpoint: those read the sampler.
                    GradientStep.update(adam, config.weightDecay(), rate, model.prior().parameters(),
                            () -> nextSample.add(priorThread.submit(() -> sampler.step(model.prior().asRbm()))));
                } else {
                    GradientStep.update(adam, config.weightDecay(), rate);
                }
                lastLoss = values.loss();
                if (step % config.logEvery() == 0 || step == config.iterations()) {
                    double seconds = (System.nanoTime() - windowStart) / 1e9;
                    Map<String, Object> m = stepMetrics(values, lambda, rate, windowSteps / seconds, skipped);
                    windowStart = System.nanoTime();
                    windowSteps = 0;
                    metrics.write(m);
                    listener.onLog(m);
                }
                if (step % config.validEvery() == 0 || step == config.iterations()) {
                    long validationStart = System.nanoTime();
                    Validation valid = Validation.measure(model, data, config, validation,
                            examples -> listener.validationProgress(step, examples))
                            .pairedWithBestIn(metrics.file(), step);
                    metrics.write(valid.metrics(step));
                    if (Double.isFinite(valid.loss()) && (bestValid == null || valid.loss() < bestValid)) {
                        bestValid = valid.loss();
                    }
                    checkpoint(checkpoints, valid.score());
                    clock.restart();
                    listener.onValidation(step, valid, run, model);
                    windowStart += System.nanoTime() - validationStart; // steps_per_s counts training steps only
                } else if (stopping || timedCheckpoint) {
                    long checkpointStart = System.nanoTime();
                    checkpoint(checkpoints, null);
                    clock.restart();
                    metrics.write(checkpointEvent(step, stopping ? STOPPED_EVENT : TIMED_CHECKPOINT_EVENT,
                            checkpointStart));
                    windowStart += System.nanoTime() - checkpointStart; // steps_per_s counts training steps only
                }
                if (stopping) {
                    break;
                }
            }
        } finally {
            priorThread.shutdownNow();
        }
        return new Summary(step, skipped, lastLoss, bestValid, Math.round((System.nanoTime() - started) / 1e9));
    }

    /** The metrics line of a checkpoint written without validation, begun at {@code startNanos}. */
    public static Map<String, Object> checkpointEvent(long step, String event, long startNanos) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("event", event);
        m.put("checkpoint_seconds", (System.nanoTime() - startNanos) / 1e9);
        return m;
    }

    /** The sampler's negative phase, its failure rethrown as it was thrown. */
    private static NegativePhase result(Future<NegativePhase> phase) {
        try {
            return phase.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the prior sampler ran", e);
        }
    }

    /** The warm-up factor (ELBO, IW) or the entropy weight (structured prediction) at a step. */
    double lambda(long at) {
        return config.lambda(modelConfig.objective(), at);
    }

    private Map<String, Object> stepMetrics(DvaeModel.StepValues v, double lambda, double rate, double stepsPerSecond,
                                            long skipped) {
        return StepReport.stepMetrics(step, order.epoch(), modelConfig.objective(), v, lambda, rate,
                sampler == null ? null : sampler.logZ(),
                sampler instanceof PopulationAnnealingSampler pa ? pa.essFraction() : null, stepsPerSecond, skipped);
    }

    private void checkpoint(Checkpoints checkpoints, Checkpoint.Score score) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("model", modelConfig.label());
        metadata.put("dataset", data.name());
        metadata.put(ResumePoint.ENGINE_KEY, ResumePoint.REFERENCE);
        checkpoints.save(step, metadata, score, dir -> {
            ModelCheckpoint.save(dir, model, data.name(), data.meanPixel(), adam);
            JsonFiles.write(dir.resolve(TRAIN_FILE), config);
            if (chains != null) {
                chains.snapshot(dir.resolve(CHAINS_FILE));
            }
            if (sampler != null) {
                JsonFiles.write(dir.resolve(SAMPLER_FILE), sampler.state());
            }
            JsonFiles.write(dir.resolve(ORDER_FILE), order.position());
            RandomStates.write(dir.resolve(RANDOM_FILE), streams);
        });
    }
}
