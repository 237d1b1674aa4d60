package dvae.math.relax;

/**
 * A continuous relaxation ζ ∈ [0, 1] of a Bernoulli unit with logit l, reparameterised by uniform noise: ζ = ζ(l, ρ)
 * with ρ ~ U(0, 1) (some relaxations take a second uniform). Element-wise over arrays; each call also returns
 * ∂ζ/∂l so a differentiation tape can apply the chain rule without recomputing the forward pass.
 *
 * <p>The discrete companion of every relaxation here is z = 1 iff ρ > 1 − σ(l), so z ~ Bern(σ(l)).
 */
public interface Relaxation {
    /** How many independent uniforms each unit consumes per sample (1, or 2 for the power-function mixture). */
    int uniformsPerUnit();

    /**
     * For i in [0, n): zeta[i] = ζ(logit[i], noise), dZetaDLogit[i] = ∂ζ/∂l. The noise of unit i is
     * noise[i] (and noise[n + i] for a second uniform).
     */
    void relax(float[] logit, float[] noise, float[] zeta, float[] dZetaDLogit, int n);

    /** Logistic function in double: the steep PWL slope (up to β/0.04) would amplify float rounding of σ. */
    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }
}
