package dvae.math.optim;

import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;

/**
 * L2 weight decay, coefficient·½‖θ‖² over the parameters flagged {@link Param#decayed()}. Its gradient,
 * coefficient·θ, is added inside the optimizer's pass ({@link Adam#step(double, double)}).
 */
public final class WeightDecay {
    /** The reference's coefficient. */
    public static final double COEFFICIENT = 1e-4;

    private WeightDecay() {
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
