package dvae.math.blas;

import dev.ludovic.netlib.blas.NativeBLAS;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures the project's matrix multiply ({@link Blas#sgemm}) on the model's shapes against OpenBLAS's sgemm called
 * directly through netlib's JNI binding (column-major, bypassing our row-major facade), in the same run and
 * interleaved, so that the ratio is immune to the machine's background load.
 */
public final class GemmBenchmark {
    /** The model's products, m×k×n: encoder layer, the RBM-posterior heads, prior chains, evaluation particles. */
    public static final int[][] MODEL_SHAPES = {
        {100, 784, 200}, {100, 200, 10200}, {100, 200, 40400}, {1000, 100, 100}, {4000, 400, 200}};

    public record Case(String shape, double projectGflops, Double openblasGflops, Double ratio) {
    }

    private GemmBenchmark() {
    }

    /** Runs every shape; {@code minSeconds} is the least time each timed round spends per shape and backend. */
    public static List<Case> run(int[][] shapes, double minSeconds, int rounds) {
        NativeBLAS direct = nativeOrNull();
        List<Case> cases = new ArrayList<>();
        for (int[] s : shapes) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            float[] a = filled(m * k, 0.01f);
            float[] b = filled(k * n, 0.02f);
            float[] c = new float[m * n];
            Runnable project = () -> Blas.sgemm(false, false, m, n, k, a, b, c);
            // Column-major call of the same row-major product, straight into OpenBLAS.
            Runnable openblas = direct == null ? null
                    : () -> direct.sgemm("N", "N", n, m, k, 1f, b, 0, n, a, 0, k, 0f, c, 0, n);
            int reps = repetitionsFor(project, minSeconds);
            double bestProject = Double.MAX_VALUE;
            double bestDirect = Double.MAX_VALUE;
            for (int r = 0; r < rounds; r++) {
                bestProject = Math.min(bestProject, secondsPer(project, reps));
                if (openblas != null) {
                    bestDirect = Math.min(bestDirect, secondsPer(openblas, reps));
                }
            }
            double flop = 2.0 * m * n * k;
            double projectGflops = flop / bestProject / 1e9;
            Double directGflops = openblas == null ? null : flop / bestDirect / 1e9;
            cases.add(new Case(m + "x" + k + "x" + n, round(projectGflops),
                    directGflops == null ? null : round(directGflops),
                    directGflops == null ? null : round(projectGflops / directGflops)));
        }
        return cases;
    }

    private static NativeBLAS nativeOrNull() {
        try {
            return NativeBLAS.getInstance();
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    private static int repetitionsFor(Runnable op, double minSeconds) {
        for (int i = 0; i < 3; i++) {
            op.run(); // warm-up: JIT and BLAS thread start
        }
        double once = secondsPer(op, 1);
        return (int) Math.max(1, Math.ceil(minSeconds / Math.max(once, 1e-7)));
    }

    private static double secondsPer(Runnable op, int reps) {
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            op.run();
        }
        return (System.nanoTime() - t0) / 1e9 / reps;
    }

    private static float[] filled(int size, float step) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = ((i * 7919) % 101) * step - 0.5f;
        }
        return x;
    }

    private static double round(double x) {
        return Math.round(x * 1000) / 1000.0;
    }
}
