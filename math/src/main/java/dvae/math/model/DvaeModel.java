package dvae.math.model;

import dvae.math.autodiff.ElementwiseOps;
import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.autodiff.ReduceOps;
import dvae.math.autodiff.ShapeOps;
import dvae.math.autodiff.Tape;
import dvae.math.autodiff.Var;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.nn.Mode;
import dvae.math.random.RandomStream;
import dvae.math.rbm.ChainStore;
import dvae.math.tensor.Matrix;
import java.util.HashMap;
import java.util.Map;

/**
 * A discrete VAE: RBM prior, decoder and one of the posteriors, with the paper's three objectives. One call of
 * {@link #forwardBackward} computes a batch's objective and leaves its gradient in the parameters, except for two
 * terms the trainer adds: log Z's gradient ({@link #logZCoefficient} times the prior sampler's negative phase) and
 * weight decay.
 */
public final class DvaeModel {
    private final ModelConfig config;
    private final ParamSet params = new ParamSet();
    private final RbmPrior prior;
    private final Decoder decoder;
    private final Posterior posterior;
    private final float[] meanPixel;

    /**
     * @param chains the persistent posterior chains (RBM posterior only: examples × K × n1), or null
     * @param init   the stream that draws initial weights
     */
    public DvaeModel(ModelConfig config, float[] meanPixel, ChainStore chains, RandomStream init) {
        if (meanPixel.length != config.pixels()) {
            throw new IllegalArgumentException("mean pixel has " + meanPixel.length + " entries, the model "
                    + config.pixels());
        }
        this.config = config;
        this.meanPixel = meanPixel.clone();
        this.prior = new RbmPrior(params, config.side1(), config.side2());
        this.posterior = config.posterior() == PosteriorKind.RBM
                ? new RbmPosterior(params, config, chains, init)
                : new DirectedPosterior(params, config, init);
        this.decoder = new Decoder(params, config, meanPixel, init);
    }

    public ModelConfig config() {
        return config;
    }

    public ParamSet params() {
        return params;
    }

    public RbmPrior prior() {
        return prior;
    }

    public Decoder decoder() {
        return decoder;
    }

    public Posterior posterior() {
        return posterior;
    }

    /** The values of one step's objective: the loss that was differentiated and its parts, per example. */
    public record StepValues(double loss, double logLikelihood, double klOrLogRatio) {
    }

    /** The factor of log Z in the loss: the warm-up λ (the weights of each example's samples sum to one). */
    public double logZCoefficient(double lambda) {
        return config.objective() == ObjectiveKind.STRUCT ? 0 : lambda;
    }

    /**
     * The encoder's input: x − mean_x, with the unobserved bottom half zeroed first in structured prediction, each
     * example repeated K times (row b·K + k).
     */
    public Matrix encoderInput(Matrix x) {
        int k = config.samples();
        int pixels = config.pixels();
        int observed = config.observedPixels();
        Matrix in = new Matrix(x.rows * k, pixels);
        for (int r = 0; r < in.rows; r++) {
            int src = (r / k) * pixels;
            for (int p = 0; p < pixels; p++) {
                in.data[r * pixels + p] = (p < observed ? x.data[src + p] : 0f) - meanPixel[p];
            }
        }
        return in;
    }

    private Matrix repeated(Matrix x) {
        int k = config.samples();
        Matrix out = new Matrix(x.rows * k, x.cols);
        for (int r = 0; r < out.rows; r++) {
            System.arraycopy(x.data, (r / k) * x.cols, out.data, r * x.cols, x.cols);
        }
        return out;
    }

    /**
     * One training batch: builds the objective on a tape and back-propagates it into the parameters' gradients
     * (which the caller zeroes beforehand).
     *
     * @param x        batch × pixels, binary
     * @param examples the training-set index of each row (addresses the persistent chains), or null
     * @param lambda   the warm-up factor of the ELBO and IW bound, or the entropy weight in structured prediction
     */
    public StepValues forwardBackward(Matrix x, int[] examples, double lambda, RandomStream rng) {
        return objective(x, examples, lambda, rng, Mode.TRAIN, true);
    }

    /**
     * The same objective without gradients, batch norm on its moving averages and fresh posterior chains: the
     * training bound on held-out data (λ = 1 for the paper's bounds).
     */
    public StepValues evaluate(Matrix x, double lambda, RandomStream rng) {
        return objective(x, null, lambda, rng, Mode.EVAL, false);
    }

    private StepValues objective(Matrix x, int[] examples, double lambda, RandomStream rng, Mode mode,
                                 boolean differentiate) {
        Tape tape = new Tape();
        int[] rowExamples = examples == null ? null : repeatIndices(examples);
        Posterior.RelaxedSample sample = posterior.relaxedSample(tape.constant(encoderInput(x)), rowExamples,
                config.samples(), mode, rng);
        Var target = tape.constant(config.samples() == 1 ? x : repeated(x));
        Var logLikelihood = decoder.logLikelihood(target, sample.zeta(), mode);
        return switch (config.objective()) {
            case ELBO -> elbo(logLikelihood, sample, lambda, differentiate);
            case IW -> importanceWeighted(logLikelihood, sample, lambda, differentiate);
            case STRUCT -> structured(logLikelihood, sample, lambda, differentiate);
        };
    }

