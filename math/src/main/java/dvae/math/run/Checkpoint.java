package dvae.math.run;

import java.nio.file.Path;
import java.util.Map;

/**
 * One complete checkpoint: the directory the trainer's files were written to, its step (the number of finished
 * training steps), the validation score it was saved with (null if none) and the caller's metadata.
 */
public record Checkpoint(long step, Path dir, Score score, Map<String, Object> metadata) {

    /** A validation score: lower is better (a loss or a negative log-likelihood). */
    public record Score(String metric, double value) {
        public Score {
            if (metric == null || metric.isBlank()) {
                throw new IllegalArgumentException("a score needs a metric name");
            }
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("score " + metric + " must be finite, got " + value);
            }
        }
    }

    public Path file(String name) {
        return dir.resolve(name);
    }
}
