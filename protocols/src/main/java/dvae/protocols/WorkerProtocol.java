package dvae.protocols;

import akka.actor.typed.ActorRef;

/**
 * Messages of a worker (its behaviour comes with the model). One training step for a batch: pull parameters if the
 * last known server version (from the latest {@link ParameterServerProtocol.Ack}) is more than the allowed age ahead
 * of the worker's copy; fetch the batch's chain states from the keepers; compute the gradient and the new states on
 * the maths dispatcher; store the states; push the gradient stamped with the version it was computed at; report.
 * <p>
 * The replies of the parameter server and the chain keepers are themselves worker commands: they go straight to the
 * worker's own path, which is listed in {@code large-message-destinations}, not to an adapter or an ask's temporary
 * path, where a large {@link ParameterServerProtocol.Parameters} would exceed Artery's normal frame.
 */
public final class WorkerProtocol {
    private WorkerProtocol() {
    }

    public sealed interface Command extends CborSerializable
            permits TrainBatch, ParameterServerProtocol.Parameters, ParameterServerProtocol.PushReply,
            ChainKeeperProtocol.Reply {
    }

    /** Train one step on these examples; {@code step} is the coordinator's step count (warm-up, random streams). */
    public record TrainBatch(long step, int[] examples, ActorRef<BatchOutcome> replyTo) implements Command {
    }

    public sealed interface BatchOutcome extends CborSerializable {
    }

    /** The batch's chains are stored and its gradient pushed as {@code seq}. */
    public record BatchTrained(String workerId, long step, long seq) implements BatchOutcome {
    }

    public record BatchFailed(String workerId, long step, String reason) implements BatchOutcome {
    }
}
