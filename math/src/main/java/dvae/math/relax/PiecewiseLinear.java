package dvae.math.relax;

/**
 * Piece-wise linear relaxation (Andriyash et al., 2018), the relaxation DVAE## uses inside its relaxed Gibbs update:
 * with q = σ(l) and slope s(q) = (β/4)/(q(1−q) + 0.01), ζ = clip(0.5 + s·(ρ − (1 − q)), 0, 1). β = 4 on MNIST, 3 on
 * OMNIGLOT.
 *
 * <p>By default the gradient flows through the slope as in the authors' DVAE## code:
 * ∂ζ/∂q = s + (ρ − 1 + q)·ds/dq with ds/dq = −(β/4)(1 − 2q)/(q(1−q) + 0.01)². The original PWL method holds the
 * slope constant ({@code slopeGradient = false}), which drops the second term. Outside the linear region ∂ζ/∂q = 0.
 */
public record PiecewiseLinear(double beta, boolean slopeGradient) implements Relaxation {
    private static final double SLOPE_FLOOR = 0.01;

    public PiecewiseLinear {
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("PWL beta must be positive and finite, got " + beta);
        }
    }

    public PiecewiseLinear(double beta) {
        this(beta, true);
    }

    @Override
    public int uniformsPerUnit() {
        return 1;
    }

    @Override
    public void relax(float[] logit, float[] noise, float[] zeta, float[] dZetaDLogit, int n) {
        double quarterBeta = beta / 4;
        for (int i = 0; i < n; i++) {
            double q = Relaxation.sigmoid(logit[i]);
            double variance = q * (1 - q);
            double denom = variance + SLOPE_FLOOR;
            double slope = quarterBeta / denom;
            double offset = noise[i] - (1 - q);
            double raw = 0.5 + slope * offset;
            if (raw <= 0 || raw >= 1) {
                zeta[i] = raw <= 0 ? 0f : 1f;
                dZetaDLogit[i] = 0f;
            } else {
                double dSlopeDq = slopeGradient ? -quarterBeta * (1 - 2 * q) / (denom * denom) : 0;
                zeta[i] = (float) raw;
                dZetaDLogit[i] = (float) ((slope + offset * dSlopeDq) * variance);
            }
        }
    }
}
