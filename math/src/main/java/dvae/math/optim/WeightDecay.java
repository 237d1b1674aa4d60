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
            double[] sq = new double[Parallel.rangeParts(theta.length, PARALLEL_MIN)];
            Parallel.forRanges(theta.length, PARALLEL_MIN, (part, from, to) -> {
                double s = 0;
                for (int i = from; i < to; i++) {
                    s += (double) theta[i] * theta[i];
                    g[i] += c * theta[i];
                }
                sq[part] = s;
            });
            for (double s : sq) {
                penalty += 0.5 * coefficient * s; // summed in part order: the same total at every run
            }
        }
        return penalty;
    }
}
