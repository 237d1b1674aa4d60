package dvae.math.util;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of long work on stderr: done/total, rate, ETA and a caller's note (e.g. the last loss). On a terminal one
 * line is redrawn in place at most every {@code minIntervalMs}; elsewhere (logs, CI) a plain line is printed at most
 * every {@code plainIntervalMs}, so files stay readable. Rates are measured from the first update, not from
 * construction, so set-up time does not distort the ETA.
 */
public final class Progress {
    private final String label;
    private final long total;
    private final PrintStream out;
    private final boolean terminal;
    private final long minIntervalNanos;
    private long startNanos = -1;
    private long startDone;
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
        long now = System.nanoTime();
        if (startNanos < 0) {
            startNanos = now;
            startDone = done;
            lastPrintNanos = now;
            return;
        }
        if (now - lastPrintNanos < minIntervalNanos && done < total) {
            return;
        }
        lastPrintNanos = now;
        print(format(done, now, note));
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
        double seconds = startNanos < 0 ? 0 : (now - startNanos) / 1e9;
        double rate = seconds > 0 ? (done - startDone) / seconds : 0;
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
