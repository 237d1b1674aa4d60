package dvae.math.run;

import dvae.math.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Keeps a second process from writing where another one is writing (two trainers resuming one run would interleave
 * its metrics and race for its checkpoints; two evaluations would overwrite each other's partial results): an
 * operating-system lock on a lock file, held while the work runs and released however the process ends, SIGKILL
 * included. The file keeps the holder's pid, to name it in the refusal.
 */
public final class RunLock implements AutoCloseable {
    public static final String FILE = ".lock";
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes folder {@code dir}'s lock ({@value #FILE}, creating the folder if need be), or refuses in one line. */
    public static RunLock acquire(Path dir) {
        return onFile(dir.resolve(FILE), dir);
    }

    /** Takes the lock of what lock file {@code file} guards (named {@code subject} in a refusal), or refuses in one line. */
    public static RunLock onFile(Path file, Path subject) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException heldInThisProcess) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                String holder = holderText(file);
                throw new BadInputException(subject + ": in use by another process" + (holder.isEmpty() ? ""
                        : " (" + holder + ")") + "; wait for it to end, or stop it (Ctrl-C), and run this again");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n")
                    .getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new RunLock(channel, lock);
        } catch (IOException e) {
            throw new UncheckedIOException("locking " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Who holds folder {@code dir}'s lock ("pid N"), if a process does: asked by taking a shared lock for an instant,
     * which a holder's exclusive one refuses.
     */
    public static Optional<String> holder(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            FileLock probe;
            try {
                probe = channel.tryLock(0, Long.MAX_VALUE, true);
            } catch (OverlappingFileLockException heldInThisProcess) {
                probe = null;
            }
            if (probe != null) {
                probe.release();
                return Optional.empty();
            }
            return Optional.of(holderText(file));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
        }
    }

    /** What the holder wrote into its lock file ("pid N"). */
    private static String holderText(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8).strip();
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("unlocking " + channel + ": " + e.getMessage(), e);
        }
    }
}
