package dvae.math.rbm;

import dvae.math.tensor.Scalars;
/**
 * Where an annealing path starts (β = 0) on its way to the RBM (β = 1). The intermediate distribution at β is
 * ∝ exp(sb(β)·(b1·z1 + b2·z2) + β·z1ᵀWz2).
 */
public enum AnnealingBase {
    /** The uniform distribution: biases and couplings annealed together, sb(β) = β. The prior's default. */
    UNIFORM,
    /** The factorial distribution of the RBM's own biases: only couplings annealed, sb(β) = 1. The posterior's. */
    BIASES;

    float biasScale(double beta) {
        return this == UNIFORM ? (float) beta : 1f;
    }

    /** log Z at β = 0. */
    double logZ(Rbm rbm) {
        if (this == UNIFORM) {
            return (rbm.n1() + rbm.n2()) * Math.log(2);
        }
        double sum = 0;
        for (float b : rbm.b1()) {
            sum += Scalars.softplus(b);
        }
        for (float b : rbm.b2()) {
            sum += Scalars.softplus(b);
        }
        return sum;
    }

    /** The name used on the command line and in JSON. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static AnnealingBase fromLabel(String label) {
        for (AnnealingBase b : values()) {
            if (b.label().equals(label)) {
                return b;
            }
        }
        throw new dvae.math.BadInputException("unknown annealing base '" + label + "' (expected uniform or biases)");
    }
}
