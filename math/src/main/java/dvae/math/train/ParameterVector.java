package dvae.math.train;

import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.optim.Adam;
import dvae.math.util.Parallel;
import java.nio.FloatBuffer;
import java.util.function.Function;

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
        move(params, FloatBuffer.wrap(into), ParameterVector::value, true);
    }

    /** Loads the values from a buffer (e.g. a message's packed bytes) without an intermediate array. */
    public static void loadValues(ParamSet params, FloatBuffer from) {
        move(params, from, ParameterVector::value, false);
    }

    public static void loadValues(ParamSet params, float[] from) {
        loadValues(params, FloatBuffer.wrap(from));
    }

    /**
     * The push layout, written straight into a buffer (e.g. a message's packed bytes): gradients of trainable
     * tensors, values of state tensors.
     */
    public static void writeGradientAndState(ParamSet params, FloatBuffer into) {
        move(params, into, ParameterVector::gradientOrState, true);
    }

    /**
     * The inverse of {@link #writeGradientAndState}: sets the gradients and replaces the state tensors' values from a
     * buffer's remaining values (a message's packed bytes), without an intermediate array.
     */
    public static void loadGradientAndState(ParamSet params, FloatBuffer from) {
        move(params, from, ParameterVector::gradientOrState, false);
    }

    /**
     * One of Adam's moments (1: first, 2: second) in the vector's layout, zeros in the state tensors' slots, written
     * into a buffer (a message's packed bytes).
     */
    public static void writeMoments(ParamSet params, Adam adam, int moment, FloatBuffer into) {
        move(params, into, p -> momentSlot(p, adam, moment), true);
    }

    /** The inverse of {@link #writeMoments}: sets one of Adam's moments from a buffer's remaining values. */
    public static void loadMoments(ParamSet params, Adam adam, int moment, FloatBuffer from) {
        move(params, from, p -> momentSlot(p, adam, moment), false);
    }

    private static float[] momentSlot(Param p, Adam adam, int moment) {
        if (!p.trainable()) {
            return new float[p.value().data.length]; // not trained: zeros out, and nothing kept on the way in
        }
        return switch (moment) {
            case 1 -> adam.firstMoment(p).data;
            case 2 -> adam.secondMoment(p).data;
            default -> throw new IllegalArgumentException("Adam has moments 1 and 2, not " + moment);
        };
    }

    private static float[] value(Param p) {
        return p.value().data;
    }

    private static float[] gradientOrState(Param p) {
        return p.trainable() ? p.grad().data : p.value().data;
    }

    /**
     * Moves each tensor's slot (its values, or its push-layout array) to or from the buffer's remaining values, in
     * creation order, with bulk copies in parallel parts for the large tensors (a 100+100 model is 2.5 million floats);
     * the buffer's position ends after them.
     */
    private static void move(ParamSet params, FloatBuffer buffer, Function<Param, float[]> slot, boolean intoBuffer) {
        checkLength(params, buffer.remaining());
        int at = buffer.position();
        for (Param p : params.all()) {
            float[] v = slot.apply(p);
            int start = at;
            Parallel.forRanges(v.length, PARALLEL_MIN, (part, lo, hi) -> {
                if (intoBuffer) {
                    buffer.put(start + lo, v, lo, hi - lo);
                } else {
                    buffer.get(start + lo, v, lo, hi - lo);
                }
            });
            at += v.length;
        }
        buffer.position(at);
    }

    private static void checkLength(ParamSet params, int vectorLength) {
        int n = length(params);
        if (vectorLength != n) {
            throw new IllegalArgumentException("vector of " + vectorLength + " values for " + n + " parameters");
        }
    }
}
