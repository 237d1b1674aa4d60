package dvae.math.toy;

import java.util.TreeSet;

/** Iterations at which an experiment records its curves. */
final class Schedules {
    private Schedules() {
    }

    /** About {@code points} iterations evenly spaced over [0, total], always including 0 and total. */
    static long[] even(long total, int points) {
        TreeSet<Long> at = new TreeSet<>();
        for (int i = 0; i <= points; i++) {
            at.add(Math.round((double) total * i / Math.max(points, 1)));
        }
        return at.stream().mapToLong(Long::longValue).toArray();
    }

    /** 0 and about {@code points} iterations spaced evenly on a log scale up to total. */
    static long[] logSpaced(long total, int points) {
        TreeSet<Long> at = new TreeSet<>();
        at.add(0L);
        for (int i = 0; i < points; i++) {
            at.add(Math.round(Math.pow(total, (double) i / Math.max(points - 1, 1))));
        }
        return at.stream().mapToLong(Long::longValue).toArray();
    }
}
