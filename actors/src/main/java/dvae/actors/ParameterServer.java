package dvae.actors;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import dvae.cli.Settings;
import dvae.math.train.CheckpointWriter;
import dvae.math.train.GradientApplier;
import dvae.math.train.ModelUpdater;
import dvae.protocols.ParameterServerProtocol.Ack;
import dvae.protocols.ParameterServerProtocol.Checkpoint;
import dvae.protocols.ParameterServerProtocol.CheckpointFailed;
import dvae.protocols.ParameterServerProtocol.CheckpointWritten;
import dvae.protocols.ParameterServerProtocol.Command;
import dvae.protocols.ParameterServerProtocol.GetMetrics;
import dvae.protocols.ParameterServerProtocol.Metrics;
import dvae.protocols.ParameterServerProtocol.OptimizerMoments;
import dvae.protocols.ParameterServerProtocol.Parameters;
import dvae.protocols.ParameterServerProtocol.Pull;
import dvae.protocols.ParameterServerProtocol.PushGradient;
import dvae.protocols.ParameterServerProtocol.Rejected.Reason;
import dvae.protocols.ParameterServerProtocol.Rejected;
import dvae.protocols.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * The parameter server: single writer of the flat parameter vector (see {@link dvae.protocols.ParameterServerProtocol}
 * for the rules). The actor only keeps the books; gradients are applied, and checkpoints written, one at a time in
 * arrival order on the maths dispatcher. A pull is answered at once from the last copy made for one when no update
 * came since, and otherwise queued in that lane for a fresh copy: workers that update their replicas themselves
 * never pull, and then no update pays for a copy. Pushes waiting for that lane are what each worker's credit window
 * bounds.
 */
public final class ParameterServer extends AbstractBehavior<Object> {

    public enum StalenessPolicy { DROP, DOWN_WEIGHT }

    public record Config(int maxStaleness, StalenessPolicy policy, int creditWindow, String mathDispatcher) {
        /** Reads {@code dvae.actors.parameter-server} and {@code dvae.actors.math-dispatcher}. */
        public static Config from(Settings settings) {
            String at = "dvae.actors.parameter-server.";
            return new Config(settings.intAtLeast(at + "max-staleness", 0),
                    StalenessPolicy.valueOf(settings.oneOf(at + "staleness-policy", "drop", "down-weight")
                            .toUpperCase().replace('-', '_')),
                    settings.intAtLeast(at + "credit-window", 1),
                    settings.string("dvae.actors.math-dispatcher"));
        }
    }

    /** The server starts at {@code version} with a copy of {@code parameters} (fresh, or from a checkpoint). */
    public static Behavior<Command> create(Config config, float[] parameters, long version, GradientApplier applier,
                                           CheckpointWriter checkpoints) {
        return Behaviors.<Object>setup(ctx -> new ParameterServer(ctx, config, parameters.clone(), version, applier,
                checkpoints)).narrow();
    }

    // Results of the maths lane, sent by the actor to itself: local only, never serialized.
    private record Applied(PushGradient push, float stepScale, boolean finite, Throwable failure)
            implements NoSerializationVerificationNeeded {
    }

    private record CheckpointDone(Checkpoint request, long version, Throwable failure)
            implements NoSerializationVerificationNeeded {
    }

    private record Copied(Pull request, Parameters parameters, OptimizerMoments first, OptimizerMoments second,
                          Throwable failure) implements NoSerializationVerificationNeeded {
    }

    /** Per worker: the highest settled sequence number and the pushes waiting in the lane. */
    private static final class WorkerBook {
        long settledSeq = Long.MIN_VALUE;
        final Set<Long> waiting = new HashSet<>();
    }

    private final Config config;
    private final float[] parameters; // touched only by the maths lane, one job at a time
    private final GradientApplier applier;
    private final CheckpointWriter checkpoints;
    private final Executor math;
    private final Map<String, WorkerBook> workers = new HashMap<>();
    private final ArrayDeque<Command> lane = new ArrayDeque<>(); // pushes, pulls to copy, checkpoints: in order
    private boolean laneBusy;
    private long version;
    private Parameters published; // the last copy made for a pull, of this version or an older one
    private long applied, downWeighted, droppedStale, duplicates, noCredit, malformed, nonFinite, checkpointCount;

