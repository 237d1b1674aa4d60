package dvae.math.model;

import dvae.math.autodiff.ElementwiseOps;
import dvae.math.autodiff.LinearOps;
import dvae.math.autodiff.ParamSet;
import dvae.math.autodiff.ReduceOps;
import dvae.math.autodiff.ShapeOps;
import dvae.math.autodiff.Tape;
import dvae.math.autodiff.Var;
import dvae.math.nn.BatchNorm;
import dvae.math.nn.Mlp;
import dvae.math.nn.Mode;
import dvae.math.random.RandomStream;
import dvae.math.rbm.BlockGibbs;
import dvae.math.rbm.ChainStore;
import dvae.math.rbm.Rbm;
import dvae.math.rbm.RbmBatch;
import dvae.math.relax.RelaxOps;
import dvae.math.relax.Relaxation;
import dvae.math.tensor.Matrix;

/**
 * The amortized RBM posterior of DVAE## (Fig. 3a, Algorithm 1). A network maps x − mean_x to spins' fields h1, h2 and
 * raw couplings J_raw; J = scale·BN(J_raw)/√n1; in 0/1 units W = 4J, b1 = 2(h1 − rowsums J), b2 = 2(h2 − colsums J).
 *
 * <p>Training sample: the example's persistent side-1 chain takes s hard block-Gibbs sweeps under the current
 * φ(x) (no gradient) and is stored back; then t relaxed sweeps start from it, a2 = z1·W + b2, ζ2 = PWL(a2),
 * a1 = ζ2·Wᵀ + b1, ζ1 = PWL(a1), through which gradients reach φ(x) and the network (Eq. 16).
 */
public final class RbmPosterior implements Posterior {
    private final ModelConfig config;
    private final Relaxation relaxation;
    private final Mlp net;
    private final BatchNorm couplingNorm;
    private final ChainStore chains;
    private final int n1;
    private final int n2;

    /** @param chains persistent side-1 states per training example and replica (null: fresh chains only) */
    public RbmPosterior(ParamSet params, ModelConfig config, ChainStore chains, RandomStream rng) {
        this.config = config;
        this.relaxation = config.relaxationKernel();
        this.n1 = config.side1();
        this.n2 = config.side2();
        this.chains = chains;
        this.net = Mlp.builder("posterior/net", config.pixels()).hidden(config.encoderHidden())
                .batchNorm(config.batchNorm()).output(n1 + n2 + n1 * n2).build(params, rng);
        // Its γ is not weight-decayed, as in the authors' code.
        this.couplingNorm = new BatchNorm(params, "posterior/coupling-bn", n1 * n2, config.batchNorm(), false);
    }

    /** φ(x) = (b1, b2, W) per row, on the tape: rows × n1, rows × n2, rows × n1·n2 (each row an n1×n2 matrix). */
    public record Parameters(Var b1, Var b2, Var w) {
        /** The values as a batch of machines for samplers and AIS (shares the arrays). */
        public RbmBatch asBatch() {
            return new RbmBatch(b1.rows(), b1.cols(), b2.cols(), w.value().data, b1.value().data, b2.value().data);
        }
    }

    public Parameters parameters(Var x, Mode mode) {
        Var out = net.forward(x, mode);
        // W = 4J = 4·scale·BN(J_raw)/√n1 in one operation: 4·(float)(scale/√n1) is exact, so W is 4J bit for bit.
        float couplingFactor = 4 * (float) (config.couplingScale() / Math.sqrt(n1));
        Var w = couplingNorm.forward(out, n1 + n2, n1 + n2 + n1 * n2, couplingFactor, mode);
        Var b = CouplingOps.biases(out, w, n1, n2);
        return new Parameters(ShapeOps.sliceColumns(b, 0, n1), ShapeOps.sliceColumns(b, n1, n1 + n2), w);
    }

