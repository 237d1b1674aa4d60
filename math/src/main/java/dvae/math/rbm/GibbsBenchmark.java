package dvae.math.rbm;

import dvae.math.blas.PeakFlops;
import dvae.math.random.RandomStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Block-Gibbs throughput of one prior-sampler step (1000 chains × 40 sweeps) against its floor: the step's
 * floating-point operations (two products of chains × n1 × n2 per sweep) at the peak rate measured in the same run.
 * Random numbers and sigmoids count against the step, not the floor.
 */
public final class GibbsBenchmark {
    public static final int CHAINS = 1000;
    public static final int SWEEPS = 40;
    private static final int WARM_UP_STEPS = 5;
    /** Timed steps: at least this many and for at least this long, so that a neighbour's burst cannot hide the best. */
    private static final int MIN_TIMED_STEPS = 10;
    private static final long MIN_TIMED_NANOS = 2_000_000_000L;
    /** 1000³ products per peak measurement (about 1–2 s), so the peak gets as many chances as the steps do. */
    private static final int PEAK_REPEATS = 100;

    private GibbsBenchmark() {
    }

    public record Case(String name, double msPerStep, double floorMs, double ratioToFloor) {
    }

    public record Report(double peakGflops, List<Case> cases) {
    }

    /**
     * Each n+n case: the best of the timed steps (at least 10, for at least 2 s) after warm-up. The peak is measured before and after the cases and
     * the higher taken, so a neighbour's load during one measurement cannot flatter the ratio.
     */
    public static Report run(int... sides) {
        double peak = PeakFlops.measureGflops(PEAK_REPEATS);
        double[] bestMs = new double[sides.length];
        for (int c = 0; c < sides.length; c++) {
            int n = sides[c];
            Rbm rbm = Rbm.random(n, n, 0.1, n);
            float[] z1 = new float[CHAINS * n];
            float[] z2 = new float[CHAINS * n];
            BlockGibbs gibbs = new BlockGibbs(RandomStream.forPurpose(n, "bench-gibbs"));
            for (int s = 0; s < WARM_UP_STEPS; s++) {
                gibbs.sweeps(rbm, z1, z2, CHAINS, SWEEPS);
            }
            long best = Long.MAX_VALUE;
            long start = System.nanoTime();
            for (int s = 0; s < MIN_TIMED_STEPS || System.nanoTime() - start < MIN_TIMED_NANOS; s++) {
                long t0 = System.nanoTime();
                gibbs.sweeps(rbm, z1, z2, CHAINS, SWEEPS);
                best = Math.min(best, System.nanoTime() - t0);
            }
            bestMs[c] = best / 1e6;
        }
        peak = Math.max(peak, PeakFlops.measureGflops(PEAK_REPEATS));
        List<Case> cases = new ArrayList<>();
        for (int c = 0; c < sides.length; c++) {
            int n = sides[c];
            double floorMs = 4.0 * CHAINS * n * n * SWEEPS / peak / 1e6;
            cases.add(new Case(n + "+" + n, bestMs[c], floorMs, bestMs[c] / floorMs));
        }
        return new Report(peak, cases);
    }
}
