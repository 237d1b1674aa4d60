package dvae.math.rbm;

/** Vectorised Bernoulli draws from logits and given uniforms, for samplers outside this package. */
public final class BernoulliDraws {
    private BernoulliDraws() {
    }

    /**
     * out[r, c] = 1 if u[r, c] < σ(logits[r, c] + bias[c]) else 0, over row-major rows × cols; out must not alias
     * logits.
     */
    public static void draw(float[] logits, float[] bias, int rows, int cols, float[] uniforms, float[] out) {
        VectorMath.sampleBernoulli(logits, 0, 1f, bias, 0, 1f, rows, cols, uniforms, out, 0);
    }
}
