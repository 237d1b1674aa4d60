package dvae.math.tensor;

import dvae.math.util.Parallel;
import java.util.Arrays;

/**
 * A dense row-major float32 matrix: element (r, c) is {@code data[r * cols + c]}.
 *
 * <p>Plain fields over a {@code float[]} rather than EJML's {@code FMatrixRMaj} (same layout): the shape is final, so
 * no operation can resize a matrix that a tape has recorded; a reshape is a view sharing the array; and every product
 * hands the array straight to {@link dvae.math.blas.Blas}, which is about ten times faster here than EJML's multiply.
 * EJML remains usable on the same data via {@code FMatrixRMaj.wrap(rows, cols, data)}.
 */
public final class Matrix {
    public final int rows;
    public final int cols;
    public final float[] data;

    /** A zero matrix. */
    public Matrix(int rows, int cols) {
        this(rows, cols, new float[checkedSize(rows, cols)]);
    }

    /** Wraps {@code data} (not copied) as a rows×cols matrix. */
    public Matrix(int rows, int cols, float[] data) {
        if (data.length != checkedSize(rows, cols)) {
            throw new IllegalArgumentException(rows + "x" + cols + " matrix needs " + (long) rows * cols
                    + " values, given " + data.length);
        }
        this.rows = rows;
        this.cols = cols;
        this.data = data;
    }

    private static int checkedSize(int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative matrix dimension: " + rows + "x" + cols);
        }
        return Math.multiplyExact(rows, cols);
    }

    /** A rows×cols matrix holding a copy of the given row-major values. */
    public static Matrix of(int rows, int cols, float... values) {
        return new Matrix(rows, cols, values.clone());
    }

    public int size() {
        return data.length;
    }

    public float get(int r, int c) {
        return data[r * cols + c];
    }

    public void set(int r, int c, float v) {
        data[r * cols + c] = v;
    }

    public Matrix copy() {
        return new Matrix(rows, cols, data.clone());
    }

    /** The same values seen as rows×cols; shares the array, so writes show through both. */
    public Matrix reshapeView(int rows, int cols) {
        return new Matrix(rows, cols, data);
    }

    public void fill(float v) {
        Parallel.forElements(data.length, (part, from, to) -> Arrays.fill(data, from, to, v));
    }

    public boolean sameShape(Matrix other) {
        return rows == other.rows && cols == other.cols;
    }

    public String shape() {
        return rows + "x" + cols;
    }

    /** Throws unless a and b have the same shape. */
    public static void requireSameShape(Matrix a, Matrix b) {
        if (!a.sameShape(b)) {
            throw new IllegalArgumentException("shape mismatch: " + a.shape() + " vs " + b.shape());
        }
    }

    @Override
    public String toString() {
        return "Matrix" + shape() + (size() <= 16 ? Arrays.toString(data) : "");
    }
}
