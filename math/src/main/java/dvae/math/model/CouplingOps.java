package dvae.math.model;

import dvae.math.autodiff.Var;
import dvae.math.tensor.Matrix;
import dvae.math.tensor.MatrixOps;
import dvae.math.util.Parallel;

/**
 * The amortized RBM's biases in 0/1 units from its spin fields and couplings, as one tape operation over the 100 ×
 * n1·n2 couplings: as separate operations (row sums over a reshape, a batched product with ones, subtractions,
 * scalings) they took six passes and four matrices of that size per step, forward and backward.
 */
public final class CouplingOps {
    private CouplingOps() {
    }

    /**
     * [b1 | b2] per row (rows × (n1 + n2)) with b1 = 2(h1 − ¼·Σ_j W_ij) and b2 = 2(h2 − ¼·Σ_i W_ij), where h1 and h2
     * are the first n1 + n2 columns of {@code fields} and row r of {@code w} is W = 4J of example r (n1 × n2,
     * row-major): the spins' fields minus the couplings' sums, as {@link RbmPosterior} converts spins to bits. The
     * values, and the gradients that reach fields and w, are those of the separate operations with J = W/4, bit for
     * bit: scaling by 4 is exact in floating point.
     */
    public static Var biases(Var fields, Var w, int n1, int n2) {
        int rows = w.rows();
        int width = fields.cols();
        if (fields.rows() != rows || width < n1 + n2 || w.cols() != n1 * n2) {
            throw new IllegalArgumentException("biases of " + n1 + "+" + n2 + " units from fields "
                    + fields.value().shape() + " and couplings " + w.value().shape());
        }
        int n = n1 + n2;
        float[] h = fields.value().data;
        float[] wv = w.value().data;
        Matrix ones = new Matrix(rows, n1);
        ones.fill(1f);
        Matrix columnSums = new Matrix(rows, n2);
        MatrixOps.multBatched(ones, w.value(), columnSums);
        Matrix out = new Matrix(rows, n);
        float[] o = out.data;
        float[] cs = columnSums.data;
        float[] rowSums = new float[rows * n1];
        Parallel.forRows(rows, n1 * n2, (part, r0, r1) -> {
            MatrixOps.rowSums(wv, n2, r0 * n1, r1 * n1, rowSums); // the rows of every W_r, as ReduceOps.rowSums
            for (int r = r0; r < r1; r++) {
                for (int i = 0; i < n1; i++) {
                    o[r * n + i] = (h[r * width + i] - rowSums[r * n1 + i] * 0.25f) * 2f;
                }
                for (int j = 0; j < n2; j++) {
                    o[r * n + n1 + j] = (h[r * width + n1 + j] - cs[r * n2 + j] * 0.25f) * 2f;
                }
            }
        });
        return w.tape().record(out, dOut -> {
            float[] d = dOut.data;
            if (fields.needsGrad()) {
                float[] dh = fields.grad().data;
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < n; c++) {
                        dh[r * width + c] += 2f * d[r * n + c];
                    }
                }
            }
            if (w.needsGrad()) {
                // dW_ij gets the column sum's share, then the row sum's: the order the separate operations add them.
                float[] dw = w.grad().data;
                Parallel.forRows(rows, n1 * n2, (part, r0, r1) -> {
                    float[] columnShare = new float[n2];
                    for (int r = r0; r < r1; r++) {
                        for (int j = 0; j < n2; j++) {
                            columnShare[j] = -(2f * d[r * n + n1 + j]) * 0.25f;
                        }
                        for (int i = 0; i < n1; i++) {
                            float rowShare = -(2f * d[r * n + i]) * 0.25f;
                            for (int j = 0, at = r * n1 * n2 + i * n2; j < n2; j++, at++) {
                                dw[at] = (dw[at] + columnShare[j]) + rowShare;
                            }
                        }
                    }
                });
            }
        }, fields, w);
    }
}
