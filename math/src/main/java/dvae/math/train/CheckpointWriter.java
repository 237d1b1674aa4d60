package dvae.math.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes the parameters (and whatever optimizer state its implementation can reach, e.g. the Adam moments of the
 * {@link GradientApplier} it was built with) into a checkpoint folder. Called on the thread that applies
 * gradients, between two updates, so it sees a consistent state; it must not keep {@code parameters}.
 */
@FunctionalInterface
public interface CheckpointWriter {
    void write(Path directory, long version, float[] parameters) throws IOException;
}
