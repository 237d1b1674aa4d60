package dvae.actors;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import dvae.math.train.ChainShard;
import dvae.protocols.ChainKeeperProtocol.ChainStates;
import dvae.protocols.ChainKeeperProtocol.ChainsRefused;
import dvae.protocols.ChainKeeperProtocol.ChainsRestored;
import dvae.protocols.ChainKeeperProtocol.ChainsSnapshotted;
import dvae.protocols.ChainKeeperProtocol.ChainsStored;
import dvae.protocols.ChainKeeperProtocol.Command;
import dvae.protocols.ChainKeeperProtocol.FetchChains;
import dvae.protocols.ChainKeeperProtocol.Reply;
import dvae.protocols.ChainKeeperProtocol.RestoreChains;
import dvae.protocols.ChainKeeperProtocol.SnapshotChains;
import dvae.protocols.ChainKeeperProtocol.StoreChains;
import dvae.protocols.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A chain keeper: serves one {@link ChainShard} of persistent posterior chain states. Copies and file writes of a
 * shard are cheap next to a training step, so it does them in place, on whatever dispatcher it is spawned with.
 */
public final class ChainKeeper {
    private ChainKeeper() {
    }

    public static Behavior<Command> create(ChainShard shard) {
        return Behaviors.receive(Command.class)
                .onMessage(FetchChains.class, m -> {
                    m.replyTo().tell(fetch(shard, m.examples()));
                    return Behaviors.same();
                })
                .onMessage(StoreChains.class, m -> {
                    m.replyTo().tell(store(shard, m));
                    return Behaviors.same();
                })
                .onMessage(SnapshotChains.class, m -> {
                    try {
                        shard.snapshot(Path.of(m.directory()));
                        m.replyTo().tell(new ChainsSnapshotted(m.directory(), shard.firstExample(),
                                shard.exampleCount()));
                    } catch (IOException e) {
                        m.replyTo().tell(new ChainsRefused("snapshot into " + m.directory() + " failed: " + e));
                    }
                    return Behaviors.same();
                })
                .onMessage(RestoreChains.class, m -> {
                    try {
                        m.replyTo().tell(new ChainsRestored(m.directory(), shard.restore(Path.of(m.directory()))));
                    } catch (IOException e) {
                        m.replyTo().tell(new ChainsRefused("restore from " + m.directory() + " failed: " + e));
                    }
                    return Behaviors.same();
                })
                .build();
    }

    private static Reply fetch(ChainShard shard, int[] examples) {
        String outside = outsideRange(shard, examples);
        if (outside != null) {
            return new ChainsRefused(outside);
        }
        int words = shard.wordsPerExample();
        long[] states = new long[examples.length * words];
        for (int i = 0; i < examples.length; i++) {
            shard.read(examples[i], states, i * words);
        }
        return new ChainStates(examples, Tensor.ofLongs(states, examples.length, words));
    }

    private static Reply store(ChainShard shard, StoreChains m) {
        int[] examples = m.examples();
        String outside = outsideRange(shard, examples);
        if (outside != null) {
            return new ChainsRefused(outside);
        }
        int words = shard.wordsPerExample();
        int[] expected = {examples.length, words};
        if (!Arrays.equals(m.states().shape(), expected) || !m.states().holdsLongs(examples.length * words)) {
            return new ChainsRefused("states " + m.states() + " are not int64 of shape " + Arrays.toString(expected));
        }
        long[] states = m.states().toLongs();
        for (int i = 0; i < examples.length; i++) {
            shard.write(examples[i], states, i * words);
        }
        return new ChainsStored(examples);
    }

    /** Null when every example is in the shard's range, else the refusal naming the first one outside. */
    private static String outsideRange(ChainShard shard, int[] examples) {
        int first = shard.firstExample();
        int end = first + shard.exampleCount();
        for (int e : examples) {
            if (e < first || e >= end) {
                return "example " + e + " is outside this keeper's range [" + first + ", " + end + ")";
            }
        }
        return null;
    }
}
