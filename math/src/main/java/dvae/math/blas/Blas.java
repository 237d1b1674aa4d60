package dvae.math.blas;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import dvae.math.util.Parallel;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
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
    /**
     * netlib's products without their argument checks, for the blocks of a product: its check wants every operand's
     * last column to extend a full stride, which a block that starts inside a row of its operand does not (the
     * memory BLAS touches is inside; {@link #checkOperands} checks the whole product first).
     */
    private static final class Unchecked {
        private static final MethodHandle SGEMM = kernel("sgemmK", float.class, float[].class);
        private static final MethodHandle DGEMM = kernel("dgemmK", double.class, double[].class);
        static final boolean AVAILABLE = SGEMM != null && DGEMM != null;

        private static MethodHandle kernel(String name, Class<?> scalar, Class<?> array) {
            try {
                // package-private in netlib: reached by name
                Method method = Class.forName("dev.ludovic.netlib.blas.AbstractBLAS").getDeclaredMethod(name, String.class, String.class, int.class,
                        int.class, int.class, scalar, array, int.class, int.class, array, int.class, int.class,
                        scalar, array, int.class, int.class);
                method.setAccessible(true);
                return MethodHandles.lookup().unreflect(method).bindTo(IMPL);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                LOG.info("products run whole (netlib's unchecked kernel is not reachable: {})", e.toString());
                return null;
            }
        }

        static void sgemm(String ta, String tb, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                          float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
            try {
                SGEMM.invokeExact(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            } catch (Throwable e) {
                throw rethrown(e);
            }
        }

        static void dgemm(String ta, String tb, int m, int n, int k, double alpha, double[] a, int aOff, int lda,
                          double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc) {
            try {
                DGEMM.invokeExact(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            } catch (Throwable e) {
                throw rethrown(e);
            }
        }

        private static RuntimeException rethrown(Throwable e) {
            if (e instanceof RuntimeException r) {
                return r;
            }
            if (e instanceof Error err) {
                throw err;
            }
            return new IllegalStateException(e);
        }
    }

    /** Products smaller than this (about 30 µs on one core) run whole: a hand-off to another thread costs more. */
    private static final long SPLIT_MIN_MULTIPLY_ADDS = 1L << 21;
    /** Each block keeps at least this many rows or columns, so the BLAS kernels still run full width. */
    private static final int SPLIT_MIN_SIDE = 32;

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
        String ta = transB ? "T" : "N"; // BLAS sees the transposed, column-major product: operands swap
        String tb = transA ? "T" : "N";
        product(transA, transB, m, n, k, a.length, aOff, lda, b.length, bOff, ldb, c.length, cOff, ldc,
                (cols, rows, bAt, aAt, cAt, whole) -> {
                    if (whole) {
                        IMPL.sgemm(ta, tb, cols, rows, k, alpha, b, bAt, ldb, a, aAt, lda, beta, c, cAt, ldc);
                    } else {
                        Unchecked.sgemm(ta, tb, cols, rows, k, alpha, b, bAt, ldb, a, aAt, lda, beta, c, cAt, ldc);
                    }
                });
    }

    /** C[m×n] = op(A)·op(B) for densely packed row-major operands (beta = 0). */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float[] a, float[] b, float[] c) {
        sgemm(transA, transB, m, n, k, 1f, a, 0, transA ? m : k, b, 0, transB ? k : n, 0f, c, 0, n);
    }

    /** Double-precision twin of {@link #sgemm(boolean, boolean, int, int, int, float, float[], int, int, float[], int, int, float, float[], int, int)}. */
    public static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                             double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                             double beta, double[] c, int cOff, int ldc) {
        String ta = transB ? "T" : "N";
        String tb = transA ? "T" : "N";
        product(transA, transB, m, n, k, a.length, aOff, lda, b.length, bOff, ldb, c.length, cOff, ldc,
                (cols, rows, bAt, aAt, cAt, whole) -> {
                    if (whole) {
                        IMPL.dgemm(ta, tb, cols, rows, k, alpha, b, bAt, ldb, a, aAt, lda, beta, c, cAt, ldc);
                    } else {
                        Unchecked.dgemm(ta, tb, cols, rows, k, alpha, b, bAt, ldb, a, aAt, lda, beta, c, cAt, ldc);
                    }
                });
    }

    /** One column-major BLAS call on a block of the product: its sizes and operand offsets. */
    private interface Call {
        /** whole: the product in one call, through netlib's checked entry; else a block, unchecked. */
        void run(int cols, int rows, int bAt, int aAt, int cAt, boolean whole);
    }

    /** Runs a row-major product whole, or in blocks across the cores after checking its operands once. */
    private static void product(boolean transA, boolean transB, int m, int n, int k, int aLength, int aOff, int lda,
                                int bLength, int bOff, int ldb, int cLength, int cOff, int ldc, Call call) {
        if (m == 0 || n == 0) {
            return;
        }
        if (blocks(m, n, k) <= 1) {
            call.run(n, m, bOff, aOff, cOff, true);
            return;
        }
        checkOperands(transA, transB, m, n, k, aLength, aOff, lda, bLength, bOff, ldb, cLength, cOff, ldc);
        inBlocks(m, n, k, (r0, rows, c0, cols) -> call.run(cols, rows, bOff + c0 * (transB ? ldb : 1),
                aOff + r0 * (transA ? 1 : lda), cOff + r0 * ldc + c0, false));
    }

    /** How many blocks a product is cut into: 1 when small, or when the unchecked BLAS entry is not available. */
    private static int blocks(int m, int n, int k) {
        if ((long) m * n * k < SPLIT_MIN_MULTIPLY_ADDS || !Unchecked.AVAILABLE) {
            return 1;
        }
        return Math.max(1, Math.min(Parallel.lanes(), Math.max(m, n) / SPLIT_MIN_SIDE));
    }

    /**
     * The bounds check of a whole row-major product, done once before its blocks run unchecked: each operand's last
     * row must end inside its array and no row may be longer than its stride.
     */
    private static void checkOperands(boolean transA, boolean transB, int m, int n, int k, int aLength, int aOff,
                                      int lda, int bLength, int bOff, int ldb, int cLength, int cOff, int ldc) {
        checkOperand("A", transA ? k : m, transA ? m : k, aLength, aOff, lda);
        checkOperand("B", transB ? n : k, transB ? k : n, bLength, bOff, ldb);
        checkOperand("C", m, n, cLength, cOff, ldc);
    }

    private static void checkOperand(String name, int rows, int cols, int length, int off, int ld) {
        if (rows < 0 || cols < 0 || off < 0 || ld < Math.max(1, cols)
                || (rows > 0 && (long) off + (long) (rows - 1) * ld + cols > length)) {
            throw new IndexOutOfBoundsException(String.format("%s: %d x %d at offset %d with row stride %d does not "
                    + "fit an array of %d", name, rows, cols, off, ld, length));
        }
    }

    /** One block of a product's output: rows [r0, r0 + rows) and columns [c0, c0 + cols) of C. */
    private interface Block {
        void run(int r0, int rows, int c0, int cols);
    }

    /**
     * Runs a product of m × n outputs (k terms each) as {@link Parallel#lanes()} blocks of whole rows or whole
     * columns of C, whichever side is longer, when it is large enough to repay the hand-off; the native BLAS runs
     * single-threaded (the scripts set OPENBLAS_NUM_THREADS=1), so this is where products use the cores. The
     * blocking is fixed by the shape and the lane count, so results repeat exactly; against one whole call, OpenBLAS's
     * kernels round a few percent of the outputs differently in the last bit (measured: 2–5%).
     */
    private static void inBlocks(int m, int n, int k, Block block) {
        int parts = blocks(m, n, k);
        if (m >= n) {
            Parallel.forEach(parts, p -> {
                int r0 = Parallel.partStart(m, parts, p);
                block.run(r0, Parallel.partStart(m, parts, p + 1) - r0, 0, n);
            });
        } else {
            Parallel.forEach(parts, p -> {
                int c0 = Parallel.partStart(n, parts, p);
                block.run(0, m, c0, Parallel.partStart(n, parts, p + 1) - c0);
            });
        }
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
