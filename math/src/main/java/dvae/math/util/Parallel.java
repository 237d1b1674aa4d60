package dvae.math.util;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Data parallelism over this machine's cores for the kernels that are too small for the native BLAS's own threads
 * (a 1000 × 100 × 100 product is slower on two OpenBLAS threads than on one) but that come in independent parts:
 * blocks of a product's rows or columns, groups of Gibbs chains, examples of a batch. The calling thread and a shared
 * pool of {@code lanes() - 1} daemon threads claim the parts one by one, so the caller runs every part the pool is
 * too busy to start. A call made from inside a part runs all its parts in turn on that thread, so nesting never waits
 * on the pool and never deadlocks.
 *
 * <p>The scripts run the JVM with {@code OPENBLAS_NUM_THREADS=1}, so the cores are used once, by these parts.
 * {@code -Ddvae.threads=N} sets the number of lanes (default: the available processors).
 */
public final class Parallel {
    private static final int LANES = lanesFromProperty(System.getProperty("dvae.threads"));
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);
    private static final ExecutorService POOL = LANES > 1 ? Executors.newFixedThreadPool(LANES - 1, daemons()) : null;

    private Parallel() {
    }

    /** How many parts run at once: the cores this JVM may use. */
    public static int lanes() {
        return LANES;
    }

    /**
     * Runs body(0) … body(parts − 1), concurrently when called from outside a part, and returns when all are done.
     * The first failure is rethrown (unchecked) after every part has ended.
     */
    public static void forEach(int parts, IntConsumer body) {
        if (parts <= 1 || POOL == null || INSIDE.get()) {
            for (int p = 0; p < parts; p++) {
                body.accept(p);
            }
            return;
        }
        // Parts are claimed, not assigned: the caller runs whatever the pool has not started, so two callers at once
        // (a worker's step and a prior sampler, say) never wait on each other's parts queued before theirs. Which
        // thread runs a part does not change its arithmetic.
        AtomicInteger next = new AtomicInteger();
        CountDownLatch finished = new CountDownLatch(parts);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable claim = () -> {
            for (int p = next.getAndIncrement(); p < parts; p = next.getAndIncrement()) {
                try {
                    runInside(body, p);
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                } finally {
                    finished.countDown();
                }
            }
        };
        for (int p = 1; p < parts; p++) {
            POOL.execute(claim);
        }
        claim.run();
        boolean interrupted = false;
        while (true) {
            try {
                finished.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the parts must still end before their inputs may be reused
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable first = failure.get();
        if (first instanceof RuntimeException r) {
            throw r;
        }
        if (first instanceof Error err) {
            throw err;
        }
    }

    /**
     * Runs a task that is itself one of several running side by side on the cores (an evaluation worker's example,
     * say): the parallel calls it makes run inline, as if it were a part, instead of competing for the pool.
     */
    public static <T> T asOnePart(java.util.function.Supplier<T> task) {
        boolean was = INSIDE.get();
        INSIDE.set(true);
        try {
            return task.get();
        } finally {
            INSIDE.set(was);
        }
    }

    /**
     * Element-wise loops over at least this many values run in parallel parts: about 30 µs of memory-bound work or
     * more each, well above a hand-off to the pool.
     */
    public static final int ELEMENTWISE_MIN = 1 << 15;

    /** Runs body over the indices of an element-wise loop of n values, in parts when n is large. */
    public static void forElements(int n, Range body) {
        forRanges(n, ELEMENTWISE_MIN, body);
    }

    /** Runs body over the rows of a rows × cols row-major loop, in parts of whole rows when it is large. */
    public static void forRows(int rows, int cols, Range body) {
        forRanges(rows, Math.max(1, ELEMENTWISE_MIN / Math.max(1, cols)), body);
    }

    /** Work on part {@code part}, the indices [from, to), of a range. */
    public interface Range {
        void run(int part, int from, int to);
    }

    /**
     * Runs body over [0, n) cut into contiguous parts of at least {@code minPerPart} indices (at most
     * {@link #lanes()} of them); returns the number of parts, so that a caller can reduce per-part results in order.
     */
    public static int forRanges(int n, int minPerPart, Range body) {
        int parts = rangeParts(n, minPerPart);
        forEach(parts, p -> body.run(p, partStart(n, parts, p), partStart(n, parts, p + 1)));
        return parts;
    }

    /** The number of parts {@link #forRanges} cuts n indices into. */
    public static int rangeParts(int n, int minPerPart) {
        return Math.max(1, Math.min(LANES, n / minPerPart));
    }

    /** The first index of part p when n items are cut into {@code parts} contiguous, nearly equal parts. */
    public static int partStart(int n, int parts, int p) {
        return (int) ((long) n * p / parts);
    }

    private static void runInside(IntConsumer body, int part) {
        asOnePart(() -> {
            body.accept(part);
            return null;
        });
    }

    static int lanesFromProperty(String value) {
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("system property dvae.threads (DVAE_THREADS for run/dvae): expected a "
                + "positive integer, got '" + value + "'");
    }

    private static ThreadFactory daemons() {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "dvae-parallel-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
