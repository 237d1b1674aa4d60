package dvae.math.train;

import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;

/**
 * A model's tensors as one flat float vector, every tensor of the set (trainable and state) in creation order: what
 * the parameter server holds and workers pull. A worker's push has the same layout: the gradient in the trainable
 * tensors' slots and, in the state tensors' slots (batch-norm moving statistics, which are updated, not trained),
 * the values its step left there.
 */
public final class ParameterVector {
    private ParameterVector() {
    }

    public static int length(ParamSet params) {
        int n = 0;
        for (Param p : params.all()) {
            n += p.value().data.length;
        }
        return n;
    }

    public static float[] values(ParamSet params) {
        float[] out = new float[length(params)];
        copyValues(params, out);
        return out;
    }

    public static void copyValues(ParamSet params, float[] into) {
        int at = 0;
        for (Param p : params.all()) {
            float[] v = p.value().data;
            System.arraycopy(v, 0, into, at, v.length);
            at += v.length;
        }
    }

    public static void loadValues(ParamSet params, float[] from) {
        checkLength(params, from);
        int at = 0;
        for (Param p : params.all()) {
            float[] v = p.value().data;
            System.arraycopy(from, at, v, 0, v.length);
            at += v.length;
        }
    }

    /** The push layout: gradients of trainable tensors, values of state tensors. */
    public static float[] gradientAndState(ParamSet params) {
        float[] out = new float[length(params)];
        int at = 0;
        for (Param p : params.all()) {
            float[] v = p.trainable() ? p.grad().data : p.value().data;
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }

    /** The inverse of {@link #gradientAndState}: sets the gradients and replaces the state tensors' values. */
    public static void loadGradientAndState(ParamSet params, float[] from) {
        checkLength(params, from);
        int at = 0;
        for (Param p : params.all()) {
            float[] v = p.trainable() ? p.grad().data : p.value().data;
            System.arraycopy(from, at, v, 0, v.length);
            at += v.length;
        }
    }

    private static void checkLength(ParamSet params, float[] vector) {
        int n = length(params);
        if (vector.length != n) {
            throw new IllegalArgumentException("vector of " + vector.length + " values for " + n + " parameters");
        }
    }
}
