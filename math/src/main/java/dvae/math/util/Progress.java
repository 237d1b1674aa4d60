package dvae.math.util;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of long work on stderr: done/total, rate, ETA and a caller's note (e.g. the last loss). On a terminal one
 * line is redrawn in place at most every {@code minIntervalMs}; elsewhere (logs, CI) a plain line is printed at most
 * every {@code plainIntervalMs}, so files stay readable. The rate and the ETA are measured over the most recent half
 * of the time since the first update (not since construction): set-up and the JIT's warm-up fade out of them, while
 * pauses that recur (validation, checkpoints) stay in once the run is long enough to hold several.
 */
public final class Progress {
    private static final int SAMPLES = 512;

    private final String label;
    private final long total;
    private final PrintStream out;
    private final boolean terminal;
    private final long minIntervalNanos;
    private long startNanos = -1;
    /**
     * (time, done) pairs, where the rate's window may start: evenly spaced, first a second apart, and when the arrays
     * fill every other one is dropped and the spacing doubled, so they always span the whole run.
     */
    private final long[] sampleNanos = new long[SAMPLES];
    private final long[] sampleDone = new long[SAMPLES];
    private int samples;
    private long sampleEveryNanos = 1_000_000_000L;
    private long lastDone;
    private long lastPrintNanos;
    private boolean printedInPlace;

    public Progress(String label, long total) {
        this(label, total, System.err, System.console() != null, 200, 10_000);
    }

    public Progress(String label, long total, PrintStream out, boolean terminal, long minIntervalMs,
                    long plainIntervalMs) {
        this.label = label;
        this.total = total;
        this.out = out;
        this.terminal = terminal;
        this.minIntervalNanos = (terminal ? minIntervalMs : plainIntervalMs) * 1_000_000L;
    }

    /** Reports that {@code done} of {@code total} units are finished; prints when the interval has passed. */
    public void update(long done, String note) {
        update(done, note, System.nanoTime());
    }

    void update(long done, String note, long now) {
        lastDone = done;
        if (startNanos < 0) {
            startNanos = now;
            lastPrintNanos = now;
            record(done, now);
            return;
        }
        if (now - sampleNanos[samples - 1] >= sampleEveryNanos) {
            record(done, now);
        }
        if (now - lastPrintNanos < minIntervalNanos && done < total) {
            return;
        }
        lastPrintNanos = now;
        print(format(done, now, note));
    }

    /**
     * Reports that {@code done} units are finished, the ones since the last report done before (an interrupted job's
     * finished parts, read back): shown, but left out of the rate.
     */
    public void skip(long done, String note) {
        skip(done, note, System.nanoTime());
    }

    void skip(long done, String note, long now) {
        long jump = done - lastDone;
        for (int i = 0; i < samples; i++) {
            sampleDone[i] += jump;
        }
        update(done, note, now);
    }

    private void record(long done, long now) {
        if (samples == SAMPLES) {
            for (int i = 0; i < SAMPLES / 2; i++) {
                sampleNanos[i] = sampleNanos[2 * i];
                sampleDone[i] = sampleDone[2 * i];
            }
            samples = SAMPLES / 2;
            sampleEveryNanos *= 2;
        }
        sampleNanos[samples] = now;
        sampleDone[samples] = done;
        samples++;
    }

    /** Prints the final line unconditionally. */
    public void finish(long done, String note) {
        print(format(done, System.nanoTime(), note));
        if (terminal && printedInPlace) {
            out.println();
            printedInPlace = false;
        }
    }

    private void print(String line) {
        if (terminal) {
            out.print("\r" + line + "\u001b[K");
            out.flush();
            printedInPlace = true;
        } else {
            out.println(line);
        }
    }

    String format(long done, long now, String note) {
        double rate = 0;
        if (samples > 0) {
            // The last sample at or before the middle of the elapsed time (the first one is at the start).
            long middle = startNanos + (now - startNanos) / 2;
            int from = 0;
            while (from + 1 < samples && sampleNanos[from + 1] <= middle) {
                from++;
            }
            double seconds = (now - sampleNanos[from]) / 1e9;
            rate = seconds > 0 ? (done - sampleDone[from]) / seconds : 0;
        }
        String eta = rate > 0 && done < total ? duration((total - done) / rate) : "-";
        return String.format(Locale.ROOT, "%s %d/%d (%.1f%%) %.2f/s ETA %s%s", label, done, total,
                100.0 * done / Math.max(total, 1), rate, eta, note == null || note.isEmpty() ? "" : "  " + note);
    }

    /** 75 → "1m15s", 4000 → "1h06m". */
    public static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}
