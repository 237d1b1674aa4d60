package dvae.protocols;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * An array on the wire: its shape and its elements packed little-endian into bytes, float32 for parameters and
 * gradients, float64 for the prior's expectations, int64 words for bit-packed chain states. Packed bytes cost 1
 * byte per byte in CBOR and (de)serialize about three times faster than a CBOR array of numbers; the element type
 * is the one the reader asks for, checked against the byte count.
 */
@JsonDeserialize(using = Tensor.Reader.class)
public record Tensor(int[] shape, byte[] data) implements CborSerializable {

    public Tensor {
        if (shape == null || data == null) {
            throw new IllegalArgumentException("a tensor needs a shape and data");
        }
        long size = 1;
        for (int d : shape) {
            size *= d;
            if (d < 0 || size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is negative or too large");
            }
        }
    }

    public static Tensor ofFloats(float[] values, int... shape) {
        ByteBuffer buffer = checkedBuffer(values.length, Float.BYTES, shape);
        buffer.asFloatBuffer().put(values);
        return new Tensor(shape.clone(), buffer.array());
    }

    public static Tensor ofDoubles(double[] values, int... shape) {
        ByteBuffer buffer = checkedBuffer(values.length, Double.BYTES, shape);
        buffer.asDoubleBuffer().put(values);
        return new Tensor(shape.clone(), buffer.array());
    }

    public static Tensor ofLongs(long[] values, int... shape) {
        ByteBuffer buffer = checkedBuffer(values.length, Long.BYTES, shape);
        buffer.asLongBuffer().put(values);
        return new Tensor(shape.clone(), buffer.array());
    }

    /** Number of elements: the product of the shape. */
    public int size() {
        return (int) sizeOf(shape);
    }

    /** Whether this holds exactly {@code count} float32 values (the check {@link #toFloats()} makes). */
    public boolean holdsFloats(int count) {
        return holds(count, Float.BYTES);
    }

    /** Whether this holds exactly {@code count} int64 values (the check {@link #toLongs()} makes). */
    public boolean holdsLongs(int count) {
        return holds(count, Long.BYTES);
    }

    /** The float32 values as a read-only view, for readers that copy them elsewhere anyway (no extra array). */
    public FloatBuffer floats() {
        checkedSize(Float.BYTES, "float32");
        return littleEndian().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    }

    /** A float32 tensor whose values {@code writer} puts into the buffer (filled exactly), without an extra array. */
    public static Tensor writingFloats(int count, java.util.function.Consumer<FloatBuffer> writer) {
        ByteBuffer buffer = ByteBuffer.allocate(Math.multiplyExact(count, Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer floats = buffer.asFloatBuffer();
        writer.accept(floats);
        if (floats.hasRemaining()) {
            throw new IllegalStateException(floats.remaining() + " of " + count + " values left unwritten");
        }
        return new Tensor(new int[] {count}, buffer.array());
    }

    public float[] toFloats() {
        float[] values = new float[checkedSize(Float.BYTES, "float32")];
        littleEndian().asFloatBuffer().get(values);
        return values;
    }

    public double[] toDoubles() {
        double[] values = new double[checkedSize(Double.BYTES, "float64")];
        littleEndian().asDoubleBuffer().get(values);
        return values;
    }

    public long[] toLongs() {
        long[] values = new long[checkedSize(Long.BYTES, "int64")];
        littleEndian().asLongBuffer().get(values);
        return values;
    }

    private static long sizeOf(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static ByteBuffer checkedBuffer(int length, int bytesPerElement, int[] shape) {
        if (sizeOf(shape) != length) {
            throw new IllegalArgumentException(length + " values do not fill shape " + Arrays.toString(shape));
        }
        return ByteBuffer.allocate(Math.multiplyExact(length, bytesPerElement)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private boolean holds(int count, int bytesPerElement) {
        return size() == count && data.length == (long) count * bytesPerElement;
    }

    private int checkedSize(int bytesPerElement, String type) {
        int size = size();
        if (!holds(size, bytesPerElement)) {
            throw new IllegalArgumentException(data.length + " bytes are not " + size + " " + type + " values of shape "
                    + Arrays.toString(shape));
        }
        return size;
    }

    private ByteBuffer littleEndian() {
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    // Records compare arrays by reference; a tensor is a value.
    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + "(" + data.length + " bytes)";
    }

    /**
     * Reads {@code {"shape": [...], "data": bytes}} with the bytes streamed into one array of the size the shape
     * suggests (four bytes per element; grown if there are more). Jackson's own reading of a long CBOR byte string
     * gathers it in chunks and then joins them: two copies of a 10 MB gradient instead of one.
     */
    static final class Reader extends StdDeserializer<Tensor> {
        Reader() {
            super(Tensor.class);
        }

        @Override
        public Tensor deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                return (Tensor) ctxt.handleUnexpectedToken(Tensor.class, p);
            }
            int[] shape = null;
            byte[] data = null;
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("shape".equals(field)) {
                    shape = value == JsonToken.VALUE_NULL ? null : ctxt.readValue(p, int[].class);
                } else if ("data".equals(field)) {
                    data = value == JsonToken.VALUE_NULL ? null : readBytes(p, shape);
                } else if (!ctxt.handleUnknownProperty(p, this, Tensor.class, field)) {
                    p.skipChildren();
                }
            }
            try {
                return new Tensor(shape, data);
            } catch (IllegalArgumentException e) {
                return ctxt.reportInputMismatch(Tensor.class, "%s", e.getMessage());
            }
        }

        private static byte[] readBytes(JsonParser p, int[] shape) throws IOException {
            long guess = shape == null ? 0 : sizeOf(shape) * Float.BYTES;
            Sink sink = new Sink((int) Math.min(Math.max(guess, 0), Integer.MAX_VALUE - 8));
            p.readBinaryValue(sink);
            return sink.bytes();
        }
    }

    /** An output stream into one array, grown only when it overflows and trimmed only when it is not full. */
    private static final class Sink extends OutputStream {
        private byte[] buffer;
        private int count;

        Sink(int capacity) {
            buffer = new byte[capacity];
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (count + len > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(Math.addExact(count, len), 2 * buffer.length));
            }
            System.arraycopy(b, off, buffer, count, len);
            count += len;
        }

        byte[] bytes() {
            return count == buffer.length ? buffer : Arrays.copyOf(buffer, count);
        }
    }
}
