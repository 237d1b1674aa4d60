package dvae.math.optim;

import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.tensor.Matrix;
import dvae.math.tensor.VectorFunctions;
import dvae.math.util.Parallel;
import java.util.LinkedHashMap;
import java.util.Map;
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

    /** Elements per parallel part at least (a 2.5 million-parameter model updates in a few milliseconds). */
    private static final int PARALLEL_MIN = 1 << 16;

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
        steps++;
        double lrT = lr * Math.sqrt(1 - Math.pow(beta2, steps)) / (1 - Math.pow(beta1, steps));
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        float eps = (float) epsilon;
        float rate = (float) lrT;
        for (Map.Entry<Param, Matrix> e : m.entrySet()) {
            Param p = e.getKey();
            float[] theta = p.value().data;
            float[] g = p.grad().data;
            float[] mm = e.getValue().data;
            float[] vv = v.get(p).data;
            // element by element, so the parallel parts give the same numbers as one pass
            Parallel.forRanges(theta.length, PARALLEL_MIN, (part, from, to) -> update(theta, g, mm, vv, from, to,
                    b1, b2, rate, eps));
        }
    }

    /**
     * One update of elements [from, to), in vector lanes and then one by one, with the same float operations in the
     * same order either way (no fused multiply-adds; a float square root equals the double one rounded to float), so
     * every element comes out as {@link #updateElement} makes it.
     */
    static void update(float[] theta, float[] g, float[] mm, float[] vv, int from, int to, float b1, float b2,
                       float rate, float eps) {
        VectorSpecies<Float> lanes = VectorFunctions.LANES;
        float c1 = 1 - b1;
        float c2 = 1 - b2;
        int i = from;
        for (int end = from + lanes.loopBound(to - from); i < end; i += lanes.length()) {
            FloatVector gi = FloatVector.fromArray(lanes, g, i);
            FloatVector m = FloatVector.fromArray(lanes, mm, i).mul(b1).add(gi.mul(c1));
            FloatVector v = FloatVector.fromArray(lanes, vv, i).mul(b2).add(gi.mul(c2).mul(gi));
            m.intoArray(mm, i);
            v.intoArray(vv, i);
            FloatVector step = m.mul(rate).div(v.sqrt().add(eps));
            FloatVector.fromArray(lanes, theta, i).sub(step).intoArray(theta, i);
        }
        for (; i < to; i++) {
            updateElement(theta, g, mm, vv, i, b1, b2, rate, eps);
        }
    }

    static void updateElement(float[] theta, float[] g, float[] mm, float[] vv, int i, float b1, float b2, float rate,
                              float eps) {
        mm[i] = b1 * mm[i] + (1 - b1) * g[i];
        vv[i] = b2 * vv[i] + (1 - b2) * g[i] * g[i];
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
