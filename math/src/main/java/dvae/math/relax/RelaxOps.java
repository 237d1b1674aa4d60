package dvae.math.relax;

import dvae.math.autodiff.Var;
import dvae.math.tensor.Matrix;

/** Relaxations on the differentiation tape: ζ = relax(l; ρ) with the reparameterised gradient ∂ζ/∂l. */
public final class RelaxOps {
    private RelaxOps() {
    }

    /**
     * Relaxed samples of Bernoulli units with the given logits. {@code noise} holds {@code logits.size()} uniforms per
     * {@link Relaxation#uniformsPerUnit()} (the second block after the first); it is read, not kept.
     */
    public static Var relax(Var logits, Relaxation relaxation, float[] noise) {
        int n = logits.value().size();
        if (noise.length < n * relaxation.uniformsPerUnit()) {
            throw new IllegalArgumentException("relaxation of " + n + " units needs " + n * relaxation.uniformsPerUnit()
                    + " uniforms, given " + noise.length);
        }
        Matrix zeta = new Matrix(logits.rows(), logits.cols());
        float[] dZeta = new float[n];
        relaxation.relax(logits.value().data, noise, zeta.data, dZeta, n);
        return logits.tape().record(zeta, dy -> {
            float[] dl = logits.grad().data;
            for (int i = 0; i < n; i++) {
                dl[i] += dy.data[i] * dZeta[i];
            }
        }, logits);
    }

    /** The discrete companion z = 1 iff ρ > 1 − σ(l) of {@link #relax} with the same noise, as 0/1 floats. */
    public static Matrix discreteCompanion(Matrix logits, float[] noise) {
        Matrix z = new Matrix(logits.rows, logits.cols);
        for (int i = 0; i < z.data.length; i++) {
            z.data[i] = noise[i] > 1 - Relaxation.sigmoid(logits.data[i]) ? 1f : 0f;
        }
        return z;
    }
}
