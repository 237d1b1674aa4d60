package dvae.math.mcmc;

import dvae.math.data.Dataset;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelConfig;
import dvae.math.optim.Adam;
import dvae.math.optim.LearningRateSchedule;
import dvae.math.random.RandomStream;
import dvae.math.rbm.NegativePhase;
import dvae.math.rbm.PriorSampler;
import dvae.math.tensor.Matrix;
import dvae.math.train.BatchOrder;
import dvae.math.train.GradientStep;
import dvae.math.train.TrainConfig;
import java.util.function.LongConsumer;

/**
 * Trains the App. E baseline with the reference trainer's optimiser, schedule, prior sampler and batch order: per step,
 * {@code sweeps} Gibbs sweeps of the batch's persistent true-posterior chains, then one Adam step on
 * −E[log p̃(x, z)] + log Z. No warm-up: the objective has no KL term to anneal.
 */
public final class TruePosteriorTrainer {
    /** How a run ended: steps taken, steps skipped as non-finite, the last loss and the mean wall time per step. */
    public record Summary(long steps, long skippedSteps, double lastLoss, double msPerStep) {
    }

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

    public TruePosteriorTrainer(ModelConfig modelConfig, TrainConfig config, Dataset data, int sweeps) {
        this.config = config;
        this.data = data;
        this.sweeps = sweeps;
        long seed = config.seed();
        this.model = new DvaeModel(modelConfig, data.meanPixel(), null, RandomStream.forPurpose(seed, "init"));
        this.chains = new TruePosteriorGibbs(model, data.trainSize(), RandomStream.forPurpose(seed, "chains"));
        this.sampler = config.newPriorSampler(modelConfig.side1(), modelConfig.side2(), config.priorParticles(),
                RandomStream.forPurpose(seed, "prior-sampler"));
        this.adam = new Adam(model.params(), config.adamBeta1(), config.adamBeta2(), config.adamEpsilon());
        this.schedule = new LearningRateSchedule(config.learningRate(), config.iterations());
        this.order = new BatchOrder(data.trainSize(), config.batchSize(), RandomStream.forPurpose(seed, "data-order"));
        this.binarize = RandomStream.forPurpose(seed, "binarize");
        this.gibbs = RandomStream.forPurpose(seed, "noise");
    }

    public DvaeModel model() {
        return model;
    }

    /** Trains {@link TrainConfig#iterations()} steps, reporting each finished step to {@code onStep}. */
    public Summary run(LongConsumer onStep) {
        Matrix x = new Matrix(config.batchSize(), model.config().pixels());
        long skipped = 0;
        double lastLoss = Double.NaN;
        long started = System.nanoTime();
        for (long step = 0; step < config.iterations(); step++) {
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
            onStep.accept(step + 1);
        }
        double ms = (System.nanoTime() - started) / 1e6 / config.iterations();
        return new Summary(config.iterations(), skipped, lastLoss, ms);
    }
}
