package dvae.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import dvae.math.run.JsonFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The results of an experiment's finished runs, kept as they finish so that an interrupted experiment continues where
 * it stopped ({@code dvae experiment NAME --resume}): one JSON file per run, written atomically, under its key.
 */
interface FinishedRuns {
    /** Keeps nothing. */
    FinishedRuns NONE = new FinishedRuns() {
        @Override
        public Optional<Map<String, Object>> get(String key) {
            return Optional.empty();
        }

        @Override
        public void put(String key, Map<String, Object> result) {
        }
    };

    /** The result kept under {@code key}, if that run finished. */
    Optional<Map<String, Object>> get(String key);

    void put(String key, Map<String, Object> result);

    /** Results as {@code dir/KEY.json}; keys are file names. */
    static FinishedRuns in(Path dir) {
        return new FinishedRuns() {
            @Override
            public Optional<Map<String, Object>> get(String key) {
                Path file = dir.resolve(key + ".json");
                return Files.isRegularFile(file)
                        ? Optional.of(JsonFiles.read(file, new TypeReference<Map<String, Object>>() { }))
                        : Optional.empty();
            }

            @Override
            public void put(String key, Map<String, Object> result) {
                JsonFiles.write(dir.resolve(key + ".json"), result);
            }
        };
    }
}
