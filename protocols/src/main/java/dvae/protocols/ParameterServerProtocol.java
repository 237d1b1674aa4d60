package dvae.protocols;

import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.ServiceKey;

/**
 * Messages of the parameter server, the single writer of the flat parameter vector. Every applied gradient raises
 * the version by one. Workers pull parameters when theirs are too old (each {@link Ack} tells them the current
 * version), push gradients stamped with (worker id, sequence number, version computed at), and keep at most the
 * credit window of pushes unacknowledged: a push beyond it is {@link Rejected} with {@link Rejected.Reason#NO_CREDIT}.
 * A repeated (worker id, sequence number) is acknowledged again but never applied twice, so retries are safe.
 * Sequence numbers of one worker increase: a push refused for credit is retried, after an acknowledgement, before
 * a new one is sent (the server takes any number at or below one it has settled for a duplicate).
 */
public final class ParameterServerProtocol {
    private ParameterServerProtocol() {
    }

    /** The server registers under this key with the receptionist. */
    public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "parameter-server");

    public sealed interface Command extends CborSerializable {
    }

    /**
     * Asks for the current parameters; the reply is large: reply to an actor in large-message-destinations. With
     * {@code momentsTo} (null: not wanted) the optimizer's state comes too, as two {@link OptimizerMoments} after the
     * parameters and of their version, for a worker that applies its own pushes to its replica as the server does.
     * Such a pull is answered once the pushes before it are applied.
     */
    public record Pull(ActorRef<Parameters> replyTo, ActorRef<OptimizerMoments> momentsTo) implements Command {
    }

    /** {@code momentsFollow}: the two {@link OptimizerMoments} asked for follow (false if not asked or not kept). */
    public record Parameters(long version, Tensor values, boolean momentsFollow) implements WorkerProtocol.Command {
    }

    /**
     * Adam's first ({@code moment} 1) or second (2) moments in the parameter vector's layout (zeros in the slots of
     * tensors that are not trained) and its step count, at the parameters' {@code version}.
     */
    public record OptimizerMoments(long version, long steps, int moment, Tensor values)
            implements WorkerProtocol.Command {
    }

    /** {@code learningRate}: the coordinator's scheduled rate for the step this gradient belongs to. */
    public record PushGradient(String workerId, long seq, long computedAtVersion, double learningRate,
                               Tensor gradient, ActorRef<PushReply> replyTo) implements Command {
    }

    public sealed interface PushReply extends WorkerProtocol.Command {
    }

    /**
     * The push with this (worker id, seq) was applied with the given step scale ({@code duplicate} false), or is a
     * copy of one received before ({@code duplicate} true, scale 0: nothing applied for this copy; the first copy
     * gets its own reply). {@code version} is the server's version after it.
     */
    public record Ack(String workerId, long seq, long version, float stepScale, boolean duplicate)
            implements PushReply {
    }

    public record Rejected(String workerId, long seq, Reason reason, String detail) implements PushReply {
        public enum Reason {
            /** Computed at a version more than the staleness limit behind; final, do not retry. */
            STALE,
            /** The worker already has its credit window of pushes waiting; retry after an acknowledgement. */
            NO_CREDIT,
            /** Wrong length, or computed at a version the server has not reached; a bug in the sender. */
            MALFORMED,
            /** The gradient holds NaN or infinity; final, do not retry. */
            NON_FINITE
        }
    }

    /** Writes a checkpoint into {@code directory} (on the server's machine) once the queued pushes are applied. */
    public record Checkpoint(String directory, ActorRef<CheckpointReply> replyTo) implements Command {
    }

    public sealed interface CheckpointReply extends CborSerializable {
    }

    public record CheckpointWritten(String directory, long version) implements CheckpointReply {
    }

    public record CheckpointFailed(String directory, String reason) implements CheckpointReply {
    }

    public record GetMetrics(ActorRef<Metrics> replyTo) implements Command {
    }

    /**
     * Counts since the server started. Every push is counted once, as applied, droppedStale, duplicates, noCredit,
     * malformed or nonFinite; downWeighted counts the applied ones whose step was scaled down.
     */
    public record Metrics(long version, long applied, long downWeighted, long droppedStale, long duplicates,
                          long noCredit, long malformed, long nonFinite, long checkpoints) implements CborSerializable {
    }
}
