package dvae.math.train;

import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.util.Parallel;
import java.nio.FloatBuffer;

/**
 * A model's tensors as one flat float vector, every tensor of the set (trainable and state) in creation order: what
 * the parameter server holds and workers pull. A worker's push has the same layout: the gradient in the trainable
 * tensors' slots and, in the state tensors' slots (batch-norm moving statistics, which are updated, not trained),
 * the values its step left there.
 */
public final class ParameterVector {
    /** Floats per parallel part of a copy at least. */
    private static final int PARALLEL_MIN = 1 << 18;

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
            copy(v, 0, into, at, v.length);
            at += v.length;
        }
    }

    /** Loads the values from a buffer (e.g. a message's packed bytes) without an intermediate array. */
    public static void loadValues(ParamSet params, FloatBuffer from) {
        checkLength(params, from.remaining());
        int at = from.position();
        for (Param p : params.all()) {
            float[] v = p.value().data;
            int start = at;
            Parallel.forRanges(v.length, PARALLEL_MIN, (part, lo, hi) -> from.get(start + lo, v, lo, hi - lo));
            at += v.length;
        }
        from.position(at);
    }

    public static void loadValues(ParamSet params, float[] from) {
        loadValues(params, FloatBuffer.wrap(from));
    }

    /**
     * The push layout, written straight into a buffer (e.g. a message's packed bytes): gradients of trainable
     * tensors, values of state tensors.
     */
    public static void writeGradientAndState(ParamSet params, FloatBuffer into) {
        checkLength(params, into.remaining());
        int at = into.position();
        for (Param p : params.all()) {
            float[] v = p.trainable() ? p.grad().data : p.value().data;
            int start = at;
            Parallel.forRanges(v.length, PARALLEL_MIN, (part, lo, hi) -> into.put(start + lo, v, lo, hi - lo));
            at += v.length;
        }
        into.position(at);
    }

    /**
     * The inverse of {@link #writeGradientAndState}: sets the gradients and replaces the state tensors' values from a
     * buffer's remaining values (a message's packed bytes), without an intermediate array.
     */
    public static void loadGradientAndState(ParamSet params, FloatBuffer from) {
        checkLength(params, from.remaining());
        int at = from.position();
        for (Param p : params.all()) {
            float[] v = p.trainable() ? p.grad().data : p.value().data;
            int start = at;
            Parallel.forRanges(v.length, PARALLEL_MIN, (part, lo, hi) -> from.get(start + lo, v, lo, hi - lo));
            at += v.length;
        }
        from.position(at);
    }

    /** System.arraycopy, in parallel parts for the large tensors (a 100+100 model is 2.5 million floats). */
    private static void copy(float[] src, int srcPos, float[] dst, int dstPos, int length) {
        Parallel.forRanges(length, PARALLEL_MIN, (part, lo, hi) ->
                System.arraycopy(src, srcPos + lo, dst, dstPos + lo, hi - lo));
    }

    private static void checkLength(ParamSet params, int vectorLength) {
        int n = length(params);
        if (vectorLength != n) {
            throw new IllegalArgumentException("vector of " + vectorLength + " values for " + n + " parameters");
        }
    }
}
