package dvae.math.util;

/** Where an experiment reports how far it is (the command line shows it with an ETA); the library never prints. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (done, total, note) -> {
    };

    /** What a note adds for work read back instead of done. */
    String FINISHED_BEFORE = " (finished before)";

    void update(long done, long total, String note);

    /**
     * Reports progress finished before (an interrupted experiment's kept runs, read back): shown like {@link
     * #update}, but not work whose pace predicts the rest.
     */
    default void skipped(long done, long total, String note) {
        update(done, total, note);
    }

    /** {@link #skipped} (the note marked as finished before) when {@code keptBefore}, else {@link #update}. */
    static void report(ProgressListener progress, boolean keptBefore, long done, long total, String note) {
        if (keptBefore) {
            progress.skipped(done, total, note + FINISHED_BEFORE);
        } else {
            progress.update(done, total, note);
        }
    }
}
