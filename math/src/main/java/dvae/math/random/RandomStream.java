package dvae.math.random;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A seeded, fast, saveable pseudo-random stream (xoshiro256++ by Blackman and Vigna). Each purpose (data order, a
 * worker, a sampler) gets its own stream derived from the run seed and a purpose name, so adding a consumer never
 * shifts another's numbers. {@link #state()} and {@link #restore(long[])} make resumed runs bit-exact.
 *
 * <p>Not thread-safe: one stream per thread of work.
 */
public final class RandomStream {
    private static final float FLOAT_UNIT = 0x1.0p-24f;
    private static final double DOUBLE_UNIT = 0x1.0p-53;

    private long s0;
    private long s1;
    private long s2;
    private long s3;
    private double spareGaussian;
    private boolean hasSpareGaussian;

    /** A stream for one purpose of a run: independent of every other purpose name under the same seed. */
    public static RandomStream forPurpose(long seed, String purpose) {
        long h = 0xcbf29ce484222325L; // FNV-1a over the purpose name
        for (byte b : purpose.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return new RandomStream(seed ^ Long.rotateLeft(h, 17) ^ h);
    }

    public RandomStream(long seed) {
        long x = seed;
        s0 = splitMix(x += 0x9e3779b97f4a7c15L);
        s1 = splitMix(x += 0x9e3779b97f4a7c15L);
        s2 = splitMix(x += 0x9e3779b97f4a7c15L);
        s3 = splitMix(x + 0x9e3779b97f4a7c15L);
        if ((s0 | s1 | s2 | s3) == 0) {
            s0 = 1; // the all-zero state is the one fixed point of xoshiro
        }
    }

    private RandomStream(long[] state) {
        restore(state);
    }

    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    public long nextLong() {
        long result = Long.rotateLeft(s0 + s3, 23) + s0;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform in [0, 1) with 24 random bits. */
    public float nextFloat() {
        return (nextLong() >>> 40) * FLOAT_UNIT;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * DOUBLE_UNIT;
    }

    /** Uniform integer in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        // Lemire's multiply-shift with rejection: unbiased.
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xffffffffL;
        if (low < bound) {
            long threshold = (0x100000000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xffffffffL;
            }
        }
        return (int) (m >>> 32);
    }

    /** Standard normal (polar Box-Muller). */
    public double nextGaussian() {
        if (hasSpareGaussian) {
            hasSpareGaussian = false;
            return spareGaussian;
        }
        double u;
        double v;
        double s;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.sqrt(-2 * Math.log(s) / s);
        spareGaussian = v * f;
        hasSpareGaussian = true;
        return u * f;
    }

    /** Fills out[off, off+len) with uniforms in [0, 1); two floats per 64-bit draw. */
    public void fillUniform(float[] out, int off, int len) {
        int i = off;
        int end = off + len;
        long a0 = s0;
        long a1 = s1;
        long a2 = s2;
        long a3 = s3;
        while (i < end) {
            long r = Long.rotateLeft(a0 + a3, 23) + a0;
            long t = a1 << 17;
            a2 ^= a0;
            a3 ^= a1;
            a1 ^= a2;
            a0 ^= a3;
            a2 ^= t;
            a3 = Long.rotateLeft(a3, 45);
            out[i++] = (r >>> 40) * FLOAT_UNIT;
            if (i < end) {
                out[i++] = ((r >>> 8) & 0xffffffL) * FLOAT_UNIT;
            }
        }
        s0 = a0;
        s1 = a1;
        s2 = a2;
        s3 = a3;
    }

    public void fillUniform(float[] out) {
        fillUniform(out, 0, out.length);
    }

    /** Fisher-Yates shuffle of idx in place. */
    public void shuffle(int[] idx) {
        for (int i = idx.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
    }

    /** A child stream, independent of this one's future draws; advances this stream by one draw. */
    public RandomStream split() {
        return new RandomStream(nextLong());
    }

    /** The full state: four generator words plus the cached Gaussian (as raw bits) and its flag. */
    public long[] state() {
        return new long[] {s0, s1, s2, s3, Double.doubleToRawLongBits(spareGaussian), hasSpareGaussian ? 1 : 0};
    }

    public void restore(long[] state) {
        if (state.length != 6) {
            throw new IllegalArgumentException("random stream state must have 6 words, got " + state.length);
        }
        s0 = state[0];
        s1 = state[1];
        s2 = state[2];
        s3 = state[3];
        spareGaussian = Double.longBitsToDouble(state[4]);
        hasSpareGaussian = state[5] != 0;
    }

    public static RandomStream fromState(long[] state) {
        return new RandomStream(state);
    }

    @Override
    public String toString() {
        return "RandomStream" + Arrays.toString(state());
    }
}
