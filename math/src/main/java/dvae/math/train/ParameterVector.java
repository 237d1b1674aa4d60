package dvae.math.train;

import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.optim.Adam;
import dvae.math.tensor.MatrixOps;
import dvae.math.util.Parallel;
import java.nio.FloatBuffer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A model's tensors as one flat float vector, every tensor of the set (trainable and state) in creation order: what
 * the parameter server holds and workers pull. A worker's push has the same layout: the gradient in the trainable
 * tensors' slots and, in the state tensors' slots (batch-norm moving statistics, which are updated, not trained),
 * the values its step left there.
 */
public final class ParameterVector {
    /** Floats per parallel part of a copy at least. */
    private static final int PARALLEL_MIN = 1 << 18;
    /** Floats checked at a time while moving: 16 KB, in the L1 cache between the copy and the check. */
    private static final int CHECK_CHUNK = 4096;

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
     * {@link #writeGradientAndState}, checking the gradients as they are written (a worker's push: one pass over
     * them instead of two); returns whether every trainable tensor's gradient is finite.
     */
    public static boolean writeGradientAndStateChecked(ParamSet params, FloatBuffer into) {
        checkLength(params, into.remaining());
        boolean finite = moveSlots(params, into, ParameterVector::gradientOrState, true, p -> true, Param::trainable);
        into.position(into.limit());
        return finite;
    }

    /**
     * The inverse of {@link #writeGradientAndState}: sets the gradients and replaces the state tensors' values from a
     * buffer's remaining values (a message's packed bytes), without an intermediate array.
     */
    public static void loadGradientAndState(ParamSet params, FloatBuffer from) {
        move(params, from, ParameterVector::gradientOrState, false);
    }

    /**
     * {@link #loadGradientAndState} if every value is finite, checked as the gradients are loaded (the parameter
     * server's push: one pass over the message instead of two); returns false otherwise, with the state tensors'
     * values left as they were (the gradients, scratch space, may be partly overwritten).
     */
    public static boolean loadGradientAndStateIfFinite(ParamSet params, FloatBuffer from) {
        checkLength(params, from.remaining());
        if (!moveSlots(params, from, ParameterVector::gradientOrState, false, Param::trainable, p -> true)) {
            return false;
        }
        int at = from.position();
        for (Param p : params.all()) {
            int n = p.value().data.length;
            if (!p.trainable() && !MatrixOps.allFinite(from.slice(at, n))) {
                return false;
            }
            at += n;
        }
        moveSlots(params, from, ParameterVector::gradientOrState, false, p -> !p.trainable(), p -> false);
        from.position(from.limit());
        return true;
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
        moveSlots(params, buffer, slot, intoBuffer, p -> true, p -> false);
        buffer.position(buffer.limit());
    }

    /**
     * Moves the slots of the tensors {@code included} to or from the buffer, leaving its position; the values of the
     * tensors {@code checked} are checked on the way, a cache-sized chunk at a time right before (into the buffer)
     * or after (out of it) the chunk's copy, so they are read from memory once. Returns whether those were finite.
     */
    private static boolean moveSlots(ParamSet params, FloatBuffer buffer, Function<Param, float[]> slot,
                                     boolean intoBuffer, Predicate<Param> included, Predicate<Param> checked) {
        int at = buffer.position();
        boolean finite = true;
        for (Param p : params.all()) {
            float[] v = slot.apply(p);
            if (included.test(p)) {
                int start = at;
                boolean check = checked.test(p);
                boolean[] partFinite = new boolean[Parallel.rangeParts(v.length, PARALLEL_MIN)];
                Parallel.forRanges(v.length, PARALLEL_MIN, (part, lo, hi) -> {
                    boolean ok = true;
                    for (int c = lo; c < hi; c += CHECK_CHUNK) {
                        int len = Math.min(CHECK_CHUNK, hi - c);
                        if (intoBuffer) {
                            ok &= !check || MatrixOps.allFinite(v, c, c + len);
                            buffer.put(start + c, v, c, len);
                        } else {
                            buffer.get(start + c, v, c, len);
                            ok &= !check || MatrixOps.allFinite(v, c, c + len);
                        }
                    }
                    partFinite[part] = ok;
                });
                for (boolean ok : partFinite) {
                    finite &= ok;
                }
            }
            at += v.length;
        }
        return finite;
    }

    private static void checkLength(ParamSet params, int vectorLength) {
        int n = length(params);
        if (vectorLength != n) {
            throw new IllegalArgumentException("vector of " + vectorLength + " values for " + n + " parameters");
        }
    }
}
