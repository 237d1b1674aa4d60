package dvae.math.optim;

import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.util.Parallel;

/** L2 weight decay, coefficient·½‖θ‖² over the parameters flagged {@link Param#decayed()}. */
public final class WeightDecay {
    /** The reference's coefficient. */
    public static final double COEFFICIENT = 1e-4;

    /** Elements per parallel part at least. */
    private static final int PARALLEL_MIN = 1 << 16;

    private WeightDecay() {
    }

    /**
     * Adds the penalty's gradient, coefficient·θ, to every decayed parameter's gradient. Call after backward, before
     * the optimizer step. Element by element with no reduction, so the loop runs in vector lanes (the penalty's
     * value, a sum in double, cost more than the update itself; see {@link #penalty}).
     */
    public static void addToGradients(ParamSet params, double coefficient) {
        float c = (float) coefficient;
        for (Param p : params.trainable()) {
            if (!p.decayed()) {
                continue;
            }
            float[] theta = p.value().data;
            float[] g = p.grad().data;
            Parallel.forRanges(theta.length, PARALLEL_MIN, (part, from, to) -> {
                for (int i = from; i < to; i++) {
                    g[i] += c * theta[i];
                }
            });
        }
    }

    /** The penalty coefficient·½Σ‖θ‖² over the decayed parameters (to add to a logged loss), summed in double. */
    public static double penalty(ParamSet params, double coefficient) {
        double sq = 0;
        for (Param p : params.trainable()) {
            if (p.decayed()) {
                for (float x : p.value().data) {
                    sq += (double) x * x;
                }
            }
        }
        return 0.5 * coefficient * sq;
    }
}
