package dvae.math.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The persistent posterior Gibbs states of a contiguous range of training examples,
 * {@code [firstExample, firstExample + exampleCount)}, each example's state packed into {@link #wordsPerExample()}
 * long words (bit-packed units). A chain keeper actor serves one shard; calls come from one thread at a time.
 */
public interface ChainShard {
    int firstExample();

    int exampleCount();

    int wordsPerExample();

    /** Copies the example's state into {@code into[offset, offset + wordsPerExample())}. */
    void read(int example, long[] into, int offset);

    /** Replaces the example's state by {@code from[offset, offset + wordsPerExample())}. */
    void write(int example, long[] from, int offset);

    /** Saves the whole shard into the checkpoint folder (under a file name of its own that names its range). */
    void snapshot(Path directory) throws IOException;

    /**
     * Loads the shard from a checkpoint folder written by {@link #snapshot}.
     *
     * @return how many chains could not be restored (missing from the snapshot, or it unreadable) and were
     *         re-initialised instead
     */
    int restore(Path directory) throws IOException;
}
