package dvae.math.rbm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChainStoreTest {
    @TempDir
    Path dir;

    @Test
    void startsSeededUniformAndRoundTripsStates() {
        ChainStore store = new ChainStore(50, 3, 70, 1);
        float[] first = new float[3 * 70];
        store.read(7, first, 0);
        double ones = 0;
        for (float z : first) {
            assertTrue(z == 0f || z == 1f);
            ones += z;
        }
        assertEquals(0.5, ones / first.length, 0.15, "uniform start");
        float[] again = new float[3 * 70];
        new ChainStore(50, 3, 70, 1).read(7, again, 0);
        assertArrayEquals(first, again, "same seed, same start");

        float[] written = pattern(7, 3 * 70, 0);
        store.write(7, written, 0);
        float[] read = new float[3 * 70 + 5];
        store.read(7, read, 5);
        assertArrayEquals(written, java.util.Arrays.copyOfRange(read, 5, read.length));
        float[] neighbour = new float[3 * 70];
        store.read(8, neighbour, 0);
        new ChainStore(50, 3, 70, 1).read(8, again, 0);
        assertArrayEquals(again, neighbour, "writing one example leaves the next untouched");
    }

    @Test
    void mnistSizedStoreFitsInAboutThirtyTwoMegabytes() {
        ChainStore store = new ChainStore(50_000, 25, 200, 2);
        assertTrue(store.bytes() < 32_000_000L, store.bytes() + " bytes");
    }

    @Test
    void snapshotRestoresEveryState() {
        ChainStore store = new ChainStore(20, 4, 33, 3);
        store.write(11, pattern(11, 4 * 33, 0), 0);
        Path file = dir.resolve("chains.bin");
        store.snapshot(file);
        ChainStore restored = new ChainStore(20, 4, 33, 99);
        restored.restore(file);
        for (int e = 0; e < 20; e++) {
            float[] a = new float[4 * 33];
            float[] b = new float[4 * 33];
            store.read(e, a, 0);
            restored.read(e, b, 0);
            assertArrayEquals(a, b, "example " + e);
        }
    }

    @Test
    void corruptTruncatedOrMismatchedSnapshotsAreOneLineBadInput() throws Exception {
        ChainStore store = new ChainStore(20, 4, 33, 3);
        Path file = dir.resolve("chains.bin");
        store.snapshot(file);
        byte[] bytes = Files.readAllBytes(file);

        Path truncated = dir.resolve("truncated.bin");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 9));
        assertOneLineNaming(truncated, assertThrows(BadInputException.class, () -> store.restore(truncated)));

        Path flipped = dir.resolve("flipped.bin");
        byte[] corrupt = bytes.clone();
        corrupt[40] ^= 1;
        Files.write(flipped, corrupt);
        assertOneLineNaming(flipped, assertThrows(BadInputException.class, () -> store.restore(flipped)));

        ChainStore other = new ChainStore(20, 5, 33, 3);
        assertOneLineNaming(file, assertThrows(BadInputException.class, () -> other.restore(file)));

        Path missing = dir.resolve("missing.bin");
        assertOneLineNaming(missing, assertThrows(BadInputException.class, () -> store.restore(missing)));
    }

    @Test
    void concurrentReadersAndWritersOfDifferentExamplesDoNotInterfere() throws Exception {
        int threads = 4;
        int examples = 64;
        int replicas = 3;
        int units = 50;
        ChainStore store = new ChainStore(examples, replicas, units, 4);
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                work.add(pool.submit(() -> {
                    float[] read = new float[replicas * units];
                    for (int round = 0; round < 300; round++) {
                        for (int e = thread; e < examples; e += threads) {
                            float[] written = pattern(e, replicas * units, round);
                            store.write(e, written, 0);
                            store.read(e, read, 0);
                            assertArrayEquals(written, read, "example " + e + " round " + round);
                        }
                    }
                    return null;
                }));
            }
            work.add(pool.submit(() -> {
                for (int s = 0; s < 5; s++) {
                    store.snapshot(dir.resolve("during.bin"));
                }
                return null;
            }));
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        float[] read = new float[replicas * units];
        for (int e = 0; e < examples; e++) {
            store.read(e, read, 0);
            assertArrayEquals(pattern(e, replicas * units, 299), read, "final state of example " + e);
        }
    }

    private static void assertOneLineNaming(Path file, BadInputException e) {
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    /** A state pattern that differs by example and round. */
    private static float[] pattern(int example, int n, int round) {
        float[] z = new float[n];
        for (int i = 0; i < n; i++) {
            z[i] = ((i * 31 + example * 7 + round * 13) % 5) < 2 ? 1f : 0f;
        }
        return z;
    }
}
