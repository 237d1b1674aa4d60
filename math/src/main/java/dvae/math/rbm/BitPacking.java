package dvae.math.rbm;

/** Binary float states (0/1) to and from bits in long words, bit i of a row at word i/64, bit i%64. */
final class BitPacking {
    private BitPacking() {
    }

    static int words(long bits) {
        return Math.toIntExact((bits + 63) >>> 6);
    }

    /** Packs n units from z[zOff ..) into words from bit position bitOff of words[]. */
    static void pack(float[] z, int zOff, int n, long[] words, long bitOff) {
        for (int i = 0; i < n; i++) {
            long bit = bitOff + i;
            int word = (int) (bit >>> 6);
            long mask = 1L << bit;
            if (z[zOff + i] != 0f) {
                words[word] |= mask;
            } else {
                words[word] &= ~mask;
            }
        }
    }

    /** Unpacks n units starting at bit position bitOff into z[zOff ..) as 0f/1f. */
    static void unpack(long[] words, long bitOff, int n, float[] z, int zOff) {
        for (int i = 0; i < n; i++) {
            long bit = bitOff + i;
            z[zOff + i] = (words[(int) (bit >>> 6)] >>> bit & 1L) != 0 ? 1f : 0f;
        }
    }
}
