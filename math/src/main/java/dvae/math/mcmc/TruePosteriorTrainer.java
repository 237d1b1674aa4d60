package dvae.math.mcmc;

import dvae.math.BadInputException;
import dvae.math.data.Dataset;
import dvae.math.io.ParamStore;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelCheckpoint;
import dvae.math.model.ModelConfig;
import dvae.math.optim.Adam;
import dvae.math.optim.LearningRateSchedule;
import dvae.math.random.RandomStream;
import dvae.math.rbm.NegativePhase;
import dvae.math.rbm.PriorSampler;
import dvae.math.rbm.SamplerState;
import dvae.math.run.Checkpoint;
import dvae.math.run.CheckpointClock;
import dvae.math.run.Checkpoints;
import dvae.math.run.JsonFiles;
import dvae.math.run.RandomStates;
import dvae.math.tensor.Matrix;
import dvae.math.train.BatchOrder;
import dvae.math.train.GradientStep;
import dvae.math.train.TrainConfig;
import dvae.math.train.Trainer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * Trains the App. E baseline with the reference trainer's optimiser, schedule, prior sampler and batch order: per step,
 * {@code sweeps} Gibbs sweeps of the batch's persistent true-posterior chains, then one Adam step on
 * −E[log p̃(x, z)] + log Z. No warm-up: the objective has no KL term to anneal.
 *
 * <p>A run asked to stop writes a checkpoint of everything that determines its future (parameters, Adam's moments,
 * chains, the sampler, the batch order, every random stream, the steps and time so far), from which {@link
 * #resumeFrom} continues it exactly.
 */
public final class TruePosteriorTrainer {
    /** How a run ended: steps taken, steps skipped as non-finite, the last loss and the mean wall time per step. */
    public record Summary(long steps, long skippedSteps, double lastLoss, double msPerStep) {
    }

    private static final String TRAINED_NANOS = "trained_nanos";
    private static final String SKIPPED_STEPS = "skipped_steps";

    private final TrainConfig config;
    private final Dataset data;
    private final int sweeps;
    private final DvaeModel model;
    private final TruePosteriorGibbs chains;
    private final PriorSampler sampler;
    private final Adam adam;
    private final LearningRateSchedule schedule;
    private final BatchOrder order;
    private final RandomStream binarize;
    private final RandomStream gibbs;
    private final Map<String, RandomStream> streams = new LinkedHashMap<>();
    private long step;
    /** Wall time of the steps trained so far, over every session of the run. */
    private long trainedNanos;
    private long skipped;

    public TruePosteriorTrainer(ModelConfig modelConfig, TrainConfig config, Dataset data, int sweeps) {
        this.config = config;
        this.data = data;
        this.sweeps = sweeps;
        long seed = config.seed();
        this.model = new DvaeModel(modelConfig, data.meanPixel(), null, RandomStream.forPurpose(seed, "init"));
        this.chains = new TruePosteriorGibbs(model, data.trainSize(), RandomStream.forPurpose(seed, "chains"));
        this.adam = new Adam(model.params(), config.adamBeta1(), config.adamBeta2(), config.adamEpsilon());
        this.sampler = config.newPriorSampler(modelConfig.side1(), modelConfig.side2(), config.priorParticles(),
                RandomStream.forPurpose(seed, "prior-sampler"));
        this.schedule = new LearningRateSchedule(config.learningRate(), config.iterations());
        this.order = new BatchOrder(data.trainSize(), config.batchSize(),
                RandomStates.named(streams, seed, "data-order"));
        this.binarize = RandomStates.named(streams, seed, "binarize");
        this.gibbs = RandomStates.named(streams, seed, "noise");
    }

    /**
     * Continues the run whose stop left a checkpoint in {@code dir} (the same settings are the caller's to ensure);
     * returns false, changing nothing, when there is none.
     */
    public boolean resumeFrom(Path dir) {
        Optional<Checkpoint> latest = new Checkpoints(dir, 1).latest();
        if (latest.isEmpty()) {
            return false;
        }
        Checkpoint c = latest.get();
        ParamStore.load(c.file(ModelCheckpoint.PARAMS_DIR), model.params(), adam);
        chains.restore(c.file(Trainer.CHAINS_FILE));
        sampler.restore(JsonFiles.read(c.file(Trainer.SAMPLER_FILE), SamplerState.class));
        order.restore(JsonFiles.read(c.file(Trainer.ORDER_FILE), BatchOrder.Position.class));
        RandomStates.restore(c.file(Trainer.RANDOM_FILE), streams);
        step = c.step();
        trainedNanos = metadataCount(c, TRAINED_NANOS);
        skipped = metadataCount(c, SKIPPED_STEPS);
        return true;
    }

    /** Steps trained so far. */
    public long step() {
        return step;
    }

    public DvaeModel model() {
        return model;
    }

    /** Trains {@link TrainConfig#iterations()} steps, reporting each finished step to {@code onStep}. */
    public Summary run(LongConsumer onStep) {
        return run(onStep, () -> false, null, 0);
    }

    /**
     * Trains up to {@link TrainConfig#iterations()} steps, reporting each finished step to {@code onStep}. When
     * {@code stop} turns true after a step, the run writes its checkpoint into {@code keepIn} and returns there (its
     * summary's steps short of the iterations); it also writes one there every {@code checkpointMinutes} (0: only
     * when stopped), so that a run killed outright loses at most that. The time per step is the mean over every
     * session's steps.
     */
    public Summary run(LongConsumer onStep, BooleanSupplier stop, Path keepIn, double checkpointMinutes) {
        Matrix x = new Matrix(config.batchSize(), model.config().pixels());
        double lastLoss = Double.NaN;
        CheckpointClock clock = new CheckpointClock(keepIn == null ? 0 : checkpointMinutes);
        long started = System.nanoTime();
        boolean stopping = false;
        while (step < config.iterations() && !stopping) {
            int[] batch = order.next();
            data.fillTrainBatch(batch, x.data, binarize);
            NegativePhase phase = sampler.step(model.prior().asRbm());
            Matrix z = chains.sample(x, batch, sweeps, gibbs);
            double loss = chains.objectiveGradient(x, z);
            GradientStep.addLogZGradient(model, 1, phase);
            if (GradientStep.finite(new DvaeModel.StepValues(loss, 0, 0), model.params())) {
                GradientStep.update(adam, config.weightDecay(), schedule.rate(step));
                lastLoss = loss;
            } else {
                skipped++;
            }
            step++;
            onStep.accept(step);
            stopping = step < config.iterations() && keepIn != null && stop.getAsBoolean();
            if (!stopping && step < config.iterations() && clock.due()) {
                trainedNanos += System.nanoTime() - started;
                checkpoint(keepIn);
                clock.restart();
                started = System.nanoTime(); // the checkpoint's time is not a step's
            }
        }
        trainedNanos += System.nanoTime() - started;
        if (stopping) {
            checkpoint(keepIn);
        }
        return new Summary(step, skipped, lastLoss, trainedNanos / 1e6 / step);
    }

    private static long metadataCount(Checkpoint c, String key) {
        if (!(c.metadata().get(key) instanceof Number n)) {
            throw new BadInputException(c.file(Checkpoints.DESCRIPTION) + ": no number " + key + " in its metadata");
        }
        return n.longValue();
    }

    private void checkpoint(Path dir) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put(TRAINED_NANOS, trainedNanos);
        metadata.put(SKIPPED_STEPS, skipped);
        new Checkpoints(dir, 1).save(step, metadata, into -> {
            ParamStore.save(into.resolve(ModelCheckpoint.PARAMS_DIR), model.params(), adam);
            chains.snapshot(into.resolve(Trainer.CHAINS_FILE));
            JsonFiles.write(into.resolve(Trainer.SAMPLER_FILE), sampler.state());
            JsonFiles.write(into.resolve(Trainer.ORDER_FILE), order.position());
            RandomStates.write(into.resolve(Trainer.RANDOM_FILE), streams);
        });
    }
}
