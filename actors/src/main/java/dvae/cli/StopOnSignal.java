package dvae.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C or SIGTERM while a command trains: the JVM's shutdown hook asks the work to stop ({@code requestStop}), which
 * then checkpoints what it has trained and ends (the reference trainer when its listener says so, an actor run in
 * the first phase of Akka's coordinated shutdown); meanwhile the hook keeps the JVM alive until the command has said
 * so, which {@link #close} marks.
 */
final class StopOnSignal implements AutoCloseable {
    /**
     * How long the hook waits: a little longer than Akka's first shutdown phase may take (akka.coordinated-shutdown.
     * phases.before-service-unbind.timeout, 300 s), so that the command can still say how it stopped.
     */
    private static final long WAIT_SECONDS = 330;

    private final CountDownLatch reported = new CountDownLatch(1);
    private final Thread hook;

    private StopOnSignal(Runnable requestStop) {
        hook = new Thread(() -> {
            requestStop.run();
            try {
                reported.await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "stop-on-signal");
    }

    /** Installs the hook; null when the JVM is already shutting down (a signal came before any work began). */
    static StopOnSignal install(Runnable requestStop) {
        StopOnSignal signal = new StopOnSignal(requestStop);
        try {
            Runtime.getRuntime().addShutdownHook(signal.hook);
            return signal;
        } catch (IllegalStateException shuttingDown) {
            return null;
        }
    }

    @Override
    public void close() {
        reported.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it returns now that the command has reported
        }
    }
}
