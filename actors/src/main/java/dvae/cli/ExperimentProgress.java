package dvae.cli;

import dvae.math.io.FileTrees;
import dvae.math.run.JsonFiles;
import dvae.math.util.KeptResults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What an experiment has done so far, kept so that an interrupted experiment continues where it stopped ({@code dvae
 * experiment NAME --resume}): the result of each finished run under its key, and the run directory of the run under
 * way, whose checkpoints a stop (Ctrl-C, SIGTERM) writes.
 */
interface ExperimentProgress extends KeptResults {
    /** Keeps nothing; runs train in scratch folders and are never asked to stop. */
    ExperimentProgress NONE = new ExperimentProgress() {
        @Override
        public <T> Optional<T> get(String key, Class<T> type) {
            return Optional.empty();
        }

        @Override
        public void put(String key, Object result) {
        }

        @Override
        public Path runDirectory(String key) {
            return null;
        }

        @Override
        public boolean stopRequested() {
            return false;
        }
    };

    /** The result kept under {@code key}, read as a {@code type}, if that run finished. */
    <T> Optional<T> get(String key, Class<T> type);

    /** Keeps a finished run's result; its run directory is no longer needed. */
    void put(String key, Object result);

    /** Where run {@code key} trains while under way (null: a scratch folder, lost if stopped). */
    Path runDirectory(String key);

    /** Whether the run under way should checkpoint and stop. */
    boolean stopRequested();

    @Override
    default <T> T getOrRun(String key, Class<T> type, Runnable onKept, Supplier<T> run) {
        Optional<T> before = get(key, type);
        if (before.isPresent()) {
            onKept.run();
            return before.get();
        }
        T result = run.get();
        put(key, result);
        return result;
    }

    /**
     * The result kept under {@code key} if {@code accepts} it ({@code onKept} runs then), else {@code run}'s, which is
     * kept now.
     */
    @SuppressWarnings("unchecked")
    default Map<String, Object> getOrRun(String key, Predicate<Map<String, Object>> accepts, Runnable onKept,
                                         Supplier<Map<String, Object>> run) {
        Optional<Map<String, Object>> before = get(key, Map.class).map(m -> (Map<String, Object>) m).filter(accepts);
        if (before.isPresent()) {
            onKept.run();
            return before.get();
        }
        Map<String, Object> result = run.get();
        put(key, result);
        return result;
    }

    /** Results as {@code dir/KEY.json}, runs under way in {@code dir/runs/KEY}; keys are file names. */
    static ExperimentProgress in(Path dir, BooleanSupplier stop) {
        return new ExperimentProgress() {
            @Override
            public <T> Optional<T> get(String key, Class<T> type) {
                Path file = dir.resolve(key + ".json");
                return Files.isRegularFile(file) ? Optional.of(JsonFiles.read(file, type)) : Optional.empty();
            }

            @Override
            public void put(String key, Object result) {
                JsonFiles.write(dir.resolve(key + ".json"), result);
                FileTrees.deleteQuietly(runDirectory(key));
            }

            @Override
            public Path runDirectory(String key) {
                return dir.resolve("runs").resolve(key);
            }

            @Override
            public boolean stopRequested() {
                return stop.getAsBoolean();
            }
        };
    }
}
