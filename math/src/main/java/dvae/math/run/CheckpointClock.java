package dvae.math.run;

/**
 * When a run's next checkpoint is due by the wall clock, besides those at validations: a run killed outright (SIGKILL,
 * a machine lost) then loses at most that interval, however far apart its validations are.
 */
public final class CheckpointClock {
    private final long intervalNanos;
    private long since = System.nanoTime();

    /** Every {@code minutes} (0: never, only the validations' checkpoints). */
    public CheckpointClock(double minutes) {
        if (!(minutes >= 0) || Double.isInfinite(minutes)) {
            throw new IllegalArgumentException("checkpoint interval must be finite minutes >= 0, got " + minutes);
        }
        this.intervalNanos = Math.round(minutes * 60e9);
    }

    public boolean due() {
        return intervalNanos > 0 && System.nanoTime() - since >= intervalNanos;
    }

    /** A checkpoint was just written: the interval starts again. */
    public void restart() {
        since = System.nanoTime();
    }
}
