package dvae.math.model;

import dvae.math.autodiff.ElementwiseOps;
import dvae.math.autodiff.ParamSet;
import dvae.math.autodiff.ReduceOps;
import dvae.math.autodiff.ShapeOps;
import dvae.math.autodiff.Tape;
import dvae.math.autodiff.Var;
import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.model.ModelConfig.RelaxationKind;
import dvae.math.nn.Dense;
import dvae.math.nn.FoldedMlp;
import dvae.math.nn.Layer;
import dvae.math.nn.Mlp;
import dvae.math.nn.Mode;
import dvae.math.random.RandomStream;
import dvae.math.relax.PowerFunction;
import dvae.math.relax.PowerFunctionOps;
import dvae.math.relax.RelaxOps;
import dvae.math.relax.Relaxation;
import dvae.math.rbm.BernoulliDraws;
import dvae.math.tensor.LikelihoodKernels;
import dvae.math.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;

/**
 * Directed posterior q(z|x) = Π_i q(z_i | x, z_<i) over L groups of n/L latents, each factorial (the DVAE#,
 * GumBolt and PWL baselines).
 * <ul>
 *   <li>Shared context (Fig. 3c, default): c(x) is an MLP of tanh/BN layers; level i's logits are a linear layer of
 *       [c(x), ζ_1..ζ_{i−1}].</li>
 *   <li>DVAE#'s own structure (Fig. 3b): level i has its own MLP on [x − mean_x, ζ_<i].</li>
 * </ul>
 * The first n/2 latents are the prior's side 1: groups 1..L/2 (half of the single group when L = 1).
 */
public final class DirectedPosterior implements Posterior {
    private final ModelConfig config;
    private final Relaxation relaxation;
    private final Mlp context;
    private final List<Layer> levels = new ArrayList<>();

    public DirectedPosterior(ParamSet params, ModelConfig config, RandomStream rng) {
        this.config = config;
        this.relaxation = config.relaxationKernel();
        int group = config.latents() / config.levels();
        boolean shared = config.posterior() == PosteriorKind.DIRECTED;
        this.context = shared ? Mlp.builder("posterior/context", config.pixels()).hidden(config.encoderHidden())
                .batchNorm(config.batchNorm()).build(params, rng) : null;
        int contextWidth = shared ? config.encoderHidden()[config.encoderHidden().length - 1] : config.pixels();
        for (int i = 0; i < config.levels(); i++) {
            String name = "posterior/level" + i;
            int in = contextWidth + i * group;
            levels.add(shared ? new Dense(params, name, in, group, true, rng)
                    : Mlp.builder(name, in).hidden(config.encoderHidden()).batchNorm(config.batchNorm())
                            .output(group).build(params, rng));
        }
    }

    /** Logits of level i given the context (or x) and the samples of the earlier levels. */
    private Var levelLogits(int i, Var base, List<Var> earlier, Mode mode) {
        List<Var> parts = new ArrayList<>();
        parts.add(base);
        parts.addAll(earlier);
        Var input = parts.size() == 1 ? base : ShapeOps.concatColumns(parts.toArray(Var[]::new));
        return levels.get(i).forward(input, mode);
    }

    @Override
    public RelaxedSample relaxedSample(Var x, int[] examples, int replicas, Mode mode, RandomStream rng) {
        Var base = context == null ? x : context.forward(x, mode);
        List<Var> zetas = new ArrayList<>();
        List<Var> logits = new ArrayList<>();
        for (int i = 0; i < levels.size(); i++) {
            Var l = levelLogits(i, base, zetas, mode);
            float[] noise = new float[l.value().size() * relaxation.uniformsPerUnit()];
            rng.fillUniform(noise);
            logits.add(l);
            zetas.add(RelaxOps.relax(l, relaxation, noise));
        }
        return new Sample(concat(zetas), logits);
    }

    /** Discrete states z (rows × n, 0/1) with their exact log q(z|x) per row, in double. */
    public record DiscreteSample(Matrix z, double[] logQ) {
    }

    /**
     * Evaluation's ancestral sampling: {@code samples} draws for one example, z_i ~ Bern(σ(l_i(c(x), z_<i))) level by
     * level with the discrete earlier levels as inputs (relaxations play no part), and log q = Σ Bernoulli log-masses.
     *
     * @param x the example's encoder input, 1 × pixels
     */
    public DiscreteSample discreteSample(Matrix x, int samples, RandomStream rng) {
        return ancestral(x, new Matrix(samples, config.latents()), rng);
    }

    /** log q(z|x) of given discrete states (rows × n) of one example (exact enumeration). */
    public double[] logMass(Matrix x, Matrix z) {
        return ancestral(x, z, null).logQ();
    }

