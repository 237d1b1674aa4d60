package dvae.math.blas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dvae.math.random.RandomStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The row-major facade against naive loops, for every transpose combination, with offsets and strides. */
class BlasTest {
    private static float[] random(int size, RandomStream rng) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = rng.nextFloat() * 2 - 1;
        }
        return x;
    }

    /** Element (r, c) of op(X) where X is stored row-major with row stride ld from offset off. */
    private static double at(float[] x, int off, int ld, boolean trans, int r, int c) {
        return trans ? x[off + c * ld + r] : x[off + r * ld + c];
    }

    /**
     * A small product, and two large enough to be cut into blocks across the cores (by rows of C when it is tall, by
     * columns when it is wide), each for every transpose, with offsets and padded strides.
     */
    @ParameterizedTest
    @CsvSource({"5, 7, 3", "300, 70, 120", "64, 400, 90"})
    void sgemmMatchesNaiveProductForAllTransposesOffsetsAndStrides(int m, int n, int k) {
        RandomStream rng = new RandomStream(7);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                int aRows = ta ? k : m;
                int aCols = ta ? m : k;
                int bRows = tb ? n : k;
                int bCols = tb ? k : n;
                int lda = aCols + 2;
                int ldb = bCols + 1;
                int ldc = n + 3;
                float[] a = random(4 + aRows * lda, rng);
                float[] b = random(1 + bRows * ldb, rng);
                float[] c = random(2 + m * ldc, rng);
                float[] c0 = c.clone();
                Blas.sgemm(ta, tb, m, n, k, 0.5f, a, 4, lda, b, 1, ldb, 2f, c, 2, ldc);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double sum = 0;
                        for (int p = 0; p < k; p++) {
                            sum += at(a, 4, lda, ta, i, p) * at(b, 1, ldb, tb, p, j);
                        }
                        double want = 0.5 * sum + 2 * c0[2 + i * ldc + j];
                        assertEquals(want, c[2 + i * ldc + j], 1e-5 * (1 + k), "ta=" + ta + " tb=" + tb + " at " + i + "," + j);
                    }
                    // Padding between rows is never written.
                    for (int j = n; j < ldc && 2 + i * ldc + j < c.length; j++) {
                        assertEquals(c0[2 + i * ldc + j], c[2 + i * ldc + j]);
                    }
                }
            }
        }
    }

    @Test
    void aProductCutIntoBlocksStillRefusesOperandsThatDoNotFit() {
        int m = 300;
        int n = 70;
        int k = 120;
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Blas.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, new float[m * n - 1], 0, n));
        assertEquals("C: 300 x 70 at offset 0 with row stride 70 does not fit an array of 20999", e.getMessage());
        assertThrows(IndexOutOfBoundsException.class,
                () -> Blas.dgemm(true, false, m, n, k, 1, new double[m * k], 1, m, new double[k * n], 0, n, 0,
                        new double[m * n], 0, n));
    }

    @ParameterizedTest
    @CsvSource({"4, 6, 5", "300, 70, 120"}) // small, and large enough to run in blocks
    void dgemmAndDenseShortcutAgreeWithSgemm(int m, int n, int k) {
        RandomStream rng = new RandomStream(8);
        float[] a = random(m * k, rng);
        float[] b = random(n * k, rng);
        float[] c = new float[m * n];
        Blas.sgemm(false, true, m, n, k, a, b, c);
        double[] ad = new double[a.length];
        double[] bd = new double[b.length];
        for (int i = 0; i < a.length; i++) {
            ad[i] = a[i];
        }
        for (int i = 0; i < b.length; i++) {
            bd[i] = b[i];
        }
        double[] cd = new double[m * n];
        Blas.dgemm(false, true, m, n, k, ad, bd, cd);
        for (int i = 0; i < m * n; i++) {
            double want = 0;
            for (int p = 0; p < k; p++) {
                want += ad[(i / n) * k + p] * bd[(i % n) * k + p];
            }
            assertEquals(want, cd[i], 1e-12 * k);
            assertEquals(want, c[i], 1e-5 * k);
        }
    }

    @Test
    void sgemvMatchesNaiveProductBothWays() {
        RandomStream rng = new RandomStream(9);
        int m = 6;
        int n = 4;
        float[] a = random(m * n, rng);
        float[] x = random(m, rng);
        float[] y = new float[n];
        Blas.sgemv(true, m, n, 1f, a, 0, n, x, 0, 0f, y, 0);
        for (int j = 0; j < n; j++) {
            double want = 0;
            for (int i = 0; i < m; i++) {
                want += a[i * n + j] * x[i];
            }
            assertEquals(want, y[j], 1e-5);
        }
        float[] v = random(n, rng);
        float[] w = new float[m];
        Blas.sgemv(false, m, n, 1f, a, 0, n, v, 0, 0f, w, 0);
        for (int i = 0; i < m; i++) {
            double want = 0;
            for (int j = 0; j < n; j++) {
                want += a[i * n + j] * v[j];
            }
            assertEquals(want, w[i], 1e-5);
        }
    }

    @Test
    void peakMeasurementIsPositiveAndFinite() {
        double gflops = PeakFlops.measureGflops(1);
        org.junit.jupiter.api.Assertions.assertTrue(gflops > 0.1 && Double.isFinite(gflops), "peak " + gflops);
    }
}
