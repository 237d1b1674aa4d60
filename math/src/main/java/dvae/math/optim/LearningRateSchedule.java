package dvae.math.optim;

/**
 * The reference's piecewise-constant learning rate over T iterations: base/10 while step ≤ 0.02T, base while
 * ≤ 0.60T, base/3 while ≤ 0.75T, base/10 while ≤ 0.95T, base/33 after. Boundaries are compared exactly in integers
 * (100·step ≤ 2T and so on), so no rounding of 0.95·T can shift them.
 */
public final class LearningRateSchedule {
    private static final long[] PERCENT_BOUNDARIES = {2, 60, 75, 95};
    private static final double[] DIVISORS = {10, 1, 3, 10, 33};

    private final double base;
    private final long totalSteps;

    public LearningRateSchedule(double base, long totalSteps) {
        if (totalSteps <= 0 || !(base > 0)) {
            throw new IllegalArgumentException("schedule needs base > 0 and T > 0, got " + base + ", " + totalSteps);
        }
        this.base = base;
        this.totalSteps = totalSteps;
    }

    /** The learning rate at a step (the global step counted from 0, as TF's piecewise_constant sees it). */
    public double rate(long step) {
        for (int i = 0; i < PERCENT_BOUNDARIES.length; i++) {
            if (100 * step <= PERCENT_BOUNDARIES[i] * totalSteps) {
                return base / DIVISORS[i];
            }
        }
        return base / DIVISORS[DIVISORS.length - 1];
    }
}
