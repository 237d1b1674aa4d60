package dvae.math.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @Test
    void everyPartRunsOnce() {
        AtomicIntegerArray runs = new AtomicIntegerArray(5);
        Parallel.forEach(5, runs::incrementAndGet);
        for (int p = 0; p < 5; p++) {
            assertEquals(1, runs.get(p), "part " + p);
        }
    }

    @Test
    void partsRunSideBySideWhenThePoolIsFree() {
        // the tests run with -Ddvae.threads=2: one pool thread besides the caller
        assertEquals(2, Parallel.lanes());
        CyclicBarrier bothRunning = new CyclicBarrier(2);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        Parallel.forEach(2, p -> {
            threads.add(Thread.currentThread().getName());
            try {
                bothRunning.await(10, TimeUnit.SECONDS); // only passes if the two parts run at the same time
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(2, threads.size(), threads.toString());
    }

    @Test
    void aCallerRunsItsOwnPartsWhileThePoolIsBusyWithAnothers() throws Exception {
        CountDownLatch poolHeld = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread other = new Thread(() -> Parallel.forEach(2, p -> {
            try {
                if (Thread.currentThread().getName().startsWith("dvae-parallel")) {
                    poolHeld.countDown(); // the pool's only thread stays in this part until released
                    release.await();
                } else {
                    poolHeld.await(); // the other caller's own part: leaves the second part to the pool
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        other.start();
        try {
            assertTrue(poolHeld.await(10, TimeUnit.SECONDS), "the pool thread never took a part");
            String caller = Thread.currentThread().getName();
            Set<String> threads = ConcurrentHashMap.newKeySet();
            Parallel.forEach(3, p -> threads.add(Thread.currentThread().getName()));
            assertEquals(Set.of(caller), threads, "with the pool busy, the caller runs every part itself");
        } finally {
            release.countDown();
            other.join();
        }
    }

    @Test
    void nestedCallsRunInlineOnTheirPartsThread() {
        AtomicIntegerArray runs = new AtomicIntegerArray(4 * 3);
        Parallel.forEach(4, outer -> {
            String thread = Thread.currentThread().getName();
            Parallel.forEach(3, inner -> {
                assertEquals(thread, Thread.currentThread().getName());
                runs.incrementAndGet(outer * 3 + inner);
            });
        });
        for (int i = 0; i < runs.length(); i++) {
            assertEquals(1, runs.get(i));
        }
    }

    @Test
    void aFailingPartIsRethrownAfterTheOthersEnd() {
        AtomicIntegerArray runs = new AtomicIntegerArray(4);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forEach(4, p -> {
            runs.incrementAndGet(p);
            if (p == 3) {
                throw new IllegalStateException("part 3 failed");
            }
        }));
        assertEquals("part 3 failed", e.getMessage());
        for (int p = 0; p < 4; p++) {
            assertEquals(1, runs.get(p));
        }
        // the pool still works afterwards
        AtomicIntegerArray again = new AtomicIntegerArray(2);
        Parallel.forEach(2, again::incrementAndGet);
        assertEquals(1, again.get(1));
    }

    @Test
    void partsCoverTheItemsContiguously() {
        for (int n : new int[] {0, 1, 7, 1000}) {
            for (int parts = 1; parts <= 5; parts++) {
                assertEquals(0, Parallel.partStart(n, parts, 0));
                assertEquals(n, Parallel.partStart(n, parts, parts));
                for (int p = 0; p < parts; p++) {
                    int size = Parallel.partStart(n, parts, p + 1) - Parallel.partStart(n, parts, p);
                    assertTrue(size >= n / parts && size <= n / parts + 1, n + "/" + parts);
                }
            }
        }
    }

    @Test
    void theLaneCountPropertyIsChecked() {
        assertEquals(3, Parallel.lanesFromProperty(" 3 "));
        assertTrue(Parallel.lanesFromProperty(null) >= 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Parallel.lanesFromProperty("0"));
        assertEquals("system property dvae.threads (DVAE_THREADS for run/dvae): expected a positive integer, got '0'",
                e.getMessage());
    }

    @Test
    void rangesArePartsOfAtLeastTheMinimumInOrder() {
        int[] owner = new int[1000];
        int parts = Parallel.forRanges(1000, 300, (part, from, to) -> java.util.Arrays.fill(owner, from, to, part + 1));
        assertEquals(2, parts); // two lanes; three parts of 300 would be allowed but lanes bound it
        assertEquals(1, owner[0]);
        assertEquals(1, owner[499]);
        assertEquals(2, owner[500]);
        assertEquals(2, owner[999]);
        assertEquals(1, Parallel.forRanges(599, 300, (part, from, to) -> assertEquals(599, to - from)));
        assertEquals(1, Parallel.rangeParts(10, 300));
    }
}
