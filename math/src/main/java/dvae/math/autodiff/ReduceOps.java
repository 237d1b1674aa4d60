package dvae.math.autodiff;

import dvae.math.tensor.LikelihoodKernels;
import dvae.math.tensor.Matrix;
import dvae.math.tensor.MatrixOps;
import dvae.math.util.Parallel;

/**
 * Reductions on the tape. Naming: {@code rowSums} gives one sum per row (rows×1), {@code columnSums} one per column
 * (1×cols). Sums accumulate in double so that losses over large batches keep their precision.
 */
public final class ReduceOps {
    private ReduceOps() {
    }

    /** The sum of all entries, 1×1. */
    public static Var sum(Var x) {
        float[] v = x.value().data;
        double s = 0;
        for (float f : v) {
            s += f;
        }
        Matrix out = Matrix.of(1, 1, (float) s);
        return x.tape().record(out, dy -> {
            float g = dy.data[0];
            float[] dx = x.grad().data;
            for (int i = 0; i < dx.length; i++) {
                dx[i] += g;
            }
        }, x);
    }

    /** The mean of all entries, 1×1. */
    public static Var mean(Var x) {
        return ElementwiseOps.scale(sum(x), 1f / x.value().size());
    }

    /** One sum per row: rows×1. */
    public static Var rowSums(Var x) {
        int cols = x.cols();
        float[] v = x.value().data;
        int rows = x.rows();
        Matrix out = new Matrix(rows, 1);
        Parallel.forRows(rows, cols, (part, r0, r1) -> MatrixOps.rowSums(v, cols, r0, r1, out.data));
        return x.tape().record(out, dy -> {
            float[] dx = x.grad().data;
            Parallel.forRows(rows, cols, (part, r0, r1) -> {
                for (int row = r0; row < r1; row++) {
                    float g = dy.data[row];
                    for (int c = 0, i = row * cols; c < cols; c++, i++) {
                        dx[i] += g;
                    }
                }
            });
        }, x);
    }

    /** One mean per row: rows×1. */
    public static Var rowMeans(Var x) {
        return ElementwiseOps.scale(rowSums(x), 1f / x.cols());
    }

    /** One sum per column: 1×cols. */
    public static Var columnSums(Var x) {
        int cols = x.cols();
        float[] v = x.value().data;
        double[] s = new double[cols];
        for (int i = 0; i < v.length; i++) {
            s[i % cols] += v[i];
        }
        Matrix out = new Matrix(1, cols);
        for (int c = 0; c < cols; c++) {
            out.data[c] = (float) s[c];
        }
        return x.tape().record(out, dy -> {
            float[] dx = x.grad().data;
            for (int i = 0; i < dx.length; i += cols) {
                for (int c = 0; c < cols; c++) {
                    dx[i + c] += dy.data[c];
                }
            }
        }, x);
    }

    /** One mean per column: 1×cols. */
    public static Var columnMeans(Var x) {
        return ElementwiseOps.scale(columnSums(x), 1f / x.rows());
    }

    /** log Σ_c exp(x[r, c]) per row: rows×1, shifted by the row maximum and summed in double. */
    public static Var rowLogSumExp(Var x) {
        int cols = x.cols();
        float[] v = x.value().data;
        Matrix out = new Matrix(x.rows(), 1);
        for (int r = 0; r < x.rows(); r++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, v[r * cols + c]);
            }
            double s = 0;
            for (int c = 0; c < cols; c++) {
                s += Math.exp(v[r * cols + c] - max);
            }
            out.data[r] = (float) (max + Math.log(s));
        }
        return x.tape().record(out, dy -> { // d lse / dx = softmax(x) = exp(x − lse)
            float[] dx = x.grad().data;
            for (int i = 0; i < dx.length; i++) {
                int r = i / cols;
                dx[i] += dy.data[r] * (float) Math.exp(v[i] - out.data[r]);
            }
        }, x);
    }

    /**
     * Bernoulli log-likelihood with logits, summed per row: out[r] = Σ_c x·l − softplus(l) (rows×1). x is usually the
     * data (a constant), but gets its gradient l when it needs one. The terms run in float lanes, each row's lanes
     * summed in double ({@link LikelihoodKernels#rowLogLikelihoods}).
     */
    public static Var bernoulliLogLikelihood(Var x, Var logits) {
        Matrix.requireSameShape(x.value(), logits.value());
        int cols = x.cols();
        float[] xv = x.value().data;
        float[] lv = logits.value().data;
        Matrix out = new Matrix(x.rows(), 1);
        Parallel.forRows(x.rows(), cols, (part, r0, r1) -> LikelihoodKernels.rowLogLikelihoods(xv, lv, cols, r0, r1,
                out.data));
        return x.tape().record(out, dy -> {
            if (logits.needsGrad()) { // d/dl = x − σ(l)
                float[] dl = logits.grad().data;
                Parallel.forRows(x.rows(), cols, (part, r0, r1) -> LikelihoodKernels.addLogitGradients(xv, lv,
                        dy.data, cols, r0, r1, dl));
            }
            if (x.needsGrad()) { // d/dx = l
                float[] dx = x.grad().data;
                for (int i = 0; i < dx.length; i++) {
                    dx[i] += dy.data[i / cols] * lv[i];
                }
            }
        }, x, logits);
    }
}
