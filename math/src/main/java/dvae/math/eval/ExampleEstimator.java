package dvae.math.eval;

import dvae.math.BadInputException;
import dvae.math.model.Decoder;
import dvae.math.model.DirectedPosterior;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.RbmPosterior;
import dvae.math.nn.Mode;
import dvae.math.random.RandomStream;
import dvae.math.rbm.Annealing;
import dvae.math.rbm.AnnealingBase;
import dvae.math.rbm.LogSumExp;
import dvae.math.rbm.LogZEstimate;
import dvae.math.rbm.Rbm;
import dvae.math.tensor.Matrix;

/**
 * One example's importance-weighted estimate from K discrete samples of q(z|x), as the authors measure it, with the
 * model in evaluation mode (batch norm from its moving averages, λ = 1).
 * <ul>
 *   <li>Directed q: ancestral sampling level by level, exact log q.</li>
 *   <li>RBM q: AIS on φ(x) from its own biases; its final particles are the samples (no reweighting) and
 *       log q(z) = −E_φ(z) − log Ẑ_φ(x).</li>
 * </ul>
 * The result leaves out the prior's log Z, which is the same for every example:
 * log p̂(x) = log-mean-exp_k[−E_θ(z_k) + log p(x|z_k) − log q(z_k|x)] − log Z_θ. In structured prediction the weights are
 * log p(x2|z_k) alone, z ~ q(z|x1), and the estimate is log p̂(x2|x1) itself.
 */
public final class ExampleEstimator {
    private final DvaeModel model;
    private final EvalSettings settings;
    private final Rbm prior;
    private final Decoder.Folded decoder;
    private final boolean structured;
    private final int firstPredicted;

    public ExampleEstimator(DvaeModel model, EvalSettings settings) {
        if (model.posterior() instanceof RbmPosterior && settings.samples() > settings.posteriorParticles()) {
            throw new BadInputException("the RBM posterior's samples are its AIS particles: K = " + settings.samples()
                    + " needs at least as many particles, got " + settings.posteriorParticles());
        }
        this.model = model;
        this.settings = settings;
        this.prior = model.prior().asRbm();
        this.decoder = model.decoder().folded();
        this.structured = model.config().objective() == ObjectiveKind.STRUCT;
        this.firstPredicted = model.config().pixels() - model.config().predictedPixels();
    }

    /**
     * @param logMeanWeight   log-mean-exp of the K log-weights (without the prior's log Z)
     * @param posteriorLogZ   the RBM posterior's AIS log Ẑ_φ(x) and its sd (NaN for directed posteriors)
     */
    public record Estimate(double logMeanWeight, double posteriorLogZ, double posteriorSdOfLogZ) {
    }

    /** Discrete samples of q(z|x) (K × n) with log q of each. */
    record Samples(Matrix z, double[] logQ, LogZEstimate posteriorLogZ) {
    }

    /** @param x one example's pixels (0/1) */
    public Estimate estimate(float[] x, RandomStream rng) {
        Samples s = sample(x, rng);
        double[] logWeights = LatentTerms.logLikelihoods(decoder, s.z(), predicted(x));
        if (!structured) {
            double[] negEnergies = LatentTerms.negEnergies(prior, s.z());
            for (int k = 0; k < logWeights.length; k++) {
                logWeights[k] += negEnergies[k] - s.logQ()[k];
            }
        }
        LogZEstimate zq = s.posteriorLogZ();
        return new Estimate(LogSumExp.logMeanExp(logWeights), zq == null ? Double.NaN : zq.logZ(),
                zq == null ? Double.NaN : zq.sd());
    }

    Samples sample(float[] x, RandomStream rng) {
        Matrix input = encoderInput(model, x);
        int k = settings.samples();
        if (model.posterior() instanceof RbmPosterior q) {
            Rbm phi = q.machine(input, Mode.EVAL);
            Annealing.AisRun run = Annealing.ais(phi, settings.posteriorTemps(), settings.posteriorParticles(),
                    AnnealingBase.BIASES, settings.posteriorWeights(), rng);
            Matrix z = joined(run.z1(), run.z2(), phi.n1(), phi.n2(), k);
            double[] logQ = LatentTerms.negEnergies(phi, z);
            for (int i = 0; i < k; i++) {
                logQ[i] -= run.estimate().logZ();
            }
            return new Samples(z, logQ, run.estimate());
        }
        DirectedPosterior.DiscreteSample d = ((DirectedPosterior) model.posterior())
                .discreteSample(input, k, rng);
        return new Samples(d.z(), d.logQ(), null);
    }

    /** The encoder's input for one example (x − mean_x, bottom half zeroed in structured prediction), 1 × pixels. */
    static Matrix encoderInput(DvaeModel model, float[] x) {
        Matrix repeated = model.encoderInput(new Matrix(1, x.length, x.clone()));
        Matrix row = new Matrix(1, x.length);
        System.arraycopy(repeated.data, 0, row.data, 0, x.length);
        return row;
    }

    /** The pixels the decoder predicts (all, or the bottom half in structured prediction). */
    float[] predicted(float[] x) {
        return java.util.Arrays.copyOfRange(x, firstPredicted, x.length);
    }

    /** The first k particles as rows [z1, z2]. */
    private static Matrix joined(float[] z1, float[] z2, int n1, int n2, int k) {
        Matrix z = new Matrix(k, n1 + n2);
        for (int r = 0; r < k; r++) {
            System.arraycopy(z1, r * n1, z.data, r * (n1 + n2), n1);
            System.arraycopy(z2, r * n2, z.data, r * (n1 + n2) + n1, n2);
        }
        return z;
    }
}
