package dvae.math.util;

/** Where an experiment reports how far it is (the command line shows it with an ETA); the library never prints. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (done, total, note) -> {
    };

    void update(long done, long total, String note);

    /**
     * Reports progress finished before (an interrupted experiment's kept runs, read back): shown like {@link
     * #update}, but not work whose pace predicts the rest.
     */
    default void skipped(long done, long total, String note) {
        update(done, total, note);
    }
}
