package dvae.math.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Deleting a folder with everything in it, children first. */
public final class FileTrees {
    private FileTrees() {
    }

    /** Deletes {@code root} and all below it (nothing if it does not exist). */
    public static void delete(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) { // from the walk
            throw e.getCause();
        }
    }

    /** {@link #delete} for scratch and leftover folders, whose remains harm nothing: failures are ignored. */
    public static void deleteQuietly(Path root) {
        try {
            delete(root);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
