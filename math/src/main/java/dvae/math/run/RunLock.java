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

/**
 * Keeps a second process from writing into a folder another one is writing into (two trainers resuming one run would
 * interleave its metrics and race for its checkpoints): an operating-system lock on the folder's {@value #FILE},
 * held while the work runs and released however the process ends, SIGKILL included. The file keeps the holder's pid,
 * to name it in the refusal.
 */
public final class RunLock implements AutoCloseable {
    public static final String FILE = ".lock";
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes {@code dir}'s lock (creating the folder if need be), or refuses in one line if another holds it. */
    public static RunLock acquire(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            Files.createDirectories(dir);
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
                String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
                throw new BadInputException(dir + ": in use by another process" + (holder.isEmpty() ? ""
                        : " (" + holder + ")") + "; wait for it to end, or stop it (Ctrl-C or SIGTERM writes a "
                        + "checkpoint) and run this again");
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
