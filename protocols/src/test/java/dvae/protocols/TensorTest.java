package dvae.protocols;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorTest {

    @Test
    void floatsArePackedLittleEndianAndComeBackBitForBit() {
        float[] values = {1f, -0f, Float.NaN, Float.MIN_VALUE, Float.NEGATIVE_INFINITY, 3.1415927f};
        Tensor t = Tensor.ofFloats(values, 2, 3);
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertEquals(24, t.data().length);
        // 1.0f is 0x3F800000: least significant byte first.
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3F}, java.util.Arrays.copyOf(t.data(), 4));
        float[] back = t.toFloats();
        for (int i = 0; i < values.length; i++) {
            assertEquals(Float.floatToRawIntBits(values[i]), Float.floatToRawIntBits(back[i]));
        }
        assertTrue(t.holdsFloats(6));
        assertFalse(t.holdsLongs(6));
    }

    @Test
    void floatsWrittenThroughABufferReadBackThroughAView() {
        float[] values = {2.5f, -1f, 7f};
        Tensor written = Tensor.writingFloats(3, into -> into.put(values));
        assertEquals(Tensor.ofFloats(values, 3), written);
        float[] back = new float[3];
        written.floats().get(back);
        assertArrayEquals(values, back);
        assertThrows(IllegalStateException.class, () -> Tensor.writingFloats(3, into -> into.put(1f)));
        double[] doubles = {0.25, -1e300};
        assertArrayEquals(doubles, Tensor.ofDoubles(doubles, 2).toDoubles());
    }

    @Test
    void longsArePackedLittleEndianAndComeBack() {
        long[] words = {1L, -1L, Long.MIN_VALUE, 0x0123456789ABCDEFL};
        Tensor t = Tensor.ofLongs(words, 4, 1);
        assertEquals(1, t.data()[0]);
        assertEquals(0, t.data()[7]);
        assertArrayEquals(words, t.toLongs());
        assertEquals(4, t.size());
    }

    @Test
    void refusesValuesThatDoNotFillTheShapeAndBytesReadAsTheWrongType() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofFloats(new float[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofLongs(new long[] {1}, 2).toLongs());
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofFloats(new float[2], 2).toLongs());
        assertThrows(IllegalArgumentException.class, () -> new Tensor(new int[] {-1}, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Tensor(new int[] {1 << 16, 1 << 16}, new byte[0]));
    }

    @Test
    void tensorsAreValues() {
        assertEquals(Tensor.ofFloats(new float[] {1, 2}, 2), Tensor.ofFloats(new float[] {1, 2}, 2));
        assertEquals(Tensor.ofFloats(new float[] {1, 2}, 2).hashCode(),
                Tensor.ofFloats(new float[] {1, 2}, 2).hashCode());
        assertFalse(Tensor.ofFloats(new float[] {1, 2}, 2).equals(Tensor.ofFloats(new float[] {1, 2}, 1, 2)));
    }
}
