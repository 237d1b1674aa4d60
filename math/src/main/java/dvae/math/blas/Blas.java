package dvae.math.blas;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Row-major float and double matrix products routed through netlib's BLAS layer: the system OpenBLAS through JNI
 * when {@code libopenblas0} is installed, otherwise a pure-Java kernel (Vector API when the incubator module is
 * present). System property {@code dvae.blas} = {@code auto} (default), {@code native} or {@code java} forces one.
 *
 * <p>All matrices are dense row-major with a leading dimension (the row stride). BLAS itself is column-major, so a
 * row-major C = op(A) op(B) is computed as the column-major Cᵀ = op(B)ᵀ op(A)ᵀ with the operands swapped.
 */
public final class Blas {
    private static final Logger LOG = LoggerFactory.getLogger(Blas.class);
    private static final BLAS IMPL = choose(System.getProperty("dvae.blas", "auto"));

    private Blas() {
    }

    private static BLAS choose(String wanted) {
        BLAS chosen;
        switch (wanted) {
            case "java" -> chosen = JavaBLAS.getInstance();
            case "native" -> chosen = NativeBLAS.getInstance();
            case "auto" -> chosen = BLAS.getInstance();
            default -> throw new IllegalArgumentException(
                    "system property dvae.blas: expected auto, native or java, got '" + wanted + "'");
        }
        LOG.info("BLAS backend: {}", describe(chosen));
        return chosen;
    }

    private static String describe(BLAS blas) {
        String name = blas.getClass().getSimpleName();
        if (name.contains("JNI") || name.contains("Native")) {
            return "native (system libblas.so.3 via JNI: " + name + ")";
        }
        if (name.contains("Vector")) {
            return "java-vector (" + name + ")";
        }
        return "java (" + name + ")";
    }

    /** A short description of the backend in use, for logs and benchmark output. */
    public static String backend() {
        return describe(IMPL);
    }

    /** True when products run in the system's native BLAS. */
    public static boolean isNative() {
        String name = IMPL.getClass().getSimpleName();
        return name.contains("JNI") || name.contains("Native");
    }

    /**
     * C[m×n] = alpha · op(A) · op(B) + beta · C, all row-major. op(A) is m×k (A is k×m when transA), op(B) is k×n
     * (B is n×k when transB). lda, ldb, ldc are the row strides of A, B and C as stored.
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        IMPL.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha, b, bOff, ldb, a, aOff, lda,
                beta, c, cOff, ldc);
    }

    /** C[m×n] = op(A)·op(B) for densely packed row-major operands (beta = 0). */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float[] a, float[] b, float[] c) {
        sgemm(transA, transB, m, n, k, 1f, a, 0, transA ? m : k, b, 0, transB ? k : n, 0f, c, 0, n);
    }

    /** Double-precision twin of {@link #sgemm(boolean, boolean, int, int, int, float, float[], int, int, float[], int, int, float, float[], int, int)}. */
    public static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                             double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                             double beta, double[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        IMPL.dgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha, b, bOff, ldb, a, aOff, lda,
                beta, c, cOff, ldc);
    }

    /** C[m×n] = op(A)·op(B) for densely packed row-major double operands (beta = 0). */
    public static void dgemm(boolean transA, boolean transB, int m, int n, int k, double[] a, double[] b, double[] c) {
        dgemm(transA, transB, m, n, k, 1.0, a, 0, transA ? m : k, b, 0, transB ? k : n, 0.0, c, 0, n);
    }

    /**
     * y[m] = alpha · op(A) · x + beta · y with A row-major m×n (op(A) = Aᵀ, of shape n×m, when transA; then x has m
     * entries and y has n).
     */
    public static void sgemv(boolean transA, int m, int n, float alpha, float[] a, int aOff, int lda,
                             float[] x, int xOff, float beta, float[] y, int yOff) {
        // Row-major A is column-major Aᵀ, so the transpose flag flips.
        IMPL.sgemv(transA ? "N" : "T", n, m, alpha, a, aOff, lda, x, xOff, 1, beta, y, yOff, 1);
    }
}
