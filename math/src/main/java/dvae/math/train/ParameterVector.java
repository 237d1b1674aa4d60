package dvae.math.train;

import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import java.nio.FloatBuffer;

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

    /** Loads the values from a buffer (e.g. a message's packed bytes) without an intermediate array. */
    public static void loadValues(ParamSet params, FloatBuffer from) {
        checkLength(params, from.remaining());
        for (Param p : params.all()) {
            from.get(p.value().data);
        }
    }

    public static void loadValues(ParamSet params, float[] from) {
        checkLength(params, from.length);
        int at = 0;
        for (Param p : params.all()) {
            float[] v = p.value().data;
            System.arraycopy(from, at, v, 0, v.length);
            at += v.length;
        }
    }

    /**
     * The push layout, written straight into a buffer (e.g. a message's packed bytes): gradients of trainable
     * tensors, values of state tensors.
     */
    public static void writeGradientAndState(ParamSet params, FloatBuffer into) {
        checkLength(params, into.remaining());
        for (Param p : params.all()) {
            into.put(p.trainable() ? p.grad().data : p.value().data);
        }
    }

    /** The inverse of {@link #writeGradientAndState}: sets the gradients and replaces the state tensors' values. */
    public static void loadGradientAndState(ParamSet params, float[] from) {
        checkLength(params, from.length);
        int at = 0;
        for (Param p : params.all()) {
            float[] v = p.trainable() ? p.grad().data : p.value().data;
            System.arraycopy(from, at, v, 0, v.length);
            at += v.length;
        }
    }

    private static void checkLength(ParamSet params, int vectorLength) {
        int n = length(params);
        if (vectorLength != n) {
            throw new IllegalArgumentException("vector of " + vectorLength + " values for " + n + " parameters");
        }
    }
}
