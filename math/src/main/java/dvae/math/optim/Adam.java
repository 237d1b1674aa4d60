package dvae.math.optim;

import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.tensor.Matrix;
import dvae.math.tensor.VectorFunctions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Adam in TensorFlow 1's form: at step t (from 1),
 * m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², θ ← θ − lr·√(1−β2ᵗ)/(1−β1ᵗ) · m/(√v + ε).
 * ε is added to the uncorrected √v, which makes ε = 1e-3 (the reference's setting) much stronger than it looks.
 * The moments and t are the optimizer state; {@link dvae.math.io.ParamStore} saves and restores them.
 */
public final class Adam {
    /** The reference settings: β1 = 0.9, β2 = 0.999, ε = 1e-3. */
    public static final double BETA1 = 0.9;
    public static final double BETA2 = 0.999;
    public static final double EPSILON = 1e-3;

    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final Map<Param, Matrix> m = new LinkedHashMap<>();
    private final Map<Param, Matrix> v = new LinkedHashMap<>();
    private long steps;

    public Adam(ParamSet params) {
        this(params, BETA1, BETA2, EPSILON);
    }

    public Adam(ParamSet params, double beta1, double beta2, double epsilon) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        for (Param p : params.trainable()) {
            m.put(p, new Matrix(p.value().rows, p.value().cols));
            v.put(p, new Matrix(p.value().rows, p.value().cols));
        }
    }

    /** One update of every trainable parameter from its current gradient, with learning rate lr. */
    public void step(double lr) {
        step(lr, 0);
    }

    /**
     * One update of every trainable parameter, with learning rate lr, from its current gradient plus, for the
     * parameters flagged {@link Param#decayed()}, the L2 penalty's gradient weightDecay·θ ({@link WeightDecay}):
     * added in the same pass, as a separate pass would add it to the gradient first, with the same float operations.
     * The gradients are left as they were.
     *
     * <p>One thread: the update streams seven arrays through memory once, and two threads were no faster (the
     * 100+100 model's 2.54 million parameters, 300 timed steps: Adam 1.00 ms on one thread and 1.11 ms on two, the
     * separate decay pass 0.36 and 0.56 ms; fused on one thread 1.01-1.17 ms), while the second core has other work
     * in a training step (the prior sampler, or in a cluster the other JVM).
     */
    public void step(double lr, double weightDecay) {
        step(lr, weightDecay, Set.of(), () -> { });
    }

    /**
     * The same step with the parameters in {@code first} updated before the others and {@code between} run in
     * between (the reference trainer starts the next prior sample there, from the prior's updated parameters, while
     * the rest of the model updates): each parameter's update is its own, so the order changes no value.
     */
    public void step(double lr, double weightDecay, Set<Param> first, Runnable between) {
        steps++;
        double lrT = lr * Math.sqrt(1 - Math.pow(beta2, steps)) / (1 - Math.pow(beta1, steps));
        float rate = (float) lrT;
        for (Param p : first) {
            update(p, weightDecay, rate);
        }
        between.run();
        for (Param p : m.keySet()) {
            if (!first.contains(p)) {
                update(p, weightDecay, rate);
            }
        }
    }

    private void update(Param p, double weightDecay, float rate) {
        float decay = p.decayed() ? (float) weightDecay : 0f;
        update(p.value().data, p.grad().data, slot(m, p).data, slot(v, p).data, decay, (float) beta1, (float) beta2,
                rate, (float) epsilon);
    }

    /**
     * One update of every element from the gradient g + decay·θ (decay 0: g alone, not even multiplied), in
     * vector lanes and then one by one, with the same float operations in the same order either way (no fused
     * multiply-adds; a float square root equals the double one rounded to float), so every element comes out as
     * {@link #updateElement} makes it.
     */
    static void update(float[] theta, float[] g, float[] mm, float[] vv, float decay, float b1, float b2, float rate,
                       float eps) {
        VectorSpecies<Float> lanes = VectorFunctions.LANES;
        float c1 = 1 - b1;
        float c2 = 1 - b2;
        boolean decayed = decay != 0;
        int i = 0;
        for (int end = lanes.loopBound(theta.length); i < end; i += lanes.length()) {
            FloatVector t = FloatVector.fromArray(lanes, theta, i);
            FloatVector gi = FloatVector.fromArray(lanes, g, i);
            if (decayed) {
                gi = gi.add(t.mul(decay));
            }
            FloatVector m = FloatVector.fromArray(lanes, mm, i).mul(b1).add(gi.mul(c1));
            FloatVector v = FloatVector.fromArray(lanes, vv, i).mul(b2).add(gi.mul(c2).mul(gi));
            m.intoArray(mm, i);
            v.intoArray(vv, i);
            FloatVector step = m.mul(rate).div(v.sqrt().add(eps));
            t.sub(step).intoArray(theta, i);
        }
        for (; i < theta.length; i++) {
            updateElement(theta, g, mm, vv, i, decay, b1, b2, rate, eps);
        }
    }

    static void updateElement(float[] theta, float[] g, float[] mm, float[] vv, int i, float decay, float b1,
                              float b2, float rate, float eps) {
        float gi = decay != 0 ? g[i] + decay * theta[i] : g[i];
        mm[i] = b1 * mm[i] + (1 - b1) * gi;
        vv[i] = b2 * vv[i] + (1 - b2) * gi * gi;
        theta[i] -= rate * mm[i] / ((float) Math.sqrt(vv[i]) + eps);
    }

    /** Updates done so far (t of the last step). */
    public long steps() {
        return steps;
    }

    /** The first moment of p: live, so restoring writes into it. */
    public Matrix firstMoment(Param p) {
        return slot(m, p);
    }

    /** The second moment of p: live, so restoring writes into it. */
    public Matrix secondMoment(Param p) {
        return slot(v, p);
    }

    /** Sets the step count, when restoring the moments from a checkpoint. */
    public void restoreSteps(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("negative Adam step count " + steps);
        }
        this.steps = steps;
    }

    private static Matrix slot(Map<Param, Matrix> slots, Param p) {
        Matrix s = slots.get(p);
        if (s == null) {
            throw new IllegalArgumentException(p.name() + " is not trained by this optimizer");
        }
        return s;
    }
}
