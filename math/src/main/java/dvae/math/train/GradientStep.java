package dvae.math.train;

import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.model.DvaeModel;
import dvae.math.optim.Adam;
import dvae.math.random.RandomStream;
import dvae.math.rbm.NegativePhase;
import dvae.math.tensor.Matrix;
import dvae.math.tensor.MatrixOps;
import java.util.Set;

/**
 * The two halves of a training step, shared by the reference {@link Trainer} and the actors (a worker computes, the
 * parameter server updates), so both engines do the same arithmetic in the same order.
 */
public final class GradientStep {
    private GradientStep() {
    }

    /**
     * A batch's gradient at the model's current parameters, left in their gradients: the objective's forward and
     * backward pass (the posterior's persistent chains of {@code examples} advance inside), plus log Z's gradient
     * from the prior sampler's negative phase ({@code phase} null when the objective has no log Z).
     */
    public static DvaeModel.StepValues compute(DvaeModel model, Matrix x, int[] examples, double lambda,
                                               NegativePhase phase, RandomStream noise) {
        DvaeModel.StepValues values = objectiveGradient(model, x, examples, lambda, noise);
        addLogZGradient(model, lambda, phase);
        return values;
    }

    /**
     * The first part of {@link #compute}: the objective's gradient alone (it needs no prior sample, so a worker runs
     * it while the samplers run).
     */
    public static DvaeModel.StepValues objectiveGradient(DvaeModel model, Matrix x, int[] examples, double lambda,
                                                         RandomStream noise) {
        model.params().zeroGrads();
        return model.forwardBackward(x, examples, lambda, noise);
    }

    /** The second part of {@link #compute}: adds log Z's gradient ({@code phase} null: none). */
    public static void addLogZGradient(DvaeModel model, double lambda, NegativePhase phase) {
        if (phase != null) {
            model.prior().addLogZGradient(phase, model.logZCoefficient(lambda));
        }
    }

    /** Whether the step may be applied: a finite loss and finite gradients. */
    public static boolean finite(DvaeModel.StepValues values, ParamSet params) {
        if (!Double.isFinite(values.loss())) {
            return false;
        }
        for (Param p : params.trainable()) {
            if (!MatrixOps.allFinite(p.grad().data)) {
                return false;
            }
        }
        return true;
    }

    /** Applies the gradients of the parameters Adam trains: one Adam step at {@code rate} with weight decay added. */
    public static void update(Adam adam, double weightDecay, double rate) {
        adam.step(rate, weightDecay);
    }

    /** The same update with {@code first} updated before the rest and {@code between} run in between. */
    public static void update(Adam adam, double weightDecay, double rate, Set<Param> first, Runnable between) {
        adam.step(rate, weightDecay, first, between);
    }
}
