package dvae.math.mcmc;

import dvae.math.autodiff.ElementwiseOps;
import dvae.math.autodiff.ReduceOps;
import dvae.math.autodiff.Tape;
import dvae.math.autodiff.Var;
import dvae.math.model.DvaeModel;
import dvae.math.nn.Mode;
import dvae.math.random.RandomStream;
import dvae.math.rbm.ChainStore;
import dvae.math.tensor.Matrix;
import java.nio.file.Path;

/**
 * The paper's App. E baseline: no encoder, but persistent bit-by-bit Gibbs chains on the true posterior
 * p(z|x) ∝ exp(−E_θ(z)) p(x|z), one chain per training example, and the objective max E_{p(z|x)}[log p(x, z)]. It
 * uses the model's prior and decoder (its posterior network is never used); log Z's gradient is the trainer's, as for
 * every other model.
 */
public final class TruePosteriorGibbs {
    private final DvaeModel model;
    private final int n;
    /** One chain of all n bits per example, bit-packed as the posterior's persistent chains are. */
    private final ChainStore states;

    /** Chains for {@code examples} training examples, started from uniform random bits. */
    public TruePosteriorGibbs(DvaeModel model, int examples, RandomStream rng) {
        this.model = model;
        this.n = model.config().latents();
        this.states = new ChainStore(examples, 1, n, 0); // its own random start is replaced by rng's below
        float[] start = new float[n];
        for (int e = 0; e < examples; e++) {
            for (int i = 0; i < n; i++) {
                start[i] = rng.nextFloat() < 0.5f ? 1f : 0f;
            }
            states.write(e, start, 0);
        }
    }

    /** Writes every chain's state to {@code file} atomically. */
    public void snapshot(Path file) {
        states.snapshot(file);
    }

    /** Replaces every chain's state with a {@link #snapshot}'s. */
    public void restore(Path file) {
        states.restore(file);
    }

    /**
     * Advances the chains of {@code examples} (the rows of x) by {@code sweeps} sweeps over every bit and returns
     * their states (rows × n). Each bit's conditional needs log p(x, z) at both of its values, so the decoder runs on
     * 2·rows states per bit. The decoder's batch norm uses its moving averages, so the chains target the model that
     * is evaluated, not a batch-dependent one.
     */
    public Matrix sample(Matrix x, int[] examples, int sweeps, RandomStream rng) {
        int rows = x.rows;
        Matrix z = new Matrix(rows, n);
        for (int r = 0; r < rows; r++) {
            states.read(examples[r], z.data, r * n);
        }
        Matrix twice = new Matrix(2 * rows, x.cols);
        for (int r = 0; r < 2 * rows; r++) {
            System.arraycopy(x.data, (r / 2) * x.cols, twice.data, r * x.cols, x.cols);
        }
        Matrix both = new Matrix(2 * rows, n);
        for (int sweep = 0; sweep < sweeps; sweep++) {
            for (int bit = 0; bit < n; bit++) {
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(z.data, r * n, both.data, 2 * r * n, n);
                    System.arraycopy(z.data, r * n, both.data, (2 * r + 1) * n, n);
                    both.data[2 * r * n + bit] = 0f;
                    both.data[(2 * r + 1) * n + bit] = 1f;
                }
                float[] joint = logJoint(twice, both, Mode.EVAL).value().data;
                for (int r = 0; r < rows; r++) {
                    double p = 1 / (1 + Math.exp(joint[2 * r] - joint[2 * r + 1]));
                    z.data[r * n + bit] = rng.nextDouble() < p ? 1f : 0f;
                }
            }
        }
        for (int r = 0; r < rows; r++) {
            states.write(examples[r], z.data, r * n);
        }
        return z;
    }

    /**
     * −mean log p̃(x, z) over the rows, with p̃ = exp(−E_θ(z)) p(x|z) (log Z left out), back-propagated into the
     * prior's and decoder's gradients (zeroed first). Returns the loss.
     */
    public double objectiveGradient(Matrix x, Matrix z) {
        model.params().zeroGrads();
        Var loss = ElementwiseOps.scale(ReduceOps.mean(logJoint(x, z, Mode.TRAIN)), -1f);
        loss.tape().backward(loss);
        return loss.value().data[0];
    }

    /** log p̃(x, z) = −E_θ(z) + log p(x|z) per row. */
    private Var logJoint(Matrix x, Matrix z, Mode mode) {
        Tape tape = mode == Mode.EVAL ? Tape.inference() : new Tape(); // EVAL: values only
        Var zv = tape.constant(z);
        return ElementwiseOps.add(model.prior().negEnergy(zv), model.decoder().logLikelihood(tape.constant(x), zv, mode));
    }
}
