package dvae.math.train;

import dvae.math.BadInputException;
import dvae.math.rbm.ChainStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@link ChainShard} of a chain keeper: a range of a {@link ChainStore} built exactly as the reference trainer
 * builds its own (same size and seed), so every example starts from the same state in either engine. The store holds
 * every example; the shard serves and snapshots its range only in meaning (the file holds the whole store, which is
 * small next to the model: 625 kB for MNIST's 50,000 × 100 bits).
 */
public final class ChainStoreShard implements ChainShard {
    /** A shard's file is named by its range of examples ({@link #file}); restoring from the shards reads it back. */
    private static final Pattern FILE_NAME = Pattern.compile("chains-(\\d+)-(\\d+)\\.bin");
    private final ChainStore store;
    private final int first;
    private final int count;

    public ChainStoreShard(ChainStore store, int first, int count) {
        if (first < 0 || count < 1 || first + count > store.examples()) {
            throw new IllegalArgumentException("shard [" + first + ", " + (first + count) + ") outside the store's "
                    + store.examples() + " examples");
        }
        this.store = store;
        this.first = first;
        this.count = count;
    }

    /** The first example of shard {@code index} of {@code shards} over {@code examples}; shard i ends where i + 1 starts. */
    public static int firstExample(int index, int shards, int examples) {
        return (int) ((long) index * examples / shards);
    }

    /** The shard, of {@code shards}, that holds {@code example}. */
    public static int shardOf(int example, int shards, int examples) {
        int index = (int) ((long) example * shards / examples);
        // Integer division can put the example one shard too far; step back to the one whose range holds it.
        while (firstExample(index, shards, examples) > example) {
            index--;
        }
        while (index + 1 < shards && firstExample(index + 1, shards, examples) <= example) {
            index++;
        }
        return index;
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
        return store.wordsPerExample();
    }

    @Override
    public void read(int example, long[] into, int offset) {
        store.readWords(example, into, offset);
    }

    @Override
    public void write(int example, long[] from, int offset) {
        store.writeWords(example, from, offset);
    }

    @Override
    public void snapshot(Path directory) {
        store.snapshot(file(directory));
    }

    /**
     * A missing or unreadable snapshot (wrong shape, truncated, corrupt) leaves the current states in place, which
     * for a keeper started afresh are the initial ones, and counts the range as re-initialised: losing a shard's
     * chains costs mixing time, not the run.
     */
    @Override
    public int restore(Path directory) {
        Path file = file(directory);
        if (!Files.exists(file) && Files.exists(directory.resolve(Trainer.CHAINS_FILE))) {
            file = directory.resolve(Trainer.CHAINS_FILE); // the reference trainer's whole store: a run it made
        }
        if (!Files.exists(file)) {
            return count;
        }
        try {
            store.restore(file); // checks the whole file before it replaces anything
        } catch (BadInputException e) {
            return count;
        }
        return 0;
    }

    /**
     * Fills {@code store} from an actor run's checkpoint, each shard's range from its keeper's file (which holds a
     * whole store, of which only that range is the keeper's). The files must cover every example, once.
     */
    public static void restoreFromShards(ChainStore store, Path directory) {
        TreeMap<Integer, Integer> ranges = new TreeMap<>();
        try (var files = Files.list(directory)) {
            files.forEach(f -> {
                Matcher m = FILE_NAME.matcher(f.getFileName().toString());
                if (m.matches()) {
                    ranges.put(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
                }
            });
        } catch (IOException e) {
            throw new BadInputException(directory + ": cannot list the chain shards (" + e.getMessage() + ")");
        }
        int next = 0;
        for (Map.Entry<Integer, Integer> r : ranges.entrySet()) {
            if (r.getKey() != next) {
                break;
            }
            next = r.getValue();
        }
        if (ranges.isEmpty() || next != store.examples()) {
            throw new BadInputException(directory + ": the chain shards " + ranges + " do not cover the "
                    + store.examples() + " examples once, from 0");
        }
        ChainStore part = new ChainStore(store.examples(), store.replicas(), store.units(), 0);
        long[] words = new long[store.wordsPerExample()];
        for (Map.Entry<Integer, Integer> r : ranges.entrySet()) {
            ChainStoreShard shard = new ChainStoreShard(part, r.getKey(), r.getValue() - r.getKey());
            part.restore(shard.file(directory));
            for (int e = r.getKey(); e < r.getValue(); e++) {
                part.readWords(e, words, 0);
                store.writeWords(e, words, 0);
            }
        }
    }

    private Path file(Path directory) {
        return directory.resolve("chains-" + first + "-" + (first + count) + ".bin");
    }
}