    /**
     * Fills z level by level from rng, or scores the z given when rng is null; evaluation mode, without the tape (see
     * {@link FoldedMlp}): one buffer holds [c(x), z] for every row, level i's network reads its first columns, and its
     * output bias enters the draws and log-masses as they go.
     */
    private DiscreteSample ancestral(Matrix x, Matrix z, RandomStream rng) {
        int rows = z.rows;
        int n = config.latents();
        int group = n / levels.size();
        // The context net sees one row (batch norm in EVAL is per row), repeated for every sample.
        float[] base = context == null ? x.data
                : context.forward(Tape.inference().constant(x), Mode.EVAL).value().data;
        int width = base.length + n;
        float[] input = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(base, 0, input, r * width, base.length);
            if (rng == null) {
                System.arraycopy(z.data, r * n, input, r * width + base.length, n);
            }
        }
        double[] logQ = new double[rows];
        float[] uniforms = new float[rows * group];
        float[] zi = new float[rows * group];
        for (int i = 0; i < levels.size(); i++) {
            FoldedMlp level = FoldedMlp.of(levels.get(i));
            float[] l = level.forward(input, 0, rows, width, false);
            float[] bias = level.outputBias();
            if (rng != null) {
                rng.fillUniform(uniforms);
                BernoulliDraws.draw(l, bias, rows, group, uniforms, zi);
            }
            for (int r = 0; r < rows; r++) {
                if (rng != null) {
                    System.arraycopy(zi, r * group, z.data, r * n + i * group, group);
                    System.arraycopy(zi, r * group, input, r * width + base.length + i * group, group);
                } else {
                    System.arraycopy(z.data, r * n + i * group, zi, r * group, group);
                }
            }
            LikelihoodKernels.addRowLogLikelihoods(l, bias, rows, group, zi, group, logQ, 0);
        }
        return new DiscreteSample(z, logQ);
    }

    private static Var concat(List<Var> parts) {
        return parts.size() == 1 ? parts.get(0) : ShapeOps.concatColumns(parts.toArray(Var[]::new));
    }

    private final class Sample implements RelaxedSample {
        private final Var zeta;
        private final List<Var> logits;

        Sample(Var zeta, List<Var> logits) {
            this.zeta = zeta;
            this.logits = logits;
        }

        @Override
        public Var zeta() {
            return zeta;
        }

        /**
         * PWL and Concrete: "KL as a function", E_θ(m) − Σ_i H(q_i) (+ log Z), with m = q for L = 1 and
         * m = [ζ of the side-1 groups, q of the side-2 groups] for L ≥ 2 (side 2 Rao-Blackwellised).
         * Power-function: log q(ζ) − log p(ζ) with the mixture density and the mean-field relaxed prior.
         */
        @Override
        public Var klWithoutLogZ(RbmPrior prior) {
            if (config.relaxation() == RelaxationKind.POWER) {
                return ElementwiseOps.sub(logQ(zeta), prior.relaxedLogDensity(zeta, relaxation));
            }
            int l = logits.size();
            List<Var> mean = new ArrayList<>();
            Var entropy = null;
            for (int i = 0; i < l; i++) {
                Var q = ElementwiseOps.sigmoid(logits.get(i));
                boolean sideOne = l > 1 && i < l / 2;
                mean.add(sideOne ? ShapeOps.sliceColumns(zeta, i * width(), (i + 1) * width()) : q);
                // H(Bern(σ(l))) = softplus(l) − σ(l)·l, summed over the group's units.
                Var h = ReduceOps.rowSums(ElementwiseOps.sub(ElementwiseOps.softplus(logits.get(i)),
                        ElementwiseOps.mul(q, logits.get(i))));
                entropy = entropy == null ? h : ElementwiseOps.add(entropy, h);
            }
            Var energy = ElementwiseOps.scale(prior.negEnergy(concat(mean)), -1f);
            return ElementwiseOps.sub(energy, entropy);
        }

        private int width() {
            return config.latents() / logits.size();
        }

        @Override
        public Var logQ(Var z) {
            Var fixedLogits = ShapeOps.stopGradient(concat(logits));
            if (relaxation instanceof PowerFunction pf) {
                return PowerFunctionOps.mixtureLogDensity(z, fixedLogits.value(), pf);
            }
            // Σ z log σ(l) + (1 − z) log σ(−l) = Σ z·l − softplus(l): the Bernoulli log-mass at the relaxed z.
            return ReduceOps.bernoulliLogLikelihood(z, fixedLogits);
        }
    }
}