    /** φ(x) of one example as an RBM, from its encoder input (1 × pixels): what evaluation anneals to. */
    public Rbm machine(Matrix x, Mode mode) {
        return parameters(Tape.inference().constant(x), mode).asBatch().example(0);
    }

    @Override
    public RelaxedSample relaxedSample(Var x, int[] examples, int replicas, Mode mode, RandomStream rng) {
        Parameters phi = parameters(x, mode);
        Tape tape = x.tape();
        int rows = x.rows();
        float[] z1 = new float[rows * n1];
        float[] z2 = new float[rows * n2];
        if (examples != null && chains != null) {
            for (int r = 0; r < rows; r += replicas) {
                chains.read(examples[r], z1, r * n1);
            }
        } else {
            for (int i = 0; i < z1.length; i++) {
                z1[i] = rng.nextFloat() < 0.5f ? 1f : 0f;
            }
        }
        new BlockGibbs(rng).sweeps(phi.asBatch(), 1, z1, z2, config.gibbsSweeps());
        if (examples != null && chains != null) {
            for (int r = 0; r < rows; r += replicas) {
                chains.write(examples[r], z1, r * n1);
            }
        }
        Var side1 = tape.constant(new Matrix(rows, n1, z1));
        Var zeta1 = null;
        Var zeta2 = null;
        Var a1 = null;
        for (int t = 0; t < config.relaxedSweeps(); t++) {
            Var a2 = ElementwiseOps.add(LinearOps.matmulBatched(side1, phi.w()), phi.b2());
            zeta2 = relax(a2, rng);
            a1 = ElementwiseOps.add(LinearOps.matmulBatchedTransW(zeta2, phi.w()), phi.b1());
            zeta1 = relax(a1, rng);
            side1 = zeta1;
        }
        Var zeta = ShapeOps.concatColumns(zeta1, zeta2);
        Var meanField = ShapeOps.concatColumns(ElementwiseOps.sigmoid(a1), zeta2);
        return new Sample(zeta, config.energyAtMeanField() ? meanField : zeta, phi);
    }

    private Var relax(Var logits, RandomStream rng) {
        float[] noise = new float[logits.value().size()];
        rng.fillUniform(noise);
        return RelaxOps.relax(logits, relaxation, noise);
    }

    /** −E_φ(z) per row with φ stop-gradiented: b1·z1 + b2·z2 + z1ᵀ W z2. */
    private Var negEnergy(Var z, Parameters phi) {
        Var z1 = ShapeOps.sliceColumns(z, 0, n1);
        Var z2 = ShapeOps.sliceColumns(z, n1, n1 + n2);
        Var b1 = ShapeOps.stopGradient(phi.b1());
        Var b2 = ShapeOps.stopGradient(phi.b2());
        Var w = ShapeOps.stopGradient(phi.w());
        Var field = ElementwiseOps.add(ReduceOps.rowSums(ElementwiseOps.mul(z1, b1)),
                ReduceOps.rowSums(ElementwiseOps.mul(z2, b2)));
        return ElementwiseOps.add(field,
                ReduceOps.rowSums(ElementwiseOps.mul(LinearOps.matmulBatched(z1, w), z2)));
    }

    private final class Sample implements RelaxedSample {
        private final Var zeta;
        private final Var energyPoint;
        private final Parameters phi;

        Sample(Var zeta, Var energyPoint, Parameters phi) {
            this.zeta = zeta;
            this.energyPoint = energyPoint;
            this.phi = phi;
        }

        @Override
        public Var zeta() {
            return zeta;
        }

        /** E_θ(ζ_mf) − E_φ′(ζ_mf) (+ log Z_θ): Algorithm 1 with the code's Rao-Blackwellised side 1. */
        @Override
        public Var klWithoutLogZ(RbmPrior prior) {
            return ElementwiseOps.sub(logQ(energyPoint), prior.negEnergy(energyPoint));
        }

        @Override
        public Var logQ(Var z) {
            return negEnergy(z, phi);
        }
    }
}
