package dvae.math.train;

import dvae.math.BadInputException;
import dvae.math.data.Dataset;
import dvae.math.model.ModelCheckpoint;
import dvae.math.run.Checkpoint;
import dvae.math.run.JsonFiles;
import dvae.math.run.RandomStates;
import dvae.math.run.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The checkpoint a run continues from, checked against the data, with the settings and the engine that wrote it.
 * Both engines resume through it (the reference {@link Trainer} and the actor system). Their checkpoints hold the same
 * model, optimizer, batch order and stream files; the chains and the prior sampler differ in shape only (one store
 * and one sampler, or a file per chain shard and per sampler), so either engine continues the other's run where the
 * shapes meet: the actor system any reference run whose settings ask for one sampler, the reference trainer an actor
 * run of one worker and one sampler. With one worker the engines compute the same steps, so such a switch continues
 * the run exactly as the engine that made it would have.
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

    /**
     * Checks that engine {@code wanted} can continue this checkpoint (one line, with the fix, if not):
     * {@code actorSamplers} is the number of prior samplers the run's settings give an actor run.
     */
    public ResumePoint requireContinuableBy(String wanted, int actorSamplers) {
        if (!wanted.equals(REFERENCE) && !wanted.equals(ACTORS)) {
            throw new BadInputException("unknown engine '" + wanted + "'; known: " + REFERENCE + ", " + ACTORS);
        }
        if (engine.equals(wanted)) {
            return this;
        }
        if (wanted.equals(ACTORS) && actorSamplers != 1) {
            throw new BadInputException(run + " was trained by the reference trainer, whose one prior sampler "
                    + "continues as one actor sampler, but the run's settings ask for " + actorSamplers
                    + ": resume it with --engine " + engine);
        }
        if (wanted.equals(REFERENCE)) {
            Path dir = checkpoint.dir();
            boolean oneSampler = !Files.exists(actorSamplerFile(dir, 1));
            boolean oneWorker = RandomStates.read(dir.resolve(Trainer.RANDOM_FILE)).keySet().stream()
                    .noneMatch(name -> name.contains("/"));
            if (!oneSampler) {
                throw new BadInputException(run + " was trained by the actor system with several prior samplers, "
                        + "which the reference trainer cannot continue: resume it with --engine " + engine);
            }
            if (!oneWorker) {
                throw new BadInputException(run + " was trained by the actor system with workers of their own "
                        + "streams (several, or one on another node), which the reference trainer cannot continue: "
                        + "resume it with --engine " + engine);
            }
        }
        return this;
    }

    /**
     * The state file of an actor run's prior sampler {@code index} in a checkpoint directory (the sampler with id
     * {@code "sampler-" + index} writes it).
     */
    public static Path actorSamplerFile(Path checkpointDir, int index) {
        return checkpointDir.resolve("prior-sampler-" + index + ".json");
    }

    /** The prior sampler's state for the reference trainer: its own, or an actor run's single sampler's. */
    public Path priorSamplerFile() {
        return engine.equals(ACTORS) ? actorSamplerFile(checkpoint.dir(), 0) : checkpoint.file(Trainer.SAMPLER_FILE);
    }

    public long step() {
        return checkpoint.step();
    }

    /**
     * The parameter server's version at the checkpoint; for a reference checkpoint its step (the reference trainer
     * makes one version a step).
     */
    public long parameterVersion() {
        return checkpoint.metadata().get(PARAMETER_VERSION_KEY) instanceof Number n ? n.longValue() : step();
    }
}
