package dvae.math.relax;

/**
 * Concrete / Gumbel-sigmoid relaxation (GumBolt baseline): ζ = σ(β(l + log ρ − log(1 − ρ))) with ρ clipped to
 * [1e-5, 1 − 1e-5] so the logistic noise stays finite; ∂ζ/∂l = βζ(1 − ζ). β = 10 (temperature 0.1), fixed.
 */
public record Concrete(double beta) implements Relaxation {
    private static final double NOISE_CLIP = 1e-5;

    public Concrete {
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("Concrete beta must be positive and finite, got " + beta);
        }
    }

    @Override
    public int uniformsPerUnit() {
        return 1;
    }

    @Override
    public void relax(float[] logit, float[] noise, float[] zeta, float[] dZetaDLogit, int n) {
        for (int i = 0; i < n; i++) {
            double rho = Math.min(Math.max(noise[i], NOISE_CLIP), 1 - NOISE_CLIP);
            double x = beta * (logit[i] + Math.log(rho) - Math.log1p(-rho));
            double z = Relaxation.sigmoid(x);
            zeta[i] = (float) z;
            dZetaDLogit[i] = (float) (beta * z * (1 - z));
        }
    }
}
