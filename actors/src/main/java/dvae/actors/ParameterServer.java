package dvae.actors;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import dvae.cli.Settings;
import dvae.math.tensor.MatrixOps;
import dvae.math.train.CheckpointWriter;
import dvae.math.train.GradientApplier;
import dvae.protocols.ParameterServerProtocol.Ack;
import dvae.protocols.ParameterServerProtocol.Checkpoint;
import dvae.protocols.ParameterServerProtocol.CheckpointFailed;
import dvae.protocols.ParameterServerProtocol.CheckpointWritten;
import dvae.protocols.ParameterServerProtocol.Command;
import dvae.protocols.ParameterServerProtocol.GetMetrics;
import dvae.protocols.ParameterServerProtocol.Metrics;
import dvae.protocols.ParameterServerProtocol.Parameters;
import dvae.protocols.ParameterServerProtocol.Pull;
import dvae.protocols.ParameterServerProtocol.PushGradient;
import dvae.protocols.ParameterServerProtocol.Rejected.Reason;
import dvae.protocols.ParameterServerProtocol.Rejected;
import dvae.protocols.Tensor;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * The parameter server: single writer of the flat parameter vector (see {@link dvae.protocols.ParameterServerProtocol}
 * for the rules). The actor only keeps the books; gradients are applied, and checkpoints written, one at a time in
 * arrival order on the maths dispatcher, so pulls are answered (from the last published copy) while a step runs.
 * Pushes waiting for that lane are what each worker's credit window bounds.
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
    private record Applied(PushGradient push, float stepScale, Optional<Tensor> parametersAfter, Throwable failure)
            implements NoSerializationVerificationNeeded {
    }

    private record CheckpointDone(Checkpoint request, long version, Throwable failure)
            implements NoSerializationVerificationNeeded {
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
    private final ArrayDeque<Command> lane = new ArrayDeque<>(); // PushGradient and Checkpoint, in arrival order
    private boolean laneBusy;
    private Parameters published;
    private long applied, downWeighted, droppedStale, duplicates, noCredit, malformed, nonFinite, checkpointCount;

    private ParameterServer(ActorContext<Object> ctx, Config config, float[] parameters, long version,
                            GradientApplier applier, CheckpointWriter checkpoints) {
        super(ctx);
        this.config = config;
        this.parameters = parameters;
        this.applier = applier;
        this.checkpoints = checkpoints;
        this.math = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(config.mathDispatcher()));
        this.published = new Parameters(version, Tensor.ofFloats(parameters, parameters.length));
    }

    @Override
    public Receive<Object> createReceive() {
        return newReceiveBuilder()
                .onMessage(Pull.class, m -> {
                    m.replyTo().tell(published);
                    return this;
                })
                .onMessage(PushGradient.class, this::onPush)
                .onMessage(Checkpoint.class, m -> {
                    lane.add(m);
                    runLane();
                    return this;
                })
                .onMessage(GetMetrics.class, m -> {
                    m.replyTo().tell(new Metrics(version(), applied, downWeighted, droppedStale, duplicates,
                            noCredit, malformed, nonFinite, checkpointCount));
                    return this;
                })
                .onMessage(Applied.class, this::onApplied)
                .onMessage(CheckpointDone.class, this::onCheckpointDone)
                .build();
    }

    private long version() {
        return published.version();
    }

    private Behavior<Object> onPush(PushGradient push) {
        WorkerBook book = workers.computeIfAbsent(push.workerId(), id -> new WorkerBook());
        if (push.seq() <= book.settledSeq || book.waiting.contains(push.seq())) {
            duplicates++;
            push.replyTo().tell(new Ack(push.workerId(), push.seq(), version(), 0f, true));
        } else if (push.computedAtVersion() > version() || !push.gradient().holdsFloats(parameters.length)) {
            malformed++;
            reject(push, Reason.MALFORMED, "computed at version " + push.computedAtVersion() + " with "
                    + push.gradient() + "; the server is at version " + version() + " with " + parameters.length
                    + " parameters");
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

    /** Starts the next job of the lane unless one is running; stale pushes are settled here without maths. */
    private void runLane() {
        while (!laneBusy && !lane.isEmpty()) {
            Command job = lane.poll();
            if (job instanceof PushGradient push) {
                startApply(push);
            } else {
                startCheckpoint((Checkpoint) job);
            }
        }
    }

    private void startApply(PushGradient push) {
        long staleness = version() - push.computedAtVersion();
        if (staleness > config.maxStaleness()) {
            droppedStale++;
            settle(push);
            reject(push, Reason.STALE, "computed at version " + push.computedAtVersion() + ", the server is at "
                    + version() + ", the limit is " + config.maxStaleness() + " behind");
            return;
        }
        float stepScale = config.policy() == StalenessPolicy.DOWN_WEIGHT ? 1f / (1 + staleness) : 1f;
        long step = version() + 1;
        laneBusy = true;
        getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> apply(push, stepScale, step), math),
                (after, failure) -> new Applied(push, stepScale, after, failure));
    }

    /**
     * On the maths lane: applies the gradient and returns a copy of the result for pulls (which so never see a half
     * applied vector); empty when the gradient is not finite, and then the parameters are left alone.
     */
    private Optional<Tensor> apply(PushGradient push, float stepScale, long step) {
        FloatBuffer g = push.gradient().floats();
        if (!MatrixOps.allFinite(g)) {
            return Optional.empty();
        }
        applier.apply(parameters, g, push.learningRate(), stepScale, step);
        return Optional.of(Tensor.ofFloats(parameters, parameters.length));
    }

    private Behavior<Object> onApplied(Applied done) {
        laneBusy = false;
        if (done.failure() != null) {
            // The parameters may be half updated: stop rather than serve them.
            throw new IllegalStateException("applying a gradient failed", done.failure());
        }
        PushGradient push = done.push();
        settle(push);
        if (done.parametersAfter().isEmpty()) {
            nonFinite++;
            reject(push, Reason.NON_FINITE, "the gradient holds NaN or infinity");
        } else {
            published = new Parameters(version() + 1, done.parametersAfter().get());
            applied++;
            if (done.stepScale() < 1f) {
                downWeighted++;
            }
            push.replyTo().tell(new Ack(push.workerId(), push.seq(), version(), done.stepScale(), false));
        }
        runLane();
        return this;
    }

    private void startCheckpoint(Checkpoint request) {
        laneBusy = true;
        long version = version();
        getContext().pipeToSelf(CompletableFuture.runAsync(() -> {
            try {
                checkpoints.write(Path.of(request.directory()), version, parameters);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, math), (ok, failure) -> new CheckpointDone(request, version, failure));
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
