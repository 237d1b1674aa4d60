package dvae.math.data;

import dvae.math.random.RandomStream;
import java.util.Arrays;

/** Binary images, one byte (0 or 1) per pixel, row-major: {@code rows()} rows of {@link Images#PIXELS}. */
public final class BinaryImages implements TrainImages {
    private final byte[] pixels;
    private final int rows;

    /** Takes ownership of {@code pixels}, whose values must all be 0 or 1. */
    public BinaryImages(byte[] pixels) {
        if (pixels.length % Images.PIXELS != 0) {
            throw new IllegalArgumentException(pixels.length + " pixels is not a whole number of images");
        }
        for (byte p : pixels) {
            if (p != 0 && p != 1) {
                throw new IllegalArgumentException("binary images hold 0 or 1, found " + p);
            }
        }
        this.pixels = pixels;
        this.rows = pixels.length / Images.PIXELS;
    }

    @Override
    public int rows() {
        return rows;
    }

    /** Static images need no randomness: {@code random} is not drawn from. */
    @Override
    public void fillBatch(int[] indices, float[] out, RandomStream random) {
        fill(indices, out);
    }

    public void fill(int[] indices, float[] out) {
        Images.checkBatch(indices, out, rows);
        for (int r = 0; r < indices.length; r++) {
            copyRow(indices[r], out, r * Images.PIXELS);
        }
    }

    /** Writes images {@code from .. from+count-1} into {@code out}, for sequential passes such as evaluation. */
    public void fillRange(int from, int count, float[] out) {
        if (from < 0 || count < 0 || from + count > rows) {
            throw new IndexOutOfBoundsException("images " + from + ".." + (from + count - 1) + " of " + rows);
        }
        if (out.length < (long) count * Images.PIXELS) {
            throw new IllegalArgumentException(count + " images need " + count * Images.PIXELS + " floats, given "
                    + out.length);
        }
        for (int r = 0; r < count; r++) {
            copyRow(from + r, out, r * Images.PIXELS);
        }
    }

    private void copyRow(int row, float[] out, int offset) {
        int base = row * Images.PIXELS;
        for (int p = 0; p < Images.PIXELS; p++) {
            out[offset + p] = pixels[base + p];
        }
    }

    public int pixel(int row, int pixel) {
        return pixels[row * Images.PIXELS + pixel];
    }

    /** A copy of the rows {@code from .. to-1}. */
    public BinaryImages slice(int from, int to) {
        return new BinaryImages(Arrays.copyOfRange(pixels, from * Images.PIXELS, to * Images.PIXELS));
    }

    /** The pixel bytes themselves, row-major, for writing and comparing; callers must not change them. */
    byte[] pixelBytes() {
        return pixels;
    }

    @Override
    public float[] meanPixel() {
        long[] ones = new long[Images.PIXELS];
        for (int i = 0; i < pixels.length; i++) {
            ones[i % Images.PIXELS] += pixels[i];
        }
        float[] mean = new float[Images.PIXELS];
        for (int p = 0; p < Images.PIXELS; p++) {
            mean[p] = rows == 0 ? 0f : (float) ((double) ones[p] / rows);
        }
        return mean;
    }
}
