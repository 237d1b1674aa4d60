package dvae.math.tensor;

import dvae.math.blas.Blas;
import dvae.math.util.Parallel;
import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix products on {@link Matrix}: the plain ones through {@link Blas}, the batched per-example ones (many tiny
 * matrix-vector products) through {@link BatchedKernels}. One operation per method, inputs first and the
 * output last; nothing allocates. The {@code multAdd…} forms accumulate into the output (C += …), which is what
 * backward passes need.
 *
 * <p>The batched per-example products serve an amortized RBM: row b of {@code w} (B × n1·n2) holds the n1×n2
 * row-major matrix W_b of example b.
 */
public final class MatrixOps {
    /** Elements per parallel part of a scan at least. */
    private static final int PARALLEL_MIN = 1 << 16;
    /** Floats copied out of a buffer at a time by {@link #allFinite(FloatBuffer)}: 16 KB, in the L1 cache. */
    private static final int FINITE_CHUNK = 4096;
    private static final VectorSpecies<Float> FLOAT_LANES = VectorFunctions.LANES;

    private MatrixOps() {
    }

    /** out = a·b. */
    public static void mult(Matrix a, Matrix b, Matrix out) {
        gemm(false, false, a, b, 0f, out);
    }

    /** out += a·b. */
    public static void multAdd(Matrix a, Matrix b, Matrix out) {
        gemm(false, false, a, b, 1f, out);
    }

    /** out = aᵀ·b. */
    public static void multTransA(Matrix a, Matrix b, Matrix out) {
        gemm(true, false, a, b, 0f, out);
    }

    /** out += aᵀ·b. */
    public static void multAddTransA(Matrix a, Matrix b, Matrix out) {
        gemm(true, false, a, b, 1f, out);
    }

    /** out = a·bᵀ. */
    public static void multTransB(Matrix a, Matrix b, Matrix out) {
        gemm(false, true, a, b, 0f, out);
    }

    /** out += a·bᵀ. */
    public static void multAddTransB(Matrix a, Matrix b, Matrix out) {
        gemm(false, true, a, b, 1f, out);
    }

    private static void gemm(boolean transA, boolean transB, Matrix a, Matrix b, float beta, Matrix out) {
        int m = transA ? a.cols : a.rows;
        int k = transA ? a.rows : a.cols;
        int kb = transB ? b.cols : b.rows;
        int n = transB ? b.rows : b.cols;
        if (k != kb || out.rows != m || out.cols != n) {
            throw new IllegalArgumentException("product shapes: " + a.shape() + (transA ? "ᵀ" : "") + " · "
                    + b.shape() + (transB ? "ᵀ" : "") + " -> " + out.shape());
        }
        if (k == 0) {
            if (beta == 0f) {
                out.fill(0f);
            }
            return;
        }
        Blas.sgemm(transA, transB, m, n, k, 1f, a.data, 0, a.cols, b.data, 0, b.cols, beta, out.data, 0, out.cols);
    }

    /** out[b] = z[b]·W_b for every example b: z is B×n1, w is B×(n1·n2), out is B×n2. */
    public static void multBatched(Matrix z, Matrix w, Matrix out) {
        batchedGemv(z, w, out, true, 0f);
    }

    /** out[b] += z[b]·W_b. */
    public static void multAddBatched(Matrix z, Matrix w, Matrix out) {
        batchedGemv(z, w, out, true, 1f);
    }

    /** out[b] = y[b]·W_bᵀ for every example b: y is B×n2, w is B×(n1·n2), out is B×n1. */
    public static void multBatchedTransW(Matrix y, Matrix w, Matrix out) {
        batchedGemv(y, w, out, false, 0f);
    }

    /** out[b] += y[b]·W_bᵀ. */
    public static void multAddBatchedTransW(Matrix y, Matrix w, Matrix out) {
        batchedGemv(y, w, out, false, 1f);
    }

