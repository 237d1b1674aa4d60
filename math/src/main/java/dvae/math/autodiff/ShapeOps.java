package dvae.math.autodiff;

import dvae.math.tensor.Matrix;
import dvae.math.util.Parallel;

/** Operations that move values without arithmetic: concatenation, slicing, reshaping, stopping gradients. */
public final class ShapeOps {
    private ShapeOps() {
    }

    /** [parts[0] | parts[1] | …] side by side; all parts have the same number of rows. */
    public static Var concatColumns(Var... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("concatColumns needs at least one part");
        }
        int rows = parts[0].rows();
        int cols = 0;
        for (Var p : parts) {
            if (p.rows() != rows) {
                throw new IllegalArgumentException("concatColumns: " + p.value().shape() + " has not " + rows + " rows");
            }
            cols += p.cols();
        }
        Matrix out = new Matrix(rows, cols);
        int offset = 0;
        for (Var p : parts) {
            copyColumns(p.value(), 0, out, offset, p.cols());
            offset += p.cols();
        }
        return parts[0].tape().record(out, dy -> {
            int from = 0;
            for (Var p : parts) {
                if (p.needsGrad()) {
                    addColumns(dy, from, p.grad(), 0, p.cols());
                }
                from += p.cols();
            }
        }, parts);
    }

    /** Columns [from, to) of x. */
    public static Var sliceColumns(Var x, int from, int to) {
        if (from < 0 || to > x.cols() || from > to) {
            throw new IllegalArgumentException("columns [" + from + ", " + to + ") of " + x.value().shape());
        }
        Matrix out = new Matrix(x.rows(), to - from);
        copyColumns(x.value(), from, out, 0, to - from);
        return x.tape().record(out, dy -> addColumns(dy, 0, x.grad(), from, to - from), x);
    }

    /** The same row-major values seen as rows×cols (no copy). */
    public static Var reshape(Var x, int rows, int cols) {
        Matrix out = x.value().reshapeView(rows, cols);
        return x.tape().record(out, dy -> ElementwiseOps.addScaled(dy, 1f, x), x);
    }

    /** The same value as a constant: no gradient flows back through it. */
    public static Var stopGradient(Var x) {
        return x.tape().constant(x.value());
    }

    /** dst[:, dstCol … dstCol+n) = src[:, srcCol … srcCol+n). */
    private static void copyColumns(Matrix src, int srcCol, Matrix dst, int dstCol, int n) {
        Parallel.forRows(src.rows, n, (part, r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                System.arraycopy(src.data, r * src.cols + srcCol, dst.data, r * dst.cols + dstCol, n);
            }
        });
    }

    /** dst[:, dstCol … dstCol+n) += src[:, srcCol … srcCol+n). */
    private static void addColumns(Matrix src, int srcCol, Matrix dst, int dstCol, int n) {
        Parallel.forRows(src.rows, n, (part, r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int s = r * src.cols + srcCol;
                int d = r * dst.cols + dstCol;
                for (int c = 0; c < n; c++) {
                    dst.data[d + c] += src.data[s + c];
                }
            }
        });
    }
}
