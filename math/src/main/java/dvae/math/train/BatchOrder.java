package dvae.math.train;

import dvae.math.random.RandomStream;

/**
 * Minibatches read sequentially through a permutation of the training set that is reshuffled at every epoch's end;
 * a partial last batch is dropped (the authors' batching). Its position is part of a checkpoint.
 */
public final class BatchOrder {
    private final int[] order;
    private final int batchSize;
    private final RandomStream rng;
    private int cursor;
    private long epoch;

    public BatchOrder(int examples, int batchSize, RandomStream rng) {
        if (batchSize > examples) {
            throw new IllegalArgumentException("batch of " + batchSize + " exceeds the " + examples + " examples");
        }
        this.order = new int[examples];
        for (int i = 0; i < examples; i++) {
            order[i] = i;
        }
        this.batchSize = batchSize;
        this.rng = rng;
        rng.shuffle(order);
    }

    /** The next batch's example indices. */
    public int[] next() {
        if (cursor + batchSize > order.length) {
            rng.shuffle(order);
            cursor = 0;
            epoch++;
        }
        int[] batch = new int[batchSize];
        System.arraycopy(order, cursor, batch, 0, batchSize);
        cursor += batchSize;
        return batch;
    }

    public long epoch() {
        return epoch;
    }

    /** The position to checkpoint: the current permutation, the cursor and the epoch. */
    public record Position(int[] order, int cursor, long epoch) {
    }

    public Position position() {
        return new Position(order.clone(), cursor, epoch);
    }

    public void restore(Position p) {
        if (p.order().length != order.length) {
            throw new IllegalArgumentException("saved batch order covers " + p.order().length + " examples, not "
                    + order.length);
        }
        System.arraycopy(p.order(), 0, order, 0, order.length);
        cursor = p.cursor();
        epoch = p.epoch();
    }
}