    private int[] repeatIndices(int[] examples) {
        int k = config.samples();
        int[] rows = new int[examples.length * k];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = examples[r / k];
        }
        return rows;
    }

    /** −log p(x|ζ) + λ·KL, averaged over the batch. */
    private StepValues elbo(Var logLikelihood, Posterior.RelaxedSample sample, double lambda, boolean differentiate) {
        Var kl = sample.klWithoutLogZ(prior);
        Var loss = ReduceOps.mean(ElementwiseOps.sub(ElementwiseOps.scale(kl, (float) lambda), logLikelihood));
        if (differentiate) {
            loss.tape().backward(loss);
        }
        return new StepValues(loss.value().data[0], mean(logLikelihood), mean(kl));
    }

    /**
     * The annealed IW bound (App. C): log w_i = λ[log p(ζ_i) − log q(ζ_i)] + log p(x|ζ_i). Generative parameters get
     * −Σ w̃_i ∂log w_i / B; the posterior, reached only through ζ (log q's parameters are stop-gradiented), gets the
     * doubly reparameterised −Σ (λw̃_i² + (1 − λ)w̃_i) ∂log w_i / B. Two backward passes over one forward pass: batch
     * norm couples the rows, so one pass with reweighted rows would not be exact.
     */
    private StepValues importanceWeighted(Var logLikelihood, Posterior.RelaxedSample sample, double lambda,
                                          boolean differentiate) {
        Var zeta = sample.zeta();
        Var logRatio = ElementwiseOps.sub(prior.relaxedLogDensity(zeta, config.relaxationKernel()), sample.logQ(zeta));
        Var logWeight = ElementwiseOps.add(ElementwiseOps.scale(logRatio, (float) lambda), logLikelihood);
        int k = config.samples();
        double bound = ObjectiveOps.meanLogMeanExp(logWeight.value().data, k);
        if (differentiate) {
            backwardWithSeparateWeights(logWeight, lambda);
        }
        return new StepValues(-bound, mean(logLikelihood), mean(logRatio));
    }

    private void backwardWithSeparateWeights(Var logWeight, double lambda) {
        Tape tape = logWeight.tape();
        int rows = logWeight.rows();
        int k = config.samples();
        int batch = rows / k;
        double[] normalized = ObjectiveOps.normalizedWeights(logWeight.value().data, k);
        Matrix generativeSeed = new Matrix(rows, 1);
        Matrix posteriorSeed = new Matrix(rows, 1);
        for (int i = 0; i < rows; i++) {
            generativeSeed.data[i] = (float) (-normalized[i] / batch);
            posteriorSeed.data[i] = (float) (-(lambda * normalized[i] + 1 - lambda) * normalized[i] / batch);
        }
        tape.backward(logWeight, generativeSeed);
        Map<Param, float[]> generativeGrads = new HashMap<>();
        for (Param p : params.trainable()) {
            if (isPosterior(p)) {
                p.grad().fill(0f);
            } else {
                generativeGrads.put(p, p.grad().data.clone());
            }
        }
        tape.clearIntermediateGradients();
        tape.backward(logWeight, posteriorSeed);
        generativeGrads.forEach((p, g) -> System.arraycopy(g, 0, p.grad().data, 0, g.length));
    }

    /** Parameters of q(z|x): everything the posterior registered under its name prefix. */
    static boolean isPosterior(Param p) {
        return p.name().startsWith("posterior/");
    }

    /** −log (1/K) Σ p(x2|ζ_i) + λ·log q(ζ), averaged over the batch (Raiko et al., plus the entropy term). */
    private StepValues structured(Var logLikelihood, Posterior.RelaxedSample sample, double lambda,
                                  boolean differentiate) {
        int k = config.samples();
        Var perExample = ReduceOps.rowLogSumExp(ShapeOps.reshape(logLikelihood, logLikelihood.rows() / k, k));
        Var logQ = sample.logQ(sample.zeta());
        Var loss = ElementwiseOps.sub(ElementwiseOps.scale(ReduceOps.mean(logQ), (float) lambda),
                ReduceOps.mean(perExample));
        if (differentiate) {
            loss.tape().backward(loss);
        }
        double bound = mean(perExample) - Math.log(k);
        return new StepValues(-bound + lambda * mean(logQ), mean(logLikelihood), mean(logQ));
    }

    private static double mean(Var column) {
        double s = 0;
        for (float v : column.value().data) {
            s += v;
        }
        return s / column.value().data.length;
    }
}
