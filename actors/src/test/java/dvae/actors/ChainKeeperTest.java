package dvae.actors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
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
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChainKeeperTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutDown() {
        testKit.shutdownTestKit();
    }

    private final TestProbe<Reply> replies = testKit.createTestProbe();
    // Examples 10..14, two words each; example e starts as {100 e, 100 e + 1}.
    private final ActorRef<Command> keeper = testKit.spawn(ChainKeeper.create(new InMemoryChainShard(10, 5, 2)));

    private long[] fetch(int... examples) {
        keeper.tell(new FetchChains(examples, replies.ref()));
        ChainStates states = replies.expectMessageClass(ChainStates.class);
        assertArrayEquals(examples, states.examples());
        assertArrayEquals(new int[] {examples.length, 2}, states.states().shape());
        return states.states().toLongs();
    }

    private Reply store(int[] examples, Tensor states) {
        keeper.tell(new StoreChains(examples, states, replies.ref()));
        return replies.receiveMessage();
    }

    @Test
    void handsOutTheStatesOfTheRequestedExamplesInRequestOrder() {
        assertArrayEquals(new long[] {1400, 1401, 1000, 1001}, fetch(14, 10));
        assertArrayEquals(new long[0], fetch());
    }

    @Test
    void takesBackUpdatedStatesAndHandsThoseOutNext() {
        Reply stored = store(new int[] {11, 13}, Tensor.ofLongs(new long[] {7, 8, -1, Long.MIN_VALUE}, 2, 2));
        assertArrayEquals(new int[] {11, 13}, ((ChainsStored) stored).examples());
        assertArrayEquals(new long[] {1000, 1001, 7, 8, 1200, 1201, -1, Long.MIN_VALUE}, fetch(10, 11, 12, 13));
    }

    @Test
    void refusesStatesOfTheWrongShapeAndKeepsTheOldOnes() {
        assertTrue(store(new int[] {11}, Tensor.ofLongs(new long[] {1, 2, 3}, 1, 3)) instanceof ChainsRefused);
        assertTrue(store(new int[] {11}, Tensor.ofFloats(new float[] {1, 2}, 1, 2)) instanceof ChainsRefused);
        assertArrayEquals(new long[] {1100, 1101}, fetch(11));
    }

    @Test
    void refusesARequestNamingAnExampleOutsideItsRange() {
        keeper.tell(new FetchChains(new int[] {10, 9}, replies.ref()));
        assertEquals(new ChainsRefused("example 9 is outside this keeper's range [10, 15)"), replies.receiveMessage());
        keeper.tell(new FetchChains(new int[] {15}, replies.ref()));
        assertTrue(replies.expectMessageClass(ChainsRefused.class).reason().contains("example 15"));
        Reply refused = store(new int[] {12, 20}, Tensor.ofLongs(new long[4], 2, 2));
        assertTrue(((ChainsRefused) refused).reason().contains("example 20"));
        assertArrayEquals(new long[] {1200, 1201}, fetch(12)); // nothing of the refused request was stored
    }

    @Test
    void restoresTheStatesOfItsLastSnapshot(@TempDir Path checkpoint) {
        keeper.tell(new SnapshotChains(checkpoint.toString(), replies.ref()));
        replies.expectMessage(new ChainsSnapshotted(checkpoint.toString(), 10, 5));
        store(new int[] {10, 14}, Tensor.ofLongs(new long[] {1, 2, 3, 4}, 2, 2));
        assertArrayEquals(new long[] {1, 2, 3, 4}, fetch(10, 14));

        keeper.tell(new RestoreChains(checkpoint.toString(), replies.ref()));
        replies.expectMessage(new ChainsRestored(checkpoint.toString(), 0));
        assertArrayEquals(new long[] {1000, 1001, 1400, 1401}, fetch(10, 14));
    }

    @Test
    void reportsASnapshotThatCannotBeRead(@TempDir Path empty) {
        keeper.tell(new RestoreChains(empty.toString(), replies.ref()));
        assertTrue(replies.expectMessageClass(ChainsRefused.class).reason().startsWith("restore from " + empty));
        assertArrayEquals(new long[] {1000, 1001}, fetch(10));
    }
}
