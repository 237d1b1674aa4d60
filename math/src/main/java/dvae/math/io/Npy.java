package dvae.math.io;

import dvae.math.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format, version 1.0 (C order, little-endian): what checkpoints and exports are made of, so
 * that {@code numpy.load} reads every tensor we write. Writes are atomic. Reads check the magic, the header, the
 * dtype and that the data is complete, and name the file in every error.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ARRAY_ALIGN = 64;
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** A loaded array: its dtype descriptor (e.g. {@code <f4}), shape and little-endian data bytes. */
    public record Array(String descr, int[] shape, ByteBuffer data) {
        public long size() {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }

        public float[] asFloats() {
            int n = Math.toIntExact(size());
            float[] out = new float[n];
            ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            switch (descr) {
                case "<f4" -> b.asFloatBuffer().get(out);
                case "<f8" -> {
                    var d = b.asDoubleBuffer();
                    for (int i = 0; i < n; i++) {
                        out[i] = (float) d.get(i);
                    }
                }
                default -> throw new IllegalStateException("dtype " + descr + " is not floating point");
            }
            return out;
        }

        public double[] asDoubles() {
            int n = Math.toIntExact(size());
            double[] out = new double[n];
            ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            switch (descr) {
                case "<f8" -> b.asDoubleBuffer().get(out);
                case "<f4" -> {
                    var f = b.asFloatBuffer();
                    for (int i = 0; i < n; i++) {
                        out[i] = f.get(i);
                    }
                }
                default -> throw new IllegalStateException("dtype " + descr + " is not floating point");
            }
            return out;
        }

        public long[] asLongs() {
            int n = Math.toIntExact(size());
            long[] out = new long[n];
            ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            switch (descr) {
                case "<i8" -> b.asLongBuffer().get(out);
                case "<i4" -> {
                    var ib = b.asIntBuffer();
                    for (int i = 0; i < n; i++) {
                        out[i] = ib.get(i);
                    }
                }
                default -> throw new IllegalStateException("dtype " + descr + " is not an integer type");
            }
            return out;
        }

        public byte[] asBytes() {
            if (!descr.equals("|u1") && !descr.equals("|i1") && !descr.equals("|b1")) {
                throw new IllegalStateException("dtype " + descr + " is not a byte type");
            }
            byte[] out = new byte[Math.toIntExact(size())];
            data.duplicate().get(out);
            return out;
        }
    }

    public static void writeFloats(Path file, int[] shape, float[] values) {
        checkSize(file, shape, values.length);
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        write(file, "<f4", shape, b.array());
    }

    public static void writeDoubles(Path file, int[] shape, double[] values) {
        checkSize(file, shape, values.length);
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values);
        write(file, "<f8", shape, b.array());
    }

    public static void writeLongs(Path file, int[] shape, long[] values) {
        checkSize(file, shape, values.length);
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        write(file, "<i8", shape, b.array());
    }

    public static void writeBytes(Path file, int[] shape, byte[] values) {
        checkSize(file, shape, values.length);
        write(file, "|u1", shape, values);
    }

    private static void checkSize(Path file, int[] shape, int length) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(file + ": negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != length) {
            throw new IllegalArgumentException(file + ": shape " + Arrays.toString(shape) + " holds " + n
                    + " values, given " + length);
        }
    }

    /**
     * The header for the given dtype and shape, byte for byte as numpy's own writer makes it ({@code numpy/lib/format.py}):
     * the dict, then spare spaces for the first axis to grow to 21 digits in place, then padding and a newline so the
     * data starts on a 64-byte boundary (a full 64 spaces when already aligned, as numpy does).
     */
    static byte[] header(String descr, int[] shape) {
        StringBuilder s = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            s.append(shape[i]);
            if (shape.length == 1 || i < shape.length - 1) {
                s.append(shape.length == 1 ? "," : ", ");
            }
        }
        s.append("), }");
        if (shape.length > 0) {
            s.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length()));
        }
        int unpadded = MAGIC.length + 2 + 2 + s.length() + 1;
        s.append(" ".repeat(ARRAY_ALIGN - unpadded % ARRAY_ALIGN)).append('\n');
        byte[] dict = s.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer h = ByteBuffer.allocate(MAGIC.length + 4 + dict.length).order(ByteOrder.LITTLE_ENDIAN);
        h.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) dict.length).put(dict);
        return h.array();
    }

    private static void write(Path file, String descr, int[] shape, byte[] data) {
        byte[] header = header(descr, shape);
        AtomicFiles.write(file, out -> {
            out.write(header);
            out.write(data);
        });
    }

    public static Array read(Path file) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such file");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (all.length < 10 || !Arrays.equals(Arrays.copyOf(all, 6), MAGIC)) {
            throw new BadInputException(file + ": not a .npy file (bad magic)");
        }
        int major = all[6];
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen;
        int headerStart;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(b.getShort(8));
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (all.length < 12) {
                throw new BadInputException(file + ": truncated .npy header");
            }
            headerLen = b.getInt(8);
            headerStart = 12;
        } else {
            throw new BadInputException(file + ": unsupported .npy version " + major);
        }
        if (headerLen < 0 || headerStart + headerLen > all.length) {
            throw new BadInputException(file + ": truncated .npy header");
        }
        String dict = new String(all, headerStart, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(dict);
        Matcher f = FORTRAN.matcher(dict);
        Matcher s = SHAPE.matcher(dict);
        if (!d.find() || !f.find() || !s.find()) {
            throw new BadInputException(file + ": malformed .npy header: " + dict.trim());
        }
        String descr = d.group(1);
        int itemSize = switch (descr) {
            case "<f4", "<i4" -> 4;
            case "<f8", "<i8" -> 8;
            case "|u1", "|i1", "|b1" -> 1;
            default -> throw new BadInputException(file + ": unsupported dtype '" + descr
                    + "' (supported: <f4, <f8, <i4, <i8, |u1, |i1, |b1)");
        };
        if (f.group(1).equals("True")) {
            throw new BadInputException(file + ": Fortran-order arrays are not supported; save with C order");
        }
        int[] shape = parseShape(file, s.group(1));
        long n = 1;
        for (int dim : shape) {
            n *= dim;
        }
        long expected = n * itemSize;
        int dataStart = headerStart + headerLen;
        long found = all.length - dataStart;
        if (found < expected) {
            throw new BadInputException(file + ": truncated: shape " + Arrays.toString(shape) + " needs " + expected
                    + " data bytes, found " + found);
        }
        if (found > expected) {
            throw new BadInputException(file + ": " + (found - expected) + " bytes past the end of the data");
        }
        return new Array(descr, shape, ByteBuffer.wrap(all, dataStart, (int) expected).slice());
    }

    private static int[] parseShape(Path file, String inner) {
        String t = inner.trim();
        if (t.isEmpty()) {
            return new int[0];
        }
        String[] parts = t.split(",");
        int count = parts[parts.length - 1].trim().isEmpty() ? parts.length - 1 : parts.length;
        int[] shape = new int[count];
        for (int i = 0; i < count; i++) {
            try {
                shape[i] = Integer.parseInt(parts[i].trim().replace("L", ""));
            } catch (NumberFormatException e) {
                throw new BadInputException(file + ": bad shape in .npy header: (" + inner + ")");
            }
            if (shape[i] < 0) {
                throw new BadInputException(file + ": negative dimension in .npy shape: (" + inner + ")");
            }
        }
        return shape;
    }
}
