package dvae.math.run;

import dvae.math.BadInputException;
import dvae.math.io.AtomicFiles;
import dvae.math.io.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The checkpoints of a run, in {@code RUN/checkpoints/}: one directory per checkpoint, {@code step-0000123/}, with
 * the caller's files and a {@code checkpoint.json} (step, time, score, metadata), and {@code index.json} naming the
 * checkpoints kept, the last one and the best one with its score.
 *
 * <p>Crash safety: a checkpoint is built completely in a temporary directory ({@code .tmp-step-...}), renamed into
 * place in one step, and only then named by the index, which is itself replaced atomically. The index is the only
 * source of truth, so a crash at any point leaves the previous last and best checkpoints intact; what a crash leaves
 * behind (a temporary directory, or a renamed directory the index never named) is ignored by readers and deleted by
 * the next save. After each save only the last {@code keepLast} checkpoints and the best are kept.
 *
 * <p>The best checkpoint has the lowest score among those saved with one. A score under another metric name than
 * the best's replaces it: values of different metrics do not compare, and the newer metric is the one the run now
 * selects by. One writer per run (the trainer); readers (evaluation) may run beside it: the index they read names
 * only complete checkpoints, though a later save may prune one that is no longer among the last or the best.
 */
public final class Checkpoints {
    public static final int DEFAULT_KEEP_LAST = 2;
    public static final String INDEX = "index.json";
    public static final String DESCRIPTION = "checkpoint.json";
    private static final int FORMAT = 1;
    private static final String DIR_PREFIX = "step-";
    private static final String TEMP_PREFIX = ".tmp-";

    private final Path root;
    private final int keepLast;

    /** Writes a checkpoint's files into {@code dir} (a fresh temporary directory). */
    @FunctionalInterface
    public interface Contents {
        void write(Path dir) throws IOException;
    }

    /** What {@code index.json} records: the steps kept in ascending order, the last of them, and the best. */
    record Index(int format, long last, Best best, List<Long> steps) {
    }

    record Best(long step, String metric, double value) {
    }

    /** What {@code checkpoint.json} records. */
    record Description(int format, long step, String writtenAt, Checkpoint.Score score,
                       Map<String, Object> metadata) {
    }

    public Checkpoints(Path root, int keepLast) {
        if (keepLast < 1) {
            throw new IllegalArgumentException("keepLast must be at least 1, got " + keepLast);
        }
        this.root = root;
        this.keepLast = keepLast;
    }

    public Path indexFile() {
        return root.resolve(INDEX);
    }

    /** Saves a checkpoint without a validation score. */
    public Checkpoint save(long step, Map<String, ?> metadata, Contents contents) {
        return save(step, metadata, null, contents);
    }

    /**
     * Saves the checkpoint of {@code step}, which must come after the last one. If {@code contents} fails, the
     * exception propagates and nothing changes: the partial directory is deleted and the index is untouched.
     */
    public Checkpoint save(long step, Map<String, ?> metadata, Checkpoint.Score score, Contents contents) {
        Optional<Index> previous = readIndex();
        if (step < 0 || previous.isPresent() && step <= previous.get().last()) {
            throw new IllegalArgumentException("checkpoint step " + step + " must come after the last checkpoint"
                    + previous.map(i -> ", step " + i.last()).orElse(""));
        }
        Path target = root.resolve(dirName(step));
        Path temp = null;
        try {
            Files.createDirectories(root);
            temp = AtomicFiles.publicReadable(Files.createTempDirectory(root, TEMP_PREFIX + dirName(step) + "-"));
            contents.write(temp);
            JsonFiles.write(temp.resolve(DESCRIPTION), new Description(FORMAT, step, Instant.now().toString(), score,
                    new LinkedHashMap<>(metadata)));
            FileTrees.delete(target); // left by a crash before the index named it (its step is after the last)
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            temp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("writing checkpoint " + target + ": " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                deleteLeftover(temp);
            }
        }
        Index next = next(previous, step, score);
        JsonFiles.write(indexFile(), next);
        prune(next);
        return read(step);
    }

