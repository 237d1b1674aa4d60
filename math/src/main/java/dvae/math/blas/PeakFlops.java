package dvae.math.blas;

/**
 * This machine's practical float32 peak: the rate of a 1000×1000×1000 sgemm through {@link Blas}, the bound that
 * every benchmark divides by so its figures are ratios measured in the same run (the machines are shared).
 */
public final class PeakFlops {
    private PeakFlops() {
    }

    /** GFLOP/s of the best of {@code repeats} timed 1000³ products after a warm-up. */
    public static double measureGflops(int repeats) {
        int n = 1000;
        float[] a = new float[n * n];
        float[] b = new float[n * n];
        float[] c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (i % 7) * 0.1f;
            b[i] = (i % 5) * 0.1f;
        }
        Blas.sgemm(false, false, n, n, n, a, b, c);
        long best = Long.MAX_VALUE;
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            Blas.sgemm(false, false, n, n, n, a, b, c);
            best = Math.min(best, System.nanoTime() - t0);
        }
        return 2.0 * n * n * n / best;
    }
}
