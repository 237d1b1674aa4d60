package dvae.math.relax;

/**
 * Power-function mixture relaxation (DVAE#): with λ = 1/β, smoothing densities r0(ζ) = λζ^(λ−1) and
 * r1(ζ) = r0(1 − ζ) on [0, 1], and q = σ(l), ζ is drawn from q(ζ) = (1 − q)r0(ζ) + q·r1(ζ): z ~ Bern(q) from the first
 * uniform ρ (z = 1 iff ρ > 1 − q), s = ρ'^β from the second, ζ = s if z = 0 and 1 − s otherwise.
 *
 * <p>The gradient is the implicit reparameterisation of the mixture's CDF F(ζ) = (1 − q)R0(ζ) + q·R1(ζ) with
 * R0(ζ) = ζ^λ, R1(ζ) = 1 − (1 − ζ)^λ: ∂ζ/∂q = (R0 − R1)/((1 − q)r0 + q·r1), then ∂q/∂l = q(1 − q). As in the
 * authors' code, 1e-7 is added inside the powers so the densities stay finite at the end points. β = 30 by default.
 */
public record PowerFunction(double beta) implements Relaxation {
    private static final double TINY = 1e-7;

    public PowerFunction {
        if (!(beta > 1) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("power-function beta must be > 1 and finite, got " + beta);
        }
    }

    @Override
    public int uniformsPerUnit() {
        return 2;
    }

    /** The smoothing density r0(ζ) = λ(ζ + 1e-7)^(λ−1). */
    public double r0(double zeta) {
        double lambda = 1 / beta;
        return lambda * Math.pow(zeta + TINY, lambda - 1);
    }

    @Override
    public void relax(float[] logit, float[] noise, float[] zeta, float[] dZetaDLogit, int n) {
        double lambda = 1 / beta;
        for (int i = 0; i < n; i++) {
            double q = Relaxation.sigmoid(logit[i]);
            boolean one = noise[i] > 1 - q;
            double s = Math.pow(noise[n + i], beta);
            double z = one ? 1 - s : s;
            double cdf0 = Math.pow(z + TINY, lambda);
            double cdf1 = 1 - Math.pow(1 - z + TINY, lambda);
            double density = (1 - q) * r0(z) + q * r0(1 - z);
            zeta[i] = (float) z;
            dZetaDLogit[i] = (float) ((cdf0 - cdf1) / density * q * (1 - q));
        }
    }
}