    private ParameterServer(ActorContext<Object> ctx, Config config, float[] parameters, long version,
                            GradientApplier applier, CheckpointWriter checkpoints) {
        super(ctx);
        this.config = config;
        this.parameters = parameters;
        this.applier = applier;
        this.checkpoints = checkpoints;
        this.math = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(config.mathDispatcher()));
        this.version = version;
    }

    @Override
    public Receive<Object> createReceive() {
        return newReceiveBuilder()
                .onMessage(Pull.class, m -> {
                    if (!answeredFromCopy(m)) {
                        lane.add(m); // copied between updates: parameters (and moments) of one version
                        runLane();
                    }
                    return this;
                })
                .onMessage(PushGradient.class, this::onPush)
                .onMessage(Checkpoint.class, m -> {
                    lane.add(m);
                    runLane();
                    return this;
                })
                .onMessage(GetMetrics.class, m -> {
                    m.replyTo().tell(new Metrics(version, applied, downWeighted, droppedStale, duplicates,
                            noCredit, malformed, nonFinite, checkpointCount));
                    return this;
                })
                .onMessage(Applied.class, this::onApplied)
                .onMessage(CheckpointDone.class, this::onCheckpointDone)
                .onMessage(Copied.class, this::onCopied)
                .build();
    }

    /** The updater whose moments the pull asks for, or null (not asked for, or the applier keeps none to copy). */
    private ModelUpdater momentsFor(Pull pull) {
        return pull.momentsTo() != null && applier instanceof ModelUpdater updater ? updater : null;
    }

    /** Whether the pull could be answered from the last copy (plain pulls only, and only if no update came since). */
    private boolean answeredFromCopy(Pull pull) {
        if (momentsFor(pull) != null || published == null || published.version() != version) {
            return false;
        }
        pull.replyTo().tell(published);
        return true;
    }

    private Behavior<Object> onPush(PushGradient push) {
        WorkerBook book = workers.computeIfAbsent(push.workerId(), id -> new WorkerBook());
        if (push.seq() <= book.settledSeq || book.waiting.contains(push.seq())) {
            duplicates++;
            push.replyTo().tell(new Ack(push.workerId(), push.seq(), version, 0f, true));
        } else if (push.computedAtVersion() > version + queuedPushes()
                || !push.gradient().holdsFloats(parameters.length)) {
            // A worker that updates its replica itself computes at the version its queued push will make.
            malformed++;
            reject(push, Reason.MALFORMED, "computed at version " + push.computedAtVersion() + " with "
                    + push.gradient() + "; the server is at version " + version + " with " + queuedPushes()
                    + " pushes queued and " + parameters.length + " parameters");
        } else if (book.waiting.size() >= config.creditWindow()) {
            noCredit++;
            reject(push, Reason.NO_CREDIT, book.waiting.size() + " pushes already waiting, the credit window is "
                    + config.creditWindow());
        } else {
            book.waiting.add(push.seq());
            lane.add(push);
            runLane();
        }
        return this;
    }

    private int queuedPushes() {
        return workers.values().stream().mapToInt(b -> b.waiting.size()).sum();
    }

    /** Starts the next job of the lane unless one is running; stale pushes are settled here without maths. */
    private void runLane() {
        while (!laneBusy && !lane.isEmpty()) {
            Command job = lane.poll();
            if (job instanceof PushGradient push) {
                startApply(push);
            } else if (job instanceof Pull pull) {
                if (!answeredFromCopy(pull)) {
                    startCopy(pull);
                }
            } else {
                startCheckpoint((Checkpoint) job);
            }
        }
    }

    private void startApply(PushGradient push) {
        if (push.computedAtVersion() > version) {
            // Computed at the version a push queued before it was to make, and that push was not applied.
            malformed++;
            settle(push);
            reject(push, Reason.MALFORMED, "computed at version " + push.computedAtVersion() + ", which the server "
                    + "never reached (it is at " + version + ": a push before this one was not applied)");
            return;
        }
        long staleness = version - push.computedAtVersion();
        if (staleness > config.maxStaleness()) {
            droppedStale++;
            settle(push);
            reject(push, Reason.STALE, "computed at version " + push.computedAtVersion() + ", the server is at "
                    + version + ", the limit is " + config.maxStaleness() + " behind");
            return;
        }
        float stepScale = config.policy() == StalenessPolicy.DOWN_WEIGHT ? 1f / (1 + staleness) : 1f;
        long step = version + 1;
        laneBusy = true;
        getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> apply(push, stepScale, step), math),
                (finite, failure) -> new Applied(push, stepScale, failure == null && finite, failure));
    }

    /**
     * On the maths lane: applies the gradient, unless it is not finite (false), and then the parameters are left
     * alone.
     */
    private boolean apply(PushGradient push, float stepScale, long step) {
        return applier.apply(parameters, push.gradient().floats(), push.learningRate(), stepScale, step);
    }

    private Behavior<Object> onApplied(Applied done) {
        laneBusy = false;
        if (done.failure() != null) {
            // The parameters may be half updated: stop rather than serve them.
            throw new IllegalStateException("applying a gradient failed", done.failure());
        }
        PushGradient push = done.push();
        settle(push);
        if (!done.finite()) {
            nonFinite++;
            reject(push, Reason.NON_FINITE, "the gradient holds NaN or infinity");
        } else {
            version++;
            applied++;
            if (done.stepScale() < 1f) {
                downWeighted++;
            }
            push.replyTo().tell(new Ack(push.workerId(), push.seq(), version, done.stepScale(), false));
        }
        runLane();
        return this;
    }

    /** On the maths lane, between updates: the parameters (and Adam's moments, if asked for) of one version. */
    private void startCopy(Pull request) {
        laneBusy = true;
        long at = version; // read here, on the actor's thread
        ModelUpdater updater = momentsFor(request);
        getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> {
            applier.writeBack(parameters);
            Parameters values = new Parameters(at, Tensor.ofFloats(parameters, parameters.length), updater != null);
            if (updater == null) {
                return new Copied(request, values, null, null, null);
            }
            long steps = updater.optimizerSteps();
            return new Copied(request, values, moments(updater, at, steps, 1), moments(updater, at, steps, 2), null);
        }, math), (copied, failure) -> failure == null ? copied : new Copied(request, null, null, null, failure));
    }

    private OptimizerMoments moments(ModelUpdater updater, long version, long steps, int moment) {
        return new OptimizerMoments(version, steps, moment, Tensor.writingFloats(parameters.length,
                into -> updater.writeMoments(moment, into)));
    }

    private Behavior<Object> onCopied(Copied done) {
        laneBusy = false;
        if (done.failure() != null) {
            throw new IllegalStateException("copying the parameters failed", done.failure());
        }
        if (done.first() == null) {
            published = done.parameters(); // a plain copy serves later pulls until the next update
            done.request().replyTo().tell(published);
        } else {
            done.request().replyTo().tell(done.parameters());
            done.request().momentsTo().tell(done.first());
            done.request().momentsTo().tell(done.second());
        }
        runLane();
        return this;
    }

    private void startCheckpoint(Checkpoint request) {
        laneBusy = true;
        long at = version; // read here, on the actor's thread
        getContext().pipeToSelf(CompletableFuture.runAsync(() -> {
            try {
                applier.writeBack(parameters);
                checkpoints.write(Path.of(request.directory()), at, parameters);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, math), (ok, failure) -> new CheckpointDone(request, at, failure));
    }

    private Behavior<Object> onCheckpointDone(CheckpointDone done) {
        laneBusy = false;
        Checkpoint request = done.request();
        if (done.failure() == null) {
            checkpointCount++;
            request.replyTo().tell(new CheckpointWritten(request.directory(), done.version()));
        } else {
            Throwable cause = done.failure().getCause() != null ? done.failure().getCause() : done.failure();
            getContext().getLog().error("checkpoint into {} failed", request.directory(), cause);
            request.replyTo().tell(new CheckpointFailed(request.directory(), cause.toString()));
        }
        runLane();
        return this;
    }

    private void settle(PushGradient push) {
        WorkerBook book = workers.get(push.workerId());
        book.waiting.remove(push.seq());
        book.settledSeq = Math.max(book.settledSeq, push.seq());
    }

    private static void reject(PushGradient push, Reason reason, String detail) {
        push.replyTo().tell(new Rejected(push.workerId(), push.seq(), reason, detail));
    }
}
