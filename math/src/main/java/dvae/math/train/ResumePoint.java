package dvae.math.train;

import dvae.math.BadInputException;
import dvae.math.data.Dataset;
import dvae.math.model.ModelCheckpoint;
import dvae.math.run.Checkpoint;
import dvae.math.run.JsonFiles;
import dvae.math.run.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The checkpoint a run continues from, checked against the data, with the settings and the engine that wrote it.
 * Both engines resume through it (the reference {@link Trainer} and the actor system), so a run is always continued
 * by the engine that made it: their checkpoints hold the same model files but different shapes of the rest.
 */
public record ResumePoint(Path run, Checkpoint checkpoint, ModelCheckpoint.Manifest manifest, TrainConfig config,
                          String engine) {
    /** The checkpoint metadata key naming the engine that wrote it. */
    public static final String ENGINE_KEY = "engine";
    public static final String REFERENCE = "reference";
    public static final String ACTORS = "actors";
    /** Only actor checkpoints carry the server's parameter version (also how older ones are told apart). */
    public static final String PARAMETER_VERSION_KEY = "parameter_version";

    /** The run's latest checkpoint; the data set must be the one it was trained on. */
    public static ResumePoint of(RunDirectory run, Dataset data) {
        Checkpoint last = run.resumePoint().orElseThrow(
                () -> new BadInputException(run.root() + ": no checkpoint to resume from"));
        ModelCheckpoint.Manifest manifest = ModelCheckpoint.readManifest(last.dir());
        if (!manifest.dataset().equals(data.name())) {
            throw new BadInputException(run.root() + " was trained on " + manifest.dataset() + ", not " + data.name());
        }
        Object recorded = last.metadata().get(ENGINE_KEY);
        String engine = recorded != null ? recorded.toString()
                : last.metadata().containsKey(PARAMETER_VERSION_KEY) ? ACTORS : REFERENCE;
        // Actor checkpoints from before actor runs could be resumed lack the batch order and the streams.
        if (!Files.exists(last.file(Trainer.ORDER_FILE)) || !Files.exists(last.file(Trainer.RANDOM_FILE))) {
            throw new BadInputException(last.dir() + " cannot be resumed: it has no " + Trainer.ORDER_FILE + " or "
                    + Trainer.RANDOM_FILE + " (written before " + engine + " runs could be resumed)");
        }
        TrainConfig config = JsonFiles.read(last.file(Trainer.TRAIN_FILE), TrainConfig.class);
        return new ResumePoint(run.root(), last, manifest, config, engine);
    }

    /** Refuses to continue the run with another engine than the one that made it (one line, with the fix). */
    public ResumePoint requireEngine(String wanted) {
        if (!engine.equals(wanted)) {
            throw new BadInputException(run + " was trained by the " + engine
                    + " engine: resume it with --engine " + engine + " (or without --engine), not " + wanted);
        }
        return this;
    }

    public long step() {
        return checkpoint.step();
    }

    /** The parameter server's version at the checkpoint (0 for reference checkpoints). */
    public long parameterVersion() {
        return checkpoint.metadata().get(PARAMETER_VERSION_KEY) instanceof Number n ? n.longValue() : 0;
    }
}
