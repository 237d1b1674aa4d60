package dvae.math.rbm;

import dvae.math.BadInputException;
import dvae.math.io.AtomicFiles;
import dvae.math.random.RandomStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * The posterior's persistent chains: for each training example and each importance-sample replica, the side-1
 * binary state, bit-packed. Each example owns whole 64-bit words (replicas × units bits, padded to a word), so
 * MNIST's 50,000 × 25 × 200 bits take 31.6 MB, and threads working on different examples never share a word.
 * Reads and writes of different examples may run concurrently (the same example must not be written by two threads
 * at once); snapshot and restore wait for them and exclude them.
 *
 * <p>Snapshot file: the magic {@code DVAECHN1}, examples, replicas and units as big-endian ints, the words as
 * big-endian longs, and a CRC-32 of everything before it; written atomically.
 */
public final class ChainStore {
    private static final byte[] MAGIC = "DVAECHN1".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER_BYTES = MAGIC.length + 3 * Integer.BYTES;

    private final int examples;
    private final int replicas;
    private final int units;
    private final int wordsPerExample;
    private final long[] words;
    /** Shared by example reads and writes, exclusive for snapshot and restore. */
    private final ReadWriteLock lock = new ReentrantReadWriteLock();

    /** A store with every state uniformly random, from a seeded stream. */
    public ChainStore(int examples, int replicas, int units, long seed) {
        if (examples <= 0 || replicas <= 0 || units <= 0) {
            throw new IllegalArgumentException("chain store needs positive sizes: " + examples + " x " + replicas
                    + " x " + units);
        }
        this.examples = examples;
        this.replicas = replicas;
        this.units = units;
        this.wordsPerExample = BitPacking.words((long) replicas * units);
        this.words = new long[Math.multiplyExact(examples, wordsPerExample)];
        RandomStream rng = RandomStream.forPurpose(seed, "chain-store");
        int usedBitsOfLastWord = (int) ((long) replicas * units % 64);
        long lastWordMask = usedBitsOfLastWord == 0 ? -1L : (1L << usedBitsOfLastWord) - 1;
        for (int e = 0; e < examples; e++) {
            for (int k = 0; k < wordsPerExample; k++) {
                long bits = rng.nextLong();
                words[e * wordsPerExample + k] = k == wordsPerExample - 1 ? bits & lastWordMask : bits;
            }
        }
    }

    public int examples() {
        return examples;
    }

    public int replicas() {
        return replicas;
    }

    public int units() {
        return units;
    }

    /** 64-bit words of one example's packed states (the unit chain keepers hand out). */
    public int wordsPerExample() {
        return wordsPerExample;
    }

    /** Bytes held by the packed states. */
    public long bytes() {
        return (long) words.length * Long.BYTES;
    }

    /** Copies example's replicas × units states into z1[offset ..) as 0f/1f. */
    public void read(int example, float[] z1, int offset) {
        checkExample(example);
        lock.readLock().lock();
        try {
            BitPacking.unpack(words, (long) example * wordsPerExample * 64, replicas * units, z1, offset);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Stores replicas × units states from z1[offset ..) (non-zero means 1) as example's chains. */
    public void write(int example, float[] z1, int offset) {
        checkExample(example);
        lock.readLock().lock();
        try {
            BitPacking.pack(z1, offset, replicas * units, words, (long) example * wordsPerExample * 64);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Copies example's packed words into into[offset, offset + wordsPerExample()). */
    public void readWords(int example, long[] into, int offset) {
        checkExample(example);
        lock.readLock().lock();
        try {
            System.arraycopy(words, example * wordsPerExample, into, offset, wordsPerExample);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Replaces example's packed words by from[offset, offset + wordsPerExample()). */
    public void writeWords(int example, long[] from, int offset) {
        checkExample(example);
        lock.readLock().lock();
        try {
            System.arraycopy(from, offset, words, example * wordsPerExample, wordsPerExample);
        } finally {
            lock.readLock().unlock();
        }
    }

    private void checkExample(int example) {
        if (example < 0 || example >= examples) {
            throw new IndexOutOfBoundsException("example " + example + " of " + examples);
        }
    }

    /** Writes every state to file atomically. */
    public void snapshot(Path file) {
        lock.writeLock().lock();
        try {
            AtomicFiles.write(file, out -> {
                CRC32 crc = new CRC32();
                DataOutputStream data = new DataOutputStream(new CheckedOutputStream(out, crc));
                data.write(MAGIC);
                data.writeInt(examples);
                data.writeInt(replicas);
                data.writeInt(units);
                ByteBuffer chunk = ByteBuffer.allocate(1 << 16);
                for (long w : words) {
                    if (!chunk.hasRemaining()) {
                        data.write(chunk.array(), 0, chunk.position());
                        chunk.clear();
                    }
                    chunk.putLong(w);
                }
                data.write(chunk.array(), 0, chunk.position());
                data.flush();
                out.write(ByteBuffer.allocate(Long.BYTES).putLong(crc.getValue()).array());
            });
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Replaces every state with a snapshot's, which must have this store's shape and be intact. */
    public void restore(Path file) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such chain-store snapshot");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read chain-store snapshot (" + e.getMessage() + ")");
        }
        long expectedBytes = HEADER_BYTES + bytes() + Long.BYTES;
        if (all.length < HEADER_BYTES || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
            throw new BadInputException(file + ": not a chain-store snapshot (bad magic)");
        }
        ByteBuffer in = ByteBuffer.wrap(all);
        in.position(MAGIC.length);
        int[] shape = {in.getInt(), in.getInt(), in.getInt()};
        if (shape[0] != examples || shape[1] != replicas || shape[2] != units) {
            throw new BadInputException(file + ": chain-store snapshot holds " + shape[0] + " x " + shape[1] + " x "
                    + shape[2] + " chains, this run needs " + examples + " x " + replicas + " x " + units);
        }
        if (all.length != expectedBytes) {
            throw new BadInputException(file + ": chain-store snapshot has " + all.length + " bytes, expected "
                    + expectedBytes + " (truncated or padded)");
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - Long.BYTES);
        if (crc.getValue() != ByteBuffer.wrap(all, all.length - Long.BYTES, Long.BYTES).getLong()) {
            throw new BadInputException(file + ": chain-store snapshot is corrupt (checksum mismatch)");
        }
        lock.writeLock().lock();
        try {
            in.asLongBuffer().get(words);
        } finally {
            lock.writeLock().unlock();
        }
    }
}
