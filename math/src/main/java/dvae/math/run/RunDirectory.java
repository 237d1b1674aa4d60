package dvae.math.run;

import dvae.math.BadInputException;
import dvae.math.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A training run's directory and where everything in it lives:
 *
 * <pre>
 * RUN/
 *   config.conf                 the resolved configuration
 *   metrics.jsonl               one JSON object per logged step ({@link MetricsLog})
 *   checkpoints/index.json      last and best checkpoint ({@link Checkpoints})
 *   checkpoints/step-0000123/   one checkpoint: the trainer's files and checkpoint.json
 *   plots/loss.png              loss curves, refreshed at each validation
 *   plots/samples.png           samples from the prior
 *   plots/reconstructions.png   validation images and their reconstructions
 * </pre>
 *
 * <p>A fresh run needs a new or empty directory, so it never mixes with an older run's files; an existing run is
 * opened to resume it (from its last checkpoint) or to evaluate it, and must have a checkpoint.
 */
public final class RunDirectory {
    public static final String CONFIG = "config.conf";
    public static final String METRICS = "metrics.jsonl";
    public static final String CHECKPOINTS = "checkpoints";
    public static final String PLOTS = "plots";

    private final Path root;
    private final Checkpoint resumePoint;

    private RunDirectory(Path root, Checkpoint resumePoint) {
        this.root = root;
        this.resumePoint = resumePoint;
    }

    /** Starts a fresh run in {@code dir} (new or empty) and writes its resolved configuration. */
    public static RunDirectory create(Path dir, String resolvedConfig) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": is a file, not a run directory");
        }
        if (Files.isDirectory(dir) && !isEmpty(dir)) {
            throw new BadInputException(dir + ": not empty; start a fresh run in a new directory, or continue this "
                    + "one with --resume " + dir);
        }
        RunDirectory run = new RunDirectory(dir, null);
        AtomicFiles.writeString(run.configFile(), resolvedConfig);
        return run;
    }

    /** Opens an existing run that has a checkpoint, to resume it from its last checkpoint or to evaluate it. */
    public static RunDirectory open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": no such run directory");
        }
        RunDirectory run = new RunDirectory(dir, null);
        if (!Files.isRegularFile(run.configFile())) {
            throw new BadInputException(dir + ": not a run directory (no " + CONFIG + ")");
        }
        Checkpoint last = run.checkpoints(Checkpoints.DEFAULT_KEEP_LAST).latest().orElseThrow(
                () -> new BadInputException(dir + ": the run has no checkpoint yet (no " + CHECKPOINTS + "/"
                        + Checkpoints.INDEX + ")"));
        return new RunDirectory(dir, last);
    }

    /** The checkpoint a resumed run continues from: the last one when the run was opened; empty for a fresh run. */
    public Optional<Checkpoint> resumePoint() {
        return Optional.ofNullable(resumePoint);
    }

    /** The run's configuration text as written when it started. */
    public String config() {
        try {
            return Files.readString(configFile(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadInputException(configFile() + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** The run's checkpoints, keeping the last {@code keepLast} and the best. */
    public Checkpoints checkpoints(int keepLast) {
        return new Checkpoints(checkpointsDir(), keepLast);
    }

    /** The metrics log, opened for appending; a resumed run's log first loses the entries after its resume point. */
    public MetricsLog openMetrics() {
        return resumePoint == null ? MetricsLog.append(metricsFile())
                : MetricsLog.resume(metricsFile(), resumePoint.step());
    }

    public Path root() {
        return root;
    }

    public Path configFile() {
        return root.resolve(CONFIG);
    }

    public Path metricsFile() {
        return root.resolve(METRICS);
    }

    public Path checkpointsDir() {
        return root.resolve(CHECKPOINTS);
    }

    public Path plotsDir() {
        return root.resolve(PLOTS);
    }

    public Path lossCurvesPng() {
        return plotsDir().resolve("loss.png");
    }

    public Path validNllPng() {
        return plotsDir().resolve("valid-nll.png");
    }

    public Path priorLogZPng() {
        return plotsDir().resolve("prior-log-z.png");
    }

    public Path samplesPng() {
        return plotsDir().resolve("samples.png");
    }

    public Path reconstructionsPng() {
        return plotsDir().resolve("reconstructions.png");
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + dir + ": " + e.getMessage(), e);
        }
    }
}
