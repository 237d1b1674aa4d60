package dvae.math.optim;

import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;

/** L2 weight decay, coefficient·½‖θ‖² over the parameters flagged {@link Param#decayed()}. */
public final class WeightDecay {
    /** The reference's coefficient. */
    public static final double COEFFICIENT = 1e-4;

    private WeightDecay() {
    }

    /**
     * Adds the penalty's gradient, coefficient·θ, to every decayed parameter's gradient and returns the penalty
     * coefficient·½Σ‖θ‖² (to add to the logged loss). Call after backward, before the optimizer step.
     */
    public static double addToGradients(ParamSet params, double coefficient) {
        double penalty = 0;
        float c = (float) coefficient;
        for (Param p : params.trainable()) {
            if (!p.decayed()) {
                continue;
            }
            float[] theta = p.value().data;
            float[] g = p.grad().data;
            double sq = 0;
            for (int i = 0; i < theta.length; i++) {
                sq += (double) theta[i] * theta[i];
                g[i] += c * theta[i];
            }
            penalty += 0.5 * coefficient * sq;
        }
        return penalty;
    }
}
