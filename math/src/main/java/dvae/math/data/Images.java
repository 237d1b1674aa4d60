package dvae.math.data;

/** Shape of every image in the data sets: 28 x 28 pixels, flattened row-major to 784. */
public final class Images {
    public static final int SIDE = 28;
    public static final int PIXELS = SIDE * SIDE;

    private Images() {
    }

    static void checkBatch(int[] indices, float[] out, int rows) {
        if (out.length < (long) indices.length * PIXELS) {
            throw new IllegalArgumentException("batch of " + indices.length + " images needs " + indices.length * PIXELS
                    + " floats, given " + out.length);
        }
        for (int index : indices) {
            if (index < 0 || index >= rows) {
                throw new IndexOutOfBoundsException("image " + index + " of " + rows);
            }
        }
    }
}
