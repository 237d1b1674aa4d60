package dvae.math.model;

import dvae.math.autodiff.ElementwiseOps;
import dvae.math.autodiff.LinearOps;
import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.autodiff.ReduceOps;
import dvae.math.autodiff.Role;
import dvae.math.autodiff.ShapeOps;
import dvae.math.autodiff.Tape;
import dvae.math.autodiff.Var;
import dvae.math.rbm.NegativePhase;
import dvae.math.rbm.Rbm;
import dvae.math.relax.PowerFunction;
import dvae.math.relax.PowerFunctionOps;
import dvae.math.relax.Relaxation;
import dvae.math.tensor.Matrix;
import java.util.Set;

/**
 * The RBM prior p(z) = exp(b1·z1 + b2·z2 + z1ᵀWz2)/Z. Parameters start at zero; W is weight-decayed, the biases are
 * not. log Z never appears on the tape: its gradient (the negative phase E[z1], E[z2], E[z1z2ᵀ] from a prior sampler)
 * is added straight into the parameter gradients with {@link #addLogZGradient}.
 */
public final class RbmPrior {
    private static final int MEAN_FIELD_PASSES = 5;
    private final Param b1;
    private final Param b2;
    private final Param w;

    public RbmPrior(ParamSet params, int n1, int n2) {
        b1 = params.add("prior/b1", Role.BIAS, new Matrix(1, n1));
        b2 = params.add("prior/b2", Role.BIAS, new Matrix(1, n2));
        w = params.add("prior/W", Role.KERNEL, new Matrix(n1, n2));
    }

    /** The prior's parameters: W, b1 and b2. */
    public Set<Param> parameters() {
        return Set.of(w, b1, b2);
    }

    public int n1() {
        return b1.value().cols;
    }

    public int n2() {
        return b2.value().cols;
    }

    /** −E_θ(z) per row for z = [z1, z2] (rows × n1+n2), continuous or binary. */
    public Var negEnergy(Var z) {
        Tape t = z.tape();
        Var z1 = ShapeOps.sliceColumns(z, 0, n1());
        Var z2 = ShapeOps.sliceColumns(z, n1(), n1() + n2());
        Var field = ElementwiseOps.add(
                LinearOps.matmulTransB(z1, t.param(b1)), LinearOps.matmulTransB(z2, t.param(b2)));
        Var coupling = ReduceOps.rowSums(ElementwiseOps.mul(LinearOps.matmul(z1, t.param(w)), z2));
        return ElementwiseOps.add(field, coupling);
    }

    /**
     * log p(ζ) + log Z of a relaxed sample: the energy at ζ for PWL and Concrete (the GumBolt proxy), the mean-field
     * marginal of the smoothed prior for the power-function relaxation (DVAE#).
     */
    public Var relaxedLogDensity(Var zeta, Relaxation relaxation) {
        if (relaxation instanceof PowerFunction pf) {
            Tape t = zeta.tape();
            return PowerFunctionOps.meanFieldLogMarginal(ShapeOps.sliceColumns(zeta, 0, n1()),
                    ShapeOps.sliceColumns(zeta, n1(), n1() + n2()), t.param(b1), t.param(b2), t.param(w), pf,
                    MEAN_FIELD_PASSES);
        }
        return negEnergy(zeta);
    }

    /** Adds coefficient · ∂log Z/∂θ, given the sampler's negative phase, into the parameters' gradients. */
    public void addLogZGradient(NegativePhase phase, double coefficient) {
        add(b1.grad().data, phase.meanZ1(), coefficient);
        add(b2.grad().data, phase.meanZ2(), coefficient);
        add(w.grad().data, phase.meanZ1Z2(), coefficient);
    }

    private static void add(float[] into, double[] values, double coefficient) {
        for (int i = 0; i < into.length; i++) {
            into[i] += (float) (coefficient * values[i]);
        }
    }

    /** The prior as an {@link Rbm} sharing this model's parameter arrays (samplers and AIS read it live). */
    /** The energy and its tensors by their names in the checkpoint's parameter manifest, for readers outside it. */
    public java.util.Map<String, Object> describe() {
        return java.util.Map.of("b1", b1.name(), "b2", b2.name(), "W", w.name(), "energy",
                "E(z) = -(z1 . b1) - (z2 . b2) - z1 . W . z2, z = [z1, z2] with z1 the first " + n1()
                        + " bits, each 0 or 1; p(z) = exp(-E(z)) / Z");
    }

    public Rbm asRbm() {
        return new Rbm(n1(), n2(), w.value().data, b1.value().data, b2.value().data);
    }
}
