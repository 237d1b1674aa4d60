package dvae.math.util;

import java.util.function.Supplier;

/**
 * Where a long job keeps the results of its finished parts, so that an interrupted job reads them back instead of
 * computing them again (an experiment's {@code --resume}).
 */
public interface KeptResults {
    /** Keeps nothing: every part runs. */
    KeptResults NONE = new KeptResults() {
        @Override
        public <T> T getOrRun(String key, Class<T> type, Runnable onKept, Supplier<T> run) {
            return run.get();
        }
    };

    /**
     * The result kept under {@code key} (a file name), read back as a {@code type}, when there is one ({@code onKept}
     * runs then); else {@code run}'s, which is kept now.
     */
    <T> T getOrRun(String key, Class<T> type, Runnable onKept, Supplier<T> run);
}