    /**
     * One matrix-vector product per example. With vecTimesW the vector multiplies W_b from the left (length n1, result
     * n2, which is W_bᵀ·v in BLAS terms); otherwise it multiplies W_bᵀ from the left (length n2, result n1).
     */
    private static void batchedGemv(Matrix v, Matrix w, Matrix out, boolean vecTimesW, float beta) {
        int n1 = vecTimesW ? v.cols : out.cols;
        int n2 = vecTimesW ? out.cols : v.cols;
        if (v.rows != w.rows || out.rows != w.rows || w.cols != n1 * n2) {
            throw new IllegalArgumentException("batched product shapes: " + v.shape() + " with W " + w.shape()
                    + " -> " + out.shape() + " (W rows must be n1·n2 = " + n1 + "·" + n2 + ")");
        }
        int stride = w.cols;
        Parallel.forRows(w.rows, stride, (part, b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                if (vecTimesW) {
                    BatchedKernels.vecTimesW(w.data, b * stride, n1, n2, v.data, b * v.cols, beta, out.data,
                            b * out.cols);
                } else {
                    BatchedKernels.wTimesVec(w.data, b * stride, n1, n2, v.data, b * v.cols, beta, out.data,
                            b * out.cols);
                }
            }
        });
    }

    /** W_b += z[b]ᵀ·y[b] for every example b (a rank-one update each): z is B×n1, y is B×n2, w is B×(n1·n2). */
    public static void addOuterBatched(Matrix z, Matrix y, Matrix w) {
        int n1 = z.cols;
        int n2 = y.cols;
        if (z.rows != w.rows || y.rows != w.rows || w.cols != n1 * n2) {
            throw new IllegalArgumentException("batched outer product shapes: " + z.shape() + " ⊗ " + y.shape()
                    + " into " + w.shape());
        }
        float[] wd = w.data;
        Parallel.forRows(w.rows, w.cols, (part, b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int zOff = b * n1;
                int yOff = b * n2;
                int wOff = b * w.cols;
                for (int i = 0; i < n1; i++) {
                    float zi = z.data[zOff + i];
                    if (zi == 0f) {
                        continue; // binary and sparse latents make this common
                    }
                    int row = wOff + i * n2;
                    for (int j = 0; j < n2; j++) {
                        wd[row + j] += zi * y.data[yOff + j];
                    }
                }
            }
        });
    }

    /**
     * out[r] = the sum of row r of the row-major v (cols per row) for rows [r0, r1), in double, each row's terms in
     * order, rounded to float.
     */
    public static void rowSums(float[] v, int cols, int r0, int r1, float[] out) {
        // Four rows at a time: four independent double chains hide the add latency; each row's sum keeps its order.
        int r = r0;
        for (; r + 4 <= r1; r += 4) {
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            int i0 = r * cols;
            int i1 = i0 + cols;
            int i2 = i1 + cols;
            int i3 = i2 + cols;
            for (int c = 0; c < cols; c++) {
                s0 += v[i0 + c];
                s1 += v[i1 + c];
                s2 += v[i2 + c];
                s3 += v[i3 + c];
            }
            out[r] = (float) s0;
            out[r + 1] = (float) s1;
            out[r + 2] = (float) s2;
            out[r + 3] = (float) s3;
        }
        for (; r < r1; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) {
                s += v[r * cols + c];
            }
            out[r] = (float) s;
        }
    }

    /** Whether every value is finite; long arrays are scanned in parallel parts. */
    public static boolean allFinite(float[] values) {
        boolean[] finite = new boolean[Parallel.rangeParts(values.length, PARALLEL_MIN)];
        Parallel.forRanges(values.length, PARALLEL_MIN,
                (part, from, to) -> finite[part] = allFinite(values, from, to));
        return allTrue(finite);
    }

    /**
     * Whether every remaining value of a buffer (a message's packed floats, say) is finite: copied out a cache-sized
     * chunk at a time (a bulk copy; element-wise reads of a byte-backed buffer are several times slower), in parallel
     * parts.
     */
    public static boolean allFinite(FloatBuffer values) {
        int start = values.position();
        int n = values.remaining();
        boolean[] finite = new boolean[Parallel.rangeParts(n, PARALLEL_MIN)];
        Parallel.forRanges(n, PARALLEL_MIN, (part, from, to) -> {
            float[] chunk = new float[Math.min(FINITE_CHUNK, to - from)];
            boolean ok = true;
            for (int at = from; at < to && ok; at += chunk.length) {
                int len = Math.min(chunk.length, to - at);
                values.get(start + at, chunk, 0, len);
                ok = allFinite(chunk, 0, len);
            }
            finite[part] = ok;
        });
        return allTrue(finite);
    }

    /**
     * Whether v[from..to) is all finite, on this thread. x − x is 0 for every finite x and NaN otherwise: one
     * subtraction and one addition per lane.
     */
    public static boolean allFinite(float[] v, int from, int to) {
        FloatVector acc = FloatVector.zero(FLOAT_LANES);
        int i = from;
        for (int bound = from + FLOAT_LANES.loopBound(to - from); i < bound; i += FLOAT_LANES.length()) {
            FloatVector x = FloatVector.fromArray(FLOAT_LANES, v, i);
            acc = acc.add(x.sub(x));
        }
        float rest = 0;
        for (; i < to; i++) {
            rest += v[i] - v[i];
        }
        return rest == 0 && acc.reduceLanes(VectorOperators.ADD) == 0;
    }

    private static boolean allTrue(boolean[] flags) {
        for (boolean f : flags) {
            if (!f) {
                return false;
            }
        }
        return true;
    }
}
