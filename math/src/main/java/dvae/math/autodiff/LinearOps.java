package dvae.math.autodiff;

import dvae.math.tensor.Matrix;
import dvae.math.tensor.MatrixOps;
import dvae.math.util.Parallel;

/** Matrix products and bias addition on the tape; all products go through {@link MatrixOps} (BLAS). */
public final class LinearOps {
    private LinearOps() {
    }

    /** a·b; the model for a two-input operation (see {@link Tape}). */
    public static Var matmul(Var a, Var b) {
        Matrix out = new Matrix(a.rows(), b.cols());
        MatrixOps.mult(a.value(), b.value(), out);
        return a.tape().record(out, dy -> {
            if (a.needsGrad()) {
                MatrixOps.multAddTransB(dy, b.value(), a.grad()); // dA += dY·Bᵀ
            }
            if (b.needsGrad()) {
                MatrixOps.multAddTransA(a.value(), dy, b.grad()); // dB += Aᵀ·dY
            }
        }, a, b);
    }

    /** a·bᵀ. */
    public static Var matmulTransB(Var a, Var b) {
        Matrix out = new Matrix(a.rows(), b.rows());
        MatrixOps.multTransB(a.value(), b.value(), out);
        return a.tape().record(out, dy -> {
            if (a.needsGrad()) {
                MatrixOps.multAdd(dy, b.value(), a.grad()); // dA += dY·B
            }
            if (b.needsGrad()) {
                MatrixOps.multAddTransA(dy, a.value(), b.grad()); // dB += dYᵀ·A
            }
        }, a, b);
    }

    /** aᵀ·b. */
    public static Var matmulTransA(Var a, Var b) {
        Matrix out = new Matrix(a.cols(), b.cols());
        MatrixOps.multTransA(a.value(), b.value(), out);
        return a.tape().record(out, dy -> {
            if (a.needsGrad()) {
                MatrixOps.multAddTransB(b.value(), dy, a.grad()); // dA += B·dYᵀ
            }
            if (b.needsGrad()) {
                MatrixOps.multAdd(a.value(), dy, b.grad()); // dB += A·dY
            }
        }, a, b);
    }

    /**
     * x·k + bias, with the 1×cols bias added to every row: {@code addBias(matmul(x, k), bias)} bit for bit, in one
     * operation, so that the product gets no matrix and no gradient pass of its own (a dense layer's output, up to
     * 100 × 10,200 floats for the RBM posterior's head).
     */
    public static Var affine(Var x, Var k, Var bias) {
        checkBias(k.cols(), bias);
        Matrix out = new Matrix(x.rows(), k.cols());
        MatrixOps.mult(x.value(), k.value(), out);
        addRows(out.data, bias.value().data, out.data);
        return x.tape().record(out, dy -> {
            addColumnSums(dy, bias);
            if (x.needsGrad()) {
                MatrixOps.multAddTransB(dy, k.value(), x.grad()); // dx += dY·kᵀ
            }
            if (k.needsGrad()) {
                MatrixOps.multAddTransA(x.value(), dy, k.grad()); // dk += xᵀ·dY
            }
        }, x, k, bias);
    }

    /** x + bias with the 1×cols bias added to every row. */
    public static Var addBias(Var x, Var bias) {
        checkBias(x.cols(), bias);
        Matrix out = new Matrix(x.rows(), x.cols());
        addRows(x.value().data, bias.value().data, out.data);
        return x.tape().record(out, dy -> {
            ElementwiseOps.addScaled(dy, 1f, x);
            addColumnSums(dy, bias);
        }, x, bias);
    }

    private static void checkBias(int cols, Var bias) {
        if (bias.rows() != 1 || bias.cols() != cols) {
            throw new IllegalArgumentException("bias must be 1x" + cols + ", got " + bias.value().shape());
        }
    }

    /** out[r, c] = v[r, c] + b[c] for every row (out may be v). */
    private static void addRows(float[] v, float[] b, float[] out) {
        int cols = b.length;
        Parallel.forRows(out.length / cols, cols, (part, r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                for (int c = 0, i = r * cols; c < cols; c++, i++) {
                    out[i] = v[i] + b[c];
                }
            }
        });
    }

    /** bias.grad += the column sums of dy, when the bias needs a gradient (it fed every row). */
    private static void addColumnSums(Matrix dy, Var bias) {
        if (!bias.needsGrad()) {
            return;
        }
        float[] d = dy.data;
        float[] db = bias.grad().data;
        int rows = dy.rows;
        int cols = dy.cols;
        Parallel.forRows(cols, rows, (part, c0, c1) -> { // parts of columns, each summed over the rows in order
            for (int r = 0; r < rows; r++) {
                for (int c = c0, i = r * cols + c0; c < c1; c++, i++) {
                    db[c] += d[i];
                }
            }
        });
    }

    /**
     * Per-example products for an amortized RBM: out[b] = z[b]·W_b, with z B×n1 and w B×(n1·n2), each row of w one
     * n1×n2 row-major W_b; out is B×n2.
     */
    public static Var matmulBatched(Var z, Var w) {
        int n1 = z.cols();
        if (n1 == 0 || w.cols() % n1 != 0) {
            throw new IllegalArgumentException("W rows of " + w.cols() + " are not n1·n2 with n1 = " + n1);
        }
        Matrix out = new Matrix(z.rows(), w.cols() / n1);
        MatrixOps.multBatched(z.value(), w.value(), out);
        return z.tape().record(out, dy -> {
            if (z.needsGrad()) {
                MatrixOps.multAddBatchedTransW(dy, w.value(), z.grad()); // dz[b] += dy[b]·W_bᵀ
            }
            if (w.needsGrad()) {
                MatrixOps.addOuterBatched(z.value(), dy, w.grad()); // dW_b += z[b]ᵀ·dy[b]
            }
        }, z, w);
    }

    /**
     * Per-example products with the transposes: out[b] = y[b]·W_bᵀ, with y B×n2 and w B×(n1·n2) as in
     * {@link #matmulBatched}; out is B×n1.
     */
    public static Var matmulBatchedTransW(Var y, Var w) {
        int n2 = y.cols();
        if (n2 == 0 || w.cols() % n2 != 0) {
            throw new IllegalArgumentException("W rows of " + w.cols() + " are not n1·n2 with n2 = " + n2);
        }
        Matrix out = new Matrix(y.rows(), w.cols() / n2);
        MatrixOps.multBatchedTransW(y.value(), w.value(), out);
        return y.tape().record(out, dOut -> {
            if (y.needsGrad()) {
                MatrixOps.multAddBatched(dOut, w.value(), y.grad()); // dy[b] += dOut[b]·W_b
            }
            if (w.needsGrad()) {
                MatrixOps.addOuterBatched(dOut, y.value(), w.grad()); // dW_b += dOut[b]ᵀ·y[b]
            }
        }, y, w);
    }
}
