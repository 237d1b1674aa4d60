package dvae.math.eval;

import dvae.math.BadInputException;
import dvae.math.blas.Blas;
import dvae.math.model.Decoder;
import dvae.math.model.DirectedPosterior;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.RbmPosterior;
import dvae.math.nn.Mode;
import dvae.math.rbm.ExactRbm;
import dvae.math.rbm.Rbm;
import dvae.math.tensor.Matrix;
import java.util.Arrays;

/**
 * Exact evaluation for small latent spaces (the paper's App. E): every one of the 2^n latent states is visited, so
 * log p(x) = logsumexp_z[−E_θ(z) + log p(x|z)] − log Z_θ with the exact log Z, and in structured prediction
 * log p(x2|x1) = logsumexp_z[log q(z|x1) + log p(x2|z)] with q normalised exactly. The decoder's logits do not depend on
 * x, so they are computed once per block of states and scored against every example with one product, in double.
 */
public final class ExactEvaluation {
    /** The largest latent space enumerated: 2^20 states through the decoder take minutes. */
    public static final int MAX_LATENTS = 20;
    /** States per decoder pass and product. */
    private static final int BLOCK = 1024;

    private ExactEvaluation() {
    }

    /** Fails with a one-line message when the model's latent space is too large to enumerate. */
    public static void checkEnumerable(DvaeModel model) {
        int n = model.config().latents();
        if (n > MAX_LATENTS) {
            throw new BadInputException("exact evaluation enumerates all 2^n latent states: n = " + n
                    + " is more than " + MAX_LATENTS);
        }
    }

    /** The prior's exact log Z. */
    public static double priorLogZ(DvaeModel model) {
        return ExactRbm.logZ(model.prior().asRbm());
    }

    /** The exact log Z of the RBM posterior φ(x) of one example (NaN for directed posteriors, which are normalised). */
    public static double posteriorLogZ(DvaeModel model, float[] x) {
        return model.posterior() instanceof RbmPosterior q
                ? ExactRbm.logZ(q.machine(ExampleEstimator.encoderInput(model, x), Mode.EVAL)) : Double.NaN;
    }

    /** log p(x) of every row of images (log p(x2|x1) in structured prediction). */
    public static double[] logLikelihoods(DvaeModel model, Matrix images) {
        checkEnumerable(model);
        int n = model.config().latents();
        int examples = images.rows;
        int pixels = images.cols;
        int predicted = model.config().predictedPixels();
        boolean structured = model.config().objective() == ObjectiveKind.STRUCT;
        double[] targets = new double[examples * predicted];
        for (int e = 0; e < examples; e++) {
            for (int p = 0; p < predicted; p++) {
                targets[e * predicted + p] = images.data[e * pixels + pixels - predicted + p];
            }
        }
        PosteriorScorer posterior = structured ? new PosteriorScorer(model, images) : null;
        Rbm prior = model.prior().asRbm();
        Decoder.Folded decoder = model.decoder().folded();
        double[] max = new double[examples];
        double[] sum = new double[examples];
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        long states = 1L << n;
        for (long first = 0; first < states; first += BLOCK) {
            int rows = (int) Math.min(BLOCK, states - first);
            Matrix z = states(first, rows, n);
            float[] logits = decoder.logitsWithoutBias(z, 0, rows);
            double[] l = new double[rows * predicted];
            double[] stateTerm = structured ? new double[rows] : LatentTerms.negEnergies(prior, z);
            for (int s = 0; s < rows; s++) {
                for (int p = 0; p < predicted; p++) {
                    float v = logits[s * predicted + p] + decoder.outputBias()[p];
                    l[s * predicted + p] = v;
                    stateTerm[s] += LatentTerms.bernoulliLogMass(v, false); // −softplus(l); x·l comes below
                }
            }
            double[] xl = new double[examples * rows];
            Blas.dgemm(false, true, examples, rows, predicted, targets, l, xl);
            for (int e = 0; e < examples; e++) {
                double[] logQ = structured ? posterior.logQ(e, z) : null;
                for (int s = 0; s < rows; s++) {
                    double v = xl[e * rows + s] + stateTerm[s] + (structured ? logQ[s] : 0);
                    if (v > max[e]) {
                        sum[e] = sum[e] * Math.exp(max[e] - v) + 1;
                        max[e] = v;
                    } else {
                        sum[e] += Math.exp(v - max[e]);
                    }
                }
            }
        }
        double logZ = structured ? 0 : priorLogZ(model);
        double[] out = new double[examples];
        for (int e = 0; e < examples; e++) {
            out[e] = max[e] + Math.log(sum[e]) - logZ;
        }
        return out;
    }

    /** rows consecutive states from {@code first}: unit i of state s is bit i of s. */
    private static Matrix states(long first, int rows, int n) {
        Matrix z = new Matrix(rows, n);
        for (int r = 0; r < rows; r++) {
            long s = first + r;
            for (int i = 0; i < n; i++) {
                z.data[r * n + i] = (s >>> i & 1) != 0 ? 1f : 0f;
            }
        }
        return z;
    }

    /** log q(z|x) of given states for each example, exactly normalised. */
    private static final class PosteriorScorer {
        private final DvaeModel model;
        private final Matrix[] inputs;
        private final Rbm[] machines;
        private final double[] logZ;

        PosteriorScorer(DvaeModel model, Matrix images) {
            this.model = model;
            int examples = images.rows;
            this.inputs = new Matrix[examples];
            this.machines = new Rbm[examples];
            this.logZ = new double[examples];
            for (int e = 0; e < examples; e++) {
                float[] x = Arrays.copyOfRange(images.data, e * images.cols, (e + 1) * images.cols);
                inputs[e] = ExampleEstimator.encoderInput(model, x);
                if (model.posterior() instanceof RbmPosterior q) {
                    machines[e] = q.machine(inputs[e], Mode.EVAL);
                    logZ[e] = ExactRbm.logZ(machines[e]);
                }
            }
        }

        double[] logQ(int example, Matrix z) {
            if (machines[example] == null) {
                return ((DirectedPosterior) model.posterior()).logMass(inputs[example], z);
            }
            double[] v = LatentTerms.negEnergies(machines[example], z);
            for (int s = 0; s < v.length; s++) {
                v[s] -= logZ[example];
            }
            return v;
        }
    }
}
