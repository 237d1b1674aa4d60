package dvae.math.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dvae.math.random.RandomStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The BLAS-backed products against naive loops, on non-square shapes, for both the overwrite and accumulate forms. */
class MatrixOpsTest {

    private static Matrix random(int rows, int cols, long seed) {
        Matrix m = new Matrix(rows, cols);
        RandomStream rng = new RandomStream(seed);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = 2 * rng.nextFloat() - 1;
        }
        return m;
    }

    private static Matrix transpose(Matrix a) {
        Matrix t = new Matrix(a.cols, a.rows);
        for (int r = 0; r < a.rows; r++) {
            for (int c = 0; c < a.cols; c++) {
                t.set(c, r, a.get(r, c));
            }
        }
        return t;
    }

    private static Matrix naive(Matrix a, Matrix b) {
        Matrix c = new Matrix(a.rows, b.cols);
        for (int i = 0; i < a.rows; i++) {
            for (int j = 0; j < b.cols; j++) {
                double s = 0;
                for (int k = 0; k < a.cols; k++) {
                    s += a.get(i, k) * b.get(k, j);
                }
                c.set(i, j, (float) s);
            }
        }
        return c;
    }

    private static void assertClose(Matrix expected, Matrix actual) {
        assertEquals(expected.shape(), actual.shape());
        for (int i = 0; i < expected.data.length; i++) {
            assertEquals(expected.data[i], actual.data[i], 1e-5, "element " + i);
        }
    }

    /** Each product overwrites garbage in out; the Add form adds to what is there. */
    @Test
    void plainAndTransposedProducts() {
        Matrix a = random(3, 4, 1);
        Matrix b = random(4, 5, 2);
        Matrix expected = naive(a, b);
        Matrix twice = expected.copy();
        for (int i = 0; i < twice.data.length; i++) {
            twice.data[i] *= 2;
        }
        Matrix out = random(3, 5, 3);
        MatrixOps.mult(a, b, out);
        assertClose(expected, out);
        MatrixOps.multAdd(a, b, out);
        assertClose(twice, out);

        out = random(3, 5, 3);
        MatrixOps.multTransA(transpose(a), b, out);
        assertClose(expected, out);
        MatrixOps.multAddTransA(transpose(a), b, out);
        assertClose(twice, out);

        out = random(3, 5, 3);
        MatrixOps.multTransB(a, transpose(b), out);
        assertClose(expected, out);
        MatrixOps.multAddTransB(a, transpose(b), out);
        assertClose(twice, out);

        assertThrows(IllegalArgumentException.class, () -> MatrixOps.mult(a, a, new Matrix(3, 4)));
    }

    @Test
    void batchedProductsAndOuterProductsPerExample() {
        int batch = 3;
        int n1 = 4;
        int n2 = 5;
        Matrix z = random(batch, n1, 1);
        z.set(1, 2, 0f); // the outer product skips zero entries of z
        Matrix y = random(batch, n2, 2);
        Matrix w = random(batch, n1 * n2, 3);
        Matrix zw = random(batch, n2, 4);
        Matrix ywt = random(batch, n1, 5);
        MatrixOps.multBatched(z, w, zw);
        MatrixOps.multBatchedTransW(y, w, ywt);
        Matrix outer = w.copy();
        MatrixOps.addOuterBatched(z, y, outer);
        for (int b = 0; b < batch; b++) {
            Matrix wb = new Matrix(n1, n2);
            System.arraycopy(w.data, b * n1 * n2, wb.data, 0, n1 * n2);
            Matrix zb = Matrix.of(1, n1, Arrays.copyOfRange(z.data, b * n1, (b + 1) * n1));
            Matrix yb = Matrix.of(1, n2, Arrays.copyOfRange(y.data, b * n2, (b + 1) * n2));
            Matrix expectedZw = naive(zb, wb);
            Matrix expectedYwt = naive(yb, transpose(wb));
            Matrix expectedOuter = naive(transpose(zb), yb);
            for (int j = 0; j < n2; j++) {
                assertEquals(expectedZw.data[j], zw.get(b, j), 1e-5);
            }
            for (int i = 0; i < n1; i++) {
                assertEquals(expectedYwt.data[i], ywt.get(b, i), 1e-5);
                for (int j = 0; j < n2; j++) {
                    assertEquals(wb.get(i, j) + expectedOuter.get(i, j), outer.get(b, i * n2 + j), 1e-6);
                }
            }
        }
        Matrix acc = zw.copy();
        MatrixOps.multAddBatched(z, w, acc);
        assertEquals(2 * zw.get(2, 3), acc.get(2, 3), 1e-5);
        Matrix accT = ywt.copy();
        MatrixOps.multAddBatchedTransW(y, w, accT);
        assertEquals(2 * ywt.get(1, 0), accT.get(1, 0), 1e-5);
        assertThrows(IllegalArgumentException.class, () -> MatrixOps.multBatched(z, random(batch, 19, 6), zw));
    }

    /**
     * The left product in vector blocks adds each column's terms in row order with fused multiply-adds, exactly as a
     * scalar loop does: bit for bit, on row lengths below, at and between whole vectors and across blocks of eight,
     * accumulating (beta 1) or not (beta 0, old contents ignored).
     */
    @Test
    void leftProductsEqualASequentialFusedSumPerColumnBitForBit() {
        for (int n2 : new int[] {5, 16, 21, 100, 128, 130, 144, 200, 400}) {
            int n1 = 37;
            Matrix w = random(1, n1 * n2, n2);
            Matrix v = random(1, n1, n2 + 1);
            Matrix start = random(1, n2, n2 + 2);
            for (float beta : new float[] {0f, 1f}) {
                float[] out = start.data.clone();
                if (beta == 0f) {
                    out[0] = Float.NaN;
                }
                BatchedKernels.vecTimesW(w.data, 0, n1, n2, v.data, 0, beta, out, 0);
                for (int j = 0; j < n2; j++) {
                    float expected = beta == 0f ? 0f : start.data[j];
                    for (int i = 0; i < n1; i++) {
                        expected = Math.fma(w.data[i * n2 + j], v.data[i], expected);
                    }
                    assertEquals(expected, out[j], "n2 " + n2 + ", beta " + beta + ", column " + j);
                }
            }
        }
    }

    @Test
    void allFiniteFindsANonFiniteValueAnywhereInALongArrayOrBuffer() {
        float[] values = new float[300_001];
        assertTrue(MatrixOps.allFinite(values));
        for (int at : new int[] {0, 150_000, 300_000}) {
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                values[at] = bad;
                assertFalse(MatrixOps.allFinite(values), bad + " at " + at);
                values[at] = 0f;
            }
        }
        values[0] = Float.NaN;
        // a buffer is checked from its position on
        assertTrue(MatrixOps.allFinite(java.nio.FloatBuffer.wrap(values).position(1)));
    }
}
