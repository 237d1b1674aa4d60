package dvae.math.run;

import com.fasterxml.jackson.core.type.TypeReference;
import dvae.math.BadInputException;
import dvae.math.random.RandomStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The states of a run's named random streams as one JSON file (name → the stream's state words), so a resumed run
 * continues every stream exactly where the checkpoint left it.
 */
public final class RandomStates {
    private static final TypeReference<LinkedHashMap<String, long[]>> STATES = new TypeReference<>() {
    };

    private RandomStates() {
    }

    /** A new stream for {@code purpose}, seeded from the run's seed, added to the run's {@code streams}. */
    public static RandomStream named(Map<String, RandomStream> streams, long seed, String purpose) {
        RandomStream s = RandomStream.forPurpose(seed, purpose);
        streams.put(purpose, s);
        return s;
    }

    public static void write(Path file, Map<String, RandomStream> streams) {
        JsonFiles.write(file, states(streams));
    }

    /** Each stream's state words, by name. */
    public static Map<String, long[]> states(Map<String, RandomStream> streams) {
        Map<String, long[]> states = new LinkedHashMap<>();
        streams.forEach((name, stream) -> states.put(name, stream.state()));
        return states;
    }

    /** The saved states by name, for runs whose streams live in several places (the actor system's roles). */
    public static Map<String, long[]> read(Path file) {
        return JsonFiles.read(file, STATES);
    }

    /**
     * Restores each of {@code streams} in place from {@code file}. The names must match the file's exactly: a
     * stream without a saved state, or a saved state without a stream, means the checkpoint belongs to another
     * configuration, and continuing would not reproduce the run.
     */
    public static void restore(Path file, Map<String, RandomStream> streams) {
        Map<String, long[]> states = read(file);
        if (!states.keySet().equals(streams.keySet())) {
            throw new BadInputException(file + ": holds the random streams " + new TreeSet<>(states.keySet())
                    + ", this run has " + new TreeSet<>(streams.keySet()));
        }
        streams.forEach((name, stream) -> {
            long[] state = states.get(name);
            try {
                stream.restore(state == null ? new long[0] : state);
            } catch (IllegalArgumentException e) {
                throw new BadInputException(file + ": stream " + name + ": " + e.getMessage());
            }
        });
    }
}
