package dvae.protocols;

import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.ServiceKey;

/**
 * Messages of a chain keeper, the owner of the persistent posterior chain states of one range of training examples.
 * States travel as an int64 {@link Tensor} of shape [examples, words per example], rows in the order of the request.
 * A request naming an example outside the keeper's range is refused as a whole.
 */
public final class ChainKeeperProtocol {
    private ChainKeeperProtocol() {
    }

    /** Every keeper registers under this key (checkpoints reach them all) and under its shard's {@link #shardKey}. */
    public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "chain-keeper");

    /** The key of the keeper of shard {@code index}; workers route an example to its shard's keeper by it. */
    public static ServiceKey<Command> shardKey(int index) {
        return ServiceKey.create(Command.class, "chain-keeper-" + index);
    }

    public sealed interface Command extends CborSerializable {
    }

    public record FetchChains(int[] examples, ActorRef<Reply> replyTo) implements Command {
    }

    public record StoreChains(int[] examples, Tensor states, ActorRef<Reply> replyTo) implements Command {
    }

    /** Saves the shard into a checkpoint folder (a path on the keeper's machine). */
    public record SnapshotChains(String directory, ActorRef<Reply> replyTo) implements Command {
    }

    /** Replaces the shard by the one saved in a checkpoint folder. */
    public record RestoreChains(String directory, ActorRef<Reply> replyTo) implements Command {
    }

    public sealed interface Reply extends WorkerProtocol.Command {
    }

    public record ChainStates(int[] examples, Tensor states) implements Reply {
    }

    public record ChainsStored(int[] examples) implements Reply {
    }

    public record ChainsSnapshotted(String directory, int firstExample, int exampleCount) implements Reply {
    }

    /** {@code reinitialised}: chains missing from the snapshot, started afresh instead (counted in the metrics). */
    public record ChainsRestored(String directory, int reinitialised) implements Reply {
    }

    public record ChainsRefused(String reason) implements Reply {
    }
}
