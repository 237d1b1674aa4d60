package dvae.protocols;

import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.ServiceKey;

/**
 * Messages of a worker. One training step for a batch: pull parameters if the last known server version (from the
 * latest {@link ParameterServerProtocol.Ack}) is more than the allowed age ahead of the worker's copy; fetch the
 * batch's chain states from the keepers and the prior's estimate from the samplers; compute the gradient and the
 * new states on the maths dispatcher; store the states; push the gradient stamped with the version it was computed
 * at; report once the push is acknowledged.
 * <p>
 * The replies of the parameter server, the chain keepers and the samplers are themselves worker commands: they go
 * straight to the worker's own path, which is listed in {@code large-message-destinations}, not to an adapter or an
 * ask's temporary path, where a large {@link ParameterServerProtocol.Parameters} would exceed Artery's normal frame.
 */
public final class WorkerProtocol {
    private WorkerProtocol() {
    }

    /** A worker registers under this key once it has found its parameter server, samplers and chain keepers. */
    public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "worker");

    public sealed interface Command extends CborSerializable
            permits TrainBatch, SnapshotStreams, ParameterServerProtocol.Parameters,
            ParameterServerProtocol.OptimizerMoments, ParameterServerProtocol.PushReply,
            ChainKeeperProtocol.Reply, SamplerProtocol.Estimate {
    }

    /**
     * Train one step on these examples. {@code step} is the coordinator's step count (0-based), {@code lambda} the
     * warm-up factor (or entropy weight) and {@code learningRate} the scheduled rate at that step.
     */
    public record TrainBatch(long step, int[] examples, double lambda, double learningRate,
                             ActorRef<BatchOutcome> replyTo) implements Command {
    }

    public sealed interface BatchOutcome extends CborSerializable {
    }

    /**
     * The batch's chains are stored and its gradient, pushed as {@code seq}, applied. The loss terms are the step's
     * (per example); the prior's log Z and ESS fraction those of the estimate used (NaN when not tracked).
     */
    public record BatchTrained(String workerId, long step, long seq, double loss, double logLikelihood,
                               double klOrLogRatio, double priorLogZ, double priorEssFraction)
            implements BatchOutcome {
    }

    /**
     * The step's gradient was not applied: {@code nonFinite} when its loss or gradient was NaN or infinite (the
     * reference trainer's skipped step), otherwise a failure on the way (refused chains, a stale push, a timeout).
     */
    public record BatchFailed(String workerId, long step, String reason, boolean nonFinite) implements BatchOutcome {
    }

    /**
     * The worker's random streams (binarization, noise) for a checkpoint, answered once no step of its runs, so a
     * resumed run's worker of the same id continues them exactly.
     */
    public record SnapshotStreams(ActorRef<WorkerStreams> replyTo) implements Command {
    }

    public record WorkerStreams(String workerId, long[] binarize, long[] noise) implements CborSerializable {
    }
}
