package dvae.math.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path tmp;

    /**
     * The format specification (numpy's {@code format.py}, version 1.0): magic {@code \x93NUMPY}, bytes 1 and 0, the
     * header length as a little-endian uint16, an ASCII Python dict literal with descr, fortran_order and shape,
     * padded with spaces and ended with a newline so that the data starts at a multiple of 64.
     */
    @Test
    void headerFollowsTheFormatSpecification() {
        byte[] h = Npy.header("<f4", new int[] {1000, 784});
        assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, Arrays.copyOf(h, 8));
        int headerLen = Short.toUnsignedInt(ByteBuffer.wrap(h, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort());
        assertEquals(h.length, 10 + headerLen);
        assertEquals(0, h.length % 64, "data must start at a multiple of 64");
        String dict = new String(h, 10, headerLen, StandardCharsets.US_ASCII);
        assertTrue(dict.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 784), }"), dict);
        assertEquals('\n', dict.charAt(dict.length() - 1));
        assertTrue(dict.substring(dict.indexOf('}') + 1, dict.length() - 1).isBlank(), "padding is spaces only");
    }

    /** Headers that numpy 2.4.6 {@code np.save} wrote for these arrays (dict text and header length captured once). */
    @Test
    void headerIsByteForByteWhatNumpyWrites() {
        assertNumpyHeader("<f4", new int[] {2, 3}, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 118);
        assertNumpyHeader("<f8", new int[] {5}, "{'descr': '<f8', 'fortran_order': False, 'shape': (5,), }", 118);
        assertNumpyHeader("<f4", new int[] {}, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 118);
        assertNumpyHeader("<f4", new int[] {1000, 784},
                "{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 784), }", 118);
        assertNumpyHeader("<i8", new int[] {0}, "{'descr': '<i8', 'fortran_order': False, 'shape': (0,), }", 118);
        assertNumpyHeader("|u1", new int[] {4}, "{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }", 118);
    }

    private static void assertNumpyHeader(String descr, int[] shape, String dict, int headerLen) {
        ByteBuffer expected = ByteBuffer.allocate(10 + headerLen).order(ByteOrder.LITTLE_ENDIAN);
        expected.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) headerLen);
        String padded = dict + " ".repeat(headerLen - dict.length() - 1) + "\n";
        expected.put(padded.getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(expected.array(), Npy.header(descr, shape), dict);
    }

    @Test
    void dataFollowsTheHeaderLittleEndian() throws IOException {
        Path f = tmp.resolve("a.npy");
        Npy.writeFloats(f, new int[] {1, 2}, new float[] {1.5f, -2f});
        byte[] all = Files.readAllBytes(f);
        assertEquals(128 + 8, all.length);
        // 1.5f = 0x3FC00000, −2f = 0xC0000000, least significant byte first
        assertArrayEquals(new byte[] {0, 0, (byte) 0xC0, 0x3F, 0, 0, 0, (byte) 0xC0}, Arrays.copyOfRange(all, 128, 136));
    }

    @Test
    void everyDtypeRoundTrips() {
        Path f = tmp.resolve("f.npy");
        Npy.writeFloats(f, new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, Float.NaN});
        Npy.Array a = Npy.read(f);
        assertEquals("<f4", a.descr());
        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, Float.NaN}, a.asFloats());

        Npy.writeDoubles(f, new int[] {3}, new double[] {Math.PI, -0.0, 1e300});
        assertArrayEquals(new double[] {Math.PI, -0.0, 1e300}, Npy.read(f).asDoubles());

        Npy.writeLongs(f, new int[] {}, new long[] {Long.MIN_VALUE});
        assertArrayEquals(new int[0], Npy.read(f).shape());
        assertArrayEquals(new long[] {Long.MIN_VALUE}, Npy.read(f).asLongs());

        Npy.writeBytes(f, new int[] {2, 2}, new byte[] {0, 1, (byte) 255, 7});
        assertArrayEquals(new byte[] {0, 1, (byte) 255, 7}, Npy.read(f).asBytes());

        Npy.writeFloats(f, new int[] {0, 5}, new float[0]);
        assertArrayEquals(new int[] {0, 5}, Npy.read(f).shape());
    }

    @Test
    void readsAVersionTwoHeader() throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
        String padded = dict + " ".repeat(128 - 12 - dict.length() - 1) + "\n";
        ByteBuffer b = ByteBuffer.allocate(12 + padded.length() + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(padded.length());
        b.put(padded.getBytes(StandardCharsets.US_ASCII)).putFloat(0.5f).putFloat(4f);
        Path f = tmp.resolve("v2.npy");
        Files.write(f, b.array());
        assertArrayEquals(new float[] {0.5f, 4f}, Npy.read(f).asFloats());
    }

    private BadInputException readFails(byte[] content) throws IOException {
        Path f = tmp.resolve("bad.npy");
        Files.write(f, content);
        BadInputException e = assertThrows(BadInputException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), "names the file: " + e.getMessage());
        return e;
    }

    @Test
    void badFilesAreReportedWithTheirName() throws IOException {
        Path good = tmp.resolve("good.npy");
        Npy.writeFloats(good, new int[] {4}, new float[] {1, 2, 3, 4});
        byte[] bytes = Files.readAllBytes(good);

        assertTrue(readFails("not numpy".getBytes(StandardCharsets.US_ASCII)).getMessage().contains("bad magic"));
        assertTrue(readFails(Arrays.copyOf(bytes, bytes.length - 1)).getMessage().contains("truncated"));
        assertTrue(readFails(Arrays.copyOf(bytes, bytes.length + 4)).getMessage().contains("past the end"));
        byte[] fortran = new String(bytes, StandardCharsets.ISO_8859_1).replace("False", "True ")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(readFails(fortran).getMessage().contains("Fortran"));
        byte[] complex = new String(bytes, StandardCharsets.ISO_8859_1).replace("<f4", "<c8")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(readFails(complex).getMessage().contains("unsupported dtype"));
        BadInputException missing = assertThrows(BadInputException.class, () -> Npy.read(tmp.resolve("none.npy")));
        assertTrue(missing.getMessage().contains("no such file"));
    }
}
