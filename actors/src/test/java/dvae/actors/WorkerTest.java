package dvae.actors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.Receptionist;
import dvae.math.data.Dataset;
import dvae.math.model.DvaeModel;
import dvae.math.random.RandomStream;
import dvae.math.rbm.ChainStore;
import dvae.math.train.ParameterVector;
import dvae.protocols.ChainKeeperProtocol;
import dvae.protocols.ChainKeeperProtocol.ChainStates;
import dvae.protocols.ChainKeeperProtocol.ChainsRefused;
import dvae.protocols.ChainKeeperProtocol.ChainsStored;
import dvae.protocols.ChainKeeperProtocol.FetchChains;
import dvae.protocols.ChainKeeperProtocol.StoreChains;
import dvae.protocols.ParameterServerProtocol;
import dvae.protocols.ParameterServerProtocol.Ack;
import dvae.protocols.ParameterServerProtocol.Parameters;
import dvae.protocols.ParameterServerProtocol.Pull;
import dvae.protocols.ParameterServerProtocol.PushGradient;
import dvae.protocols.ParameterServerProtocol.Rejected;
import dvae.protocols.SamplerProtocol;
import dvae.protocols.SamplerProtocol.Estimate;
import dvae.protocols.SamplerProtocol.Sample;
import dvae.protocols.Tensor;
import dvae.protocols.WorkerProtocol;
import dvae.protocols.WorkerProtocol.BatchFailed;
import dvae.protocols.WorkerProtocol.BatchOutcome;
import dvae.protocols.WorkerProtocol.BatchTrained;
import dvae.protocols.WorkerProtocol.TrainBatch;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A worker among probes standing in for the parameter server, one sampler and one chain keeper. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WorkerTest {
    private static final Dataset DATA = TinyTraining.data(40);
    private static final int[] BATCH = {3, 1, 4, 15, 9};
    // A test kit per test: peers are found by fixed service keys, so each test needs a receptionist of its own.
    private final ActorTestKit testKit = ActorTestKit.create();

    @AfterEach
    void shutDown() {
        testKit.shutdownTestKit();
    }

    private final TestProbe<ParameterServerProtocol.Command> server = testKit.createTestProbe();
    private final TestProbe<SamplerProtocol.Command> sampler = testKit.createTestProbe();
    private final TestProbe<ChainKeeperProtocol.Command> keeper = testKit.createTestProbe();
    private final TestProbe<BatchOutcome> outcomes = testKit.createTestProbe();
    private final ChainStore chains = new ChainStore(DATA.trainSize(), 1, TinyTraining.model().side1(), 7);
    private final float[] parameters = ParameterVector.values(new DvaeModel(TinyTraining.model(), DATA.meanPixel(),
            null, new RandomStream(1)).params());

    /** A worker that may compute at parameters up to {@code maxAge} versions old, once it has found its peers. */
    private ActorRef<WorkerProtocol.Command> worker(String id, int maxAge) {
        register(ParameterServerProtocol.SERVICE_KEY, server.ref());
        register(SamplerProtocol.SERVICE_KEY, sampler.ref());
        register(ChainKeeperProtocol.shardKey(0), keeper.ref());
        ChainStore scratch = new ChainStore(DATA.trainSize(), 1, TinyTraining.model().side1(), 0);
        ActorRef<WorkerProtocol.Command> w = testKit.spawn(Worker.create(id, new Worker.Config(maxAge, 1, 1,
                Duration.ofSeconds(10), "dvae.actors.dispatchers.math"), new Worker.Resources(
                new DvaeModel(TinyTraining.model(), DATA.meanPixel(), scratch, new RandomStream(2)), scratch, DATA,
                new RandomStream(3), new RandomStream(4))), id);
        TestProbe<Receptionist.Listing> listings = testKit.createTestProbe();
        listings.awaitAssert(() -> {
            testKit.system().receptionist().tell(Receptionist.find(WorkerProtocol.SERVICE_KEY, listings.ref()));
            assertTrue(listings.receiveMessage().getServiceInstances(WorkerProtocol.SERVICE_KEY).contains(w));
            return null;
        });
        return w;
    }

    private <T> void register(akka.actor.typed.receptionist.ServiceKey<T> key, ActorRef<T> ref) {
        testKit.system().receptionist().tell(Receptionist.register(key, ref));
    }

    private void answerPull(long version) {
        server.expectMessageClass(Pull.class).replyTo().tell(new Parameters(version,
                Tensor.ofFloats(parameters, parameters.length)));
    }

    /** Answers the chain fetch and the sample request of a step computed at {@code version}. */
    private void answerInputs(long version) {
        FetchChains fetch = keeper.expectMessageClass(FetchChains.class);
        assertArrayEquals(BATCH, fetch.examples());
        long[] words = new long[BATCH.length * chains.wordsPerExample()];
        for (int i = 0; i < BATCH.length; i++) {
            chains.readWords(BATCH[i], words, i * chains.wordsPerExample());
        }
        fetch.replyTo().tell(new ChainStates(BATCH, Tensor.ofLongs(words, BATCH.length, chains.wordsPerExample())));
        Sample sample = sampler.expectMessageClass(Sample.class);
        assertEquals(version, sample.version());
        int n = TinyTraining.model().side1();
        sample.replyTo().tell(new Estimate("sampler-0", version, 50, Tensor.ofDoubles(new double[n], n),
                Tensor.ofDoubles(new double[n], n), Tensor.ofDoubles(new double[n * n], n, n), 3.5, 0.9));
    }

    /** Takes the step's chain write-back and push; acknowledges both, the push as applied at {@code serverAfter}. */
    private PushGradient acknowledge(long serverAfter) {
        StoreChains store = keeper.expectMessageClass(StoreChains.class, Duration.ofSeconds(10));
        assertArrayEquals(BATCH, store.examples());
        store.replyTo().tell(new ChainsStored(BATCH));
        PushGradient push = server.expectMessageClass(PushGradient.class);
        assertTrue(push.gradient().holdsFloats(parameters.length));
        push.replyTo().tell(new Ack(push.workerId(), push.seq(), serverAfter, 1f, false));
        return push;
    }

    private TrainBatch batch(long step) {
        return new TrainBatch(step, BATCH, 0.5, 1e-3, outcomes.ref());
    }

    @Test
    void pullsOnlyWhenTheServerIsMoreThanTheAllowedAgeAhead() {
        ActorRef<WorkerProtocol.Command> w = worker("w-pull", 1);
        // Step 0: no parameters yet, so it pulls (version 0) and pushes seq 1 stamped with version 0.
        w.tell(batch(0));
        answerPull(0);
        answerInputs(0);
        PushGradient first = acknowledge(1);
        assertEquals(1, first.seq());
        assertEquals(0, first.computedAtVersion());
        assertEquals(1e-3, first.learningRate());
        BatchTrained trained = outcomes.expectMessageClass(BatchTrained.class);
        assertEquals(0, trained.step());
        assertEquals(3.5, trained.priorLogZ());
        // Step 1: the server is 1 ahead, within the allowed age: no pull (the server's next message is the push),
        // computed at version 0 again.
        w.tell(batch(1));
        answerInputs(0);
        assertEquals(0, acknowledge(3).computedAtVersion());
        outcomes.expectMessageClass(BatchTrained.class);
        // Step 2: the server is 3 ahead: pull first.
        w.tell(batch(2));
        answerPull(3);
        answerInputs(3);
        PushGradient third = acknowledge(4);
        assertEquals(3, third.seq());
        assertEquals(3, third.computedAtVersion());
        assertEquals(2, outcomes.expectMessageClass(BatchTrained.class).step());
    }

    @Test
    void aStepThatCannotFinishIsReportedFailedAndTheQueuedNextOneRuns() {
        ActorRef<WorkerProtocol.Command> w = worker("w-fail", 0);
        w.tell(batch(0));
        answerPull(0);
        sampler.expectMessageClass(Sample.class); // left unanswered: the refusal ends the step first
        keeper.expectMessageClass(FetchChains.class).replyTo().tell(new ChainsRefused("example 15 is outside"));
        BatchFailed refused = outcomes.expectMessageClass(BatchFailed.class);
        assertEquals(0, refused.step());
        assertFalse(refused.nonFinite());
        assertTrue(refused.reason().contains("example 15 is outside"), refused.reason());

        // A rejected push fails its step too; a batch sent while one runs waits for it, then runs.
        w.tell(batch(1));
        w.tell(batch(2));
        answerInputs(0);
        keeper.expectMessageClass(StoreChains.class, Duration.ofSeconds(10)).replyTo().tell(new ChainsStored(BATCH));
        PushGradient push = server.expectMessageClass(PushGradient.class);
        push.replyTo().tell(new Rejected(push.workerId(), push.seq(), Rejected.Reason.STALE, "too old"));
        BatchFailed stale = outcomes.expectMessageClass(BatchFailed.class);
        assertEquals(1, stale.step());
        assertTrue(stale.reason().contains("STALE"), stale.reason());
        // After a stale rejection the worker pulls before its next step, whatever its age rule says.
        answerPull(7);
        answerInputs(7);
        assertEquals(2, acknowledge(8).seq());
        assertEquals(2, outcomes.expectMessageClass(BatchTrained.class).step());
    }
}
