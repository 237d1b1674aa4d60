package dvae.actors;

import dvae.math.train.ChainShard;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A chain shard in a plain long[] (the real one is bit-packed in dvae.math.rbm); example e starts as 100 e + w. */
final class InMemoryChainShard implements ChainShard {
    private final int first;
    private final int count;
    private final int words;
    private final long[] states;

    InMemoryChainShard(int first, int count, int words) {
        this.first = first;
        this.count = count;
        this.words = words;
        this.states = new long[count * words];
        for (int e = 0; e < count; e++) {
            for (int w = 0; w < words; w++) {
                states[e * words + w] = 100L * (first + e) + w;
            }
        }
    }

    @Override
    public int firstExample() {
        return first;
    }

    @Override
    public int exampleCount() {
        return count;
    }

    @Override
    public int wordsPerExample() {
        return words;
    }

    @Override
    public void read(int example, long[] into, int offset) {
        System.arraycopy(states, (example - first) * words, into, offset, words);
    }

    @Override
    public void write(int example, long[] from, int offset) {
        System.arraycopy(from, offset, states, (example - first) * words, words);
    }

    @Override
    public void snapshot(Path directory) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file(directory)))) {
            for (long s : states) {
                out.writeLong(s);
            }
        }
    }

    @Override
    public int restore(Path directory) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file(directory)))) {
            for (int i = 0; i < states.length; i++) {
                states[i] = in.readLong();
            }
        }
        return 0;
    }

    private Path file(Path directory) {
        return directory.resolve("chains-" + first + "-" + (first + count) + ".bin");
    }
}