    /** The last checkpoint saved, if any. */
    public Optional<Checkpoint> latest() {
        return readIndex().map(index -> read(index.last()));
    }

    /** The checkpoint with the lowest score, if any was saved with a score. */
    public Optional<Checkpoint> best() {
        return readIndex().map(Index::best).map(best -> read(best.step()));
    }

    /** The checkpoints kept, oldest first. */
    public List<Checkpoint> list() {
        return readIndex().map(index -> index.steps().stream().map(this::read).toList()).orElse(List.of());
    }

    private Index next(Optional<Index> previous, long step, Checkpoint.Score score) {
        List<Long> steps = new ArrayList<>(previous.map(Index::steps).orElse(List.of()));
        steps.add(step);
        Best best = previous.map(Index::best).orElse(null);
        if (score != null && (best == null || !best.metric().equals(score.metric()) || score.value() < best.value())) {
            best = new Best(step, score.metric(), score.value());
        }
        List<Long> kept = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            if (i >= steps.size() - keepLast || best != null && steps.get(i) == best.step()) {
                kept.add(steps.get(i));
            }
        }
        return new Index(FORMAT, step, best, kept);
    }

    /** Deletes the checkpoints the index no longer names and whatever interrupted saves left behind. */
    private void prune(Index index) {
        Set<String> kept = index.steps().stream().map(Checkpoints::dirName).collect(Collectors.toSet());
        try (Stream<Path> entries = Files.list(root)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (name.startsWith(TEMP_PREFIX) || name.startsWith(DIR_PREFIX) && !kept.contains(name)) {
                    FileTrees.delete(entry);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("deleting old checkpoints in " + root + ": " + e.getMessage(), e);
        }
    }

    private Optional<Index> readIndex() {
        Path file = indexFile();
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Index index = JsonFiles.read(file, Index.class);
        String problem = problem(index);
        if (problem != null) {
            throw new BadInputException(file + ": damaged checkpoint index (" + problem + ")");
        }
        return Optional.of(index);
    }

    private static String problem(Index index) {
        if (index.format() != FORMAT) {
            return "format " + index.format() + ", expected " + FORMAT;
        }
        List<Long> steps = index.steps();
        if (steps == null || steps.isEmpty() || steps.contains(null)) {
            return "no list of steps";
        }
        for (int i = 1; i < steps.size(); i++) {
            if (steps.get(i) <= steps.get(i - 1)) {
                return "steps not ascending: " + steps;
            }
        }
        if (index.last() != steps.get(steps.size() - 1)) {
            return "last step " + index.last() + " is not the last of " + steps;
        }
        Best best = index.best();
        if (best != null && (!steps.contains(best.step()) || best.metric() == null
                || !Double.isFinite(best.value()))) {
            return "best " + best + " is not a kept step with a metric and a finite value";
        }
        return null;
    }

    private Checkpoint read(long step) {
        Path dir = root.resolve(dirName(step));
        Path file = dir.resolve(DESCRIPTION);
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": checkpoint directory named by " + indexFile() + " is missing");
        }
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(dir + ": incomplete checkpoint (no " + DESCRIPTION + ")");
        }
        Description description = JsonFiles.read(file, Description.class);
        if (description.format() != FORMAT || description.step() != step) {
            throw new BadInputException(file + ": damaged (format " + description.format() + ", step "
                    + description.step() + "; expected format " + FORMAT + ", step " + step + ")");
        }
        Map<String, Object> metadata = description.metadata() == null ? Map.of() : description.metadata();
        return new Checkpoint(step, dir, description.score(), Collections.unmodifiableMap(metadata));
    }

    private static String dirName(long step) {
        return String.format(Locale.ROOT, "%s%07d", DIR_PREFIX, step);
    }

    private static void deleteLeftover(Path temp) {
        FileTrees.deleteQuietly(temp); // the next save deletes it; readers never look at temporary directories
    }
}
