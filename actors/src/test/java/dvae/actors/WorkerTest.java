package dvae.actors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.Receptionist;
import dvae.cli.Settings;
import dvae.cli.SettingsLoader;
import dvae.math.BadInputException;
import dvae.math.data.Dataset;
import dvae.math.model.DvaeModel;
import dvae.math.random.RandomStream;
import dvae.math.rbm.ChainStore;
import dvae.math.train.ModelUpdater;
import dvae.math.train.ParameterVector;
import dvae.math.train.TrainConfig;
import dvae.protocols.ChainKeeperProtocol;
import dvae.protocols.ChainKeeperProtocol.ChainStates;
import dvae.protocols.ChainKeeperProtocol.ChainsRefused;
import dvae.protocols.ChainKeeperProtocol.ChainsStored;
import dvae.protocols.ChainKeeperProtocol.FetchChains;
import dvae.protocols.ChainKeeperProtocol.StoreChains;
import dvae.protocols.ParameterServerProtocol;
import dvae.protocols.ParameterServerProtocol.Ack;
import dvae.protocols.ParameterServerProtocol.OptimizerMoments;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A worker among probes standing in for the parameter server, one sampler and one chain keeper. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WorkerTest {
    private static final Dataset DATA = TinyTraining.data(40);
    private static final int[] BATCH = {3, 1, 4, 15, 9};
    private static final TrainConfig TRAINING = TinyTraining.training(10, 10, "pcd");
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
        return worker(id, maxAge, 1);
    }

    private ActorRef<WorkerProtocol.Command> worker(String id, int maxAge, int pipelineDepth) {
        return worker(id, maxAge, pipelineDepth, Worker.LocalUpdates.OFF);
    }

    /** The replica of the last worker made: its model, which with local updates it updates as the server would. */
    private DvaeModel replica;

    private ActorRef<WorkerProtocol.Command> worker(String id, int maxAge, int pipelineDepth,
                                                    Worker.LocalUpdates localUpdates) {
        register(ParameterServerProtocol.SERVICE_KEY, server.ref());
        register(SamplerProtocol.SERVICE_KEY, sampler.ref());
        register(ChainKeeperProtocol.shardKey(0), keeper.ref());
        ChainStore scratch = new ChainStore(DATA.trainSize(), 1, TinyTraining.model().side1(), 0);
        replica = new DvaeModel(TinyTraining.model(), DATA.meanPixel(), scratch, new RandomStream(2));
        ActorRef<WorkerProtocol.Command> w = testKit.spawn(Worker.create(id, new Worker.Config(maxAge, pipelineDepth,
                localUpdates, 1, 1, Duration.ofSeconds(10), "dvae.actors.dispatchers.math"), new Worker.Resources(
                replica, scratch, DATA, new RandomStream(3), new RandomStream(4), new ModelUpdater(replica,
                TRAINING, DATA.name(), DATA.meanPixel()))), id);
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
                Tensor.ofFloats(parameters, parameters.length), false));
    }

    /** Answers the chain fetch and the sample request of a step computed at {@code version}. */
    private void answerInputs(long version) {
        answerFetch();
        answerSample(version);
    }

    private void answerFetch() {
        FetchChains fetch = keeper.expectMessageClass(FetchChains.class);
        assertArrayEquals(BATCH, fetch.examples());
        long[] words = new long[BATCH.length * chains.wordsPerExample()];
        for (int i = 0; i < BATCH.length; i++) {
            chains.readWords(BATCH[i], words, i * chains.wordsPerExample());
        }
        fetch.replyTo().tell(new ChainStates(BATCH, Tensor.ofLongs(words, BATCH.length, chains.wordsPerExample())));
    }

    private void answerSample(long version) {
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

    /** A step's chain write-back and push, both not yet answered. */
    private record Pushed(StoreChains store, PushGradient push) {
    }

    /** Answers the inputs of a step computed at {@code version} and takes its write-back and push. */
    private Pushed computedAt(long version) {
        answerInputs(version);
        return new Pushed(keeper.expectMessageClass(StoreChains.class, Duration.ofSeconds(10)),
                server.expectMessageClass(PushGradient.class));
    }

    /** Three batches to a worker with a pipeline of two: the first two steps computed at version 0 and pushed. */
    private Pushed[] twoStepsPipelined(ActorRef<WorkerProtocol.Command> w) {
        w.tell(batch(0));
        w.tell(batch(1));
        w.tell(batch(2));
        answerPull(0);
        return new Pushed[] {computedAt(0), computedAt(0)};
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

    @Test
    void withAPipelineOfTwoTheNextStepComputesWhileThePushIsAppliedAtTheVersionBeforeIt() {
        // Step 0 unacknowledged, yet step 1 starts at once, at the same version (no pull: nothing newer is known).
        Pushed[] steps = twoStepsPipelined(worker("w-pipe", 0, 2));
        StoreChains store0 = steps[0].store();
        PushGradient push0 = steps[0].push();
        StoreChains store1 = steps[1].store();
        PushGradient push1 = steps[1].push();
        assertEquals(0, push0.computedAtVersion());
        assertEquals(0, push1.computedAtVersion());
        assertEquals(push0.seq() + 1, push1.seq());
        // Step 1's chains are on their way back, so step 2's are fetched ahead (the keeper serves them after the
        // write-back); but two steps unacknowledged fill the pipeline: step 2 waits to compute.
        answerFetch();
        sampler.expectNoMessage(Duration.ofMillis(300));
        outcomes.expectNoMessage(Duration.ZERO);

        // Step 0 settles: its outcome goes out, and the parameters it produced are fetched for step 2.
        store0.replyTo().tell(new ChainsStored(BATCH));
        push0.replyTo().tell(new Ack(push0.workerId(), push0.seq(), 1, 1f, false));
        BatchTrained trained0 = outcomes.expectMessageClass(BatchTrained.class);
        assertEquals(0, trained0.step());
        assertEquals(push0.seq(), trained0.seq());
        answerPull(1);
        answerSample(1); // its chains came ahead
        PushGradient push2 = server.expectMessageClass(PushGradient.class, Duration.ofSeconds(10));
        assertEquals(1, push2.computedAtVersion());
        // Outcomes come in step order, each naming its own push.
        store1.replyTo().tell(new ChainsStored(BATCH));
        push1.replyTo().tell(new Ack(push1.workerId(), push1.seq(), 2, 1f, false));
        BatchTrained trained1 = outcomes.expectMessageClass(BatchTrained.class);
        assertEquals(1, trained1.step());
        assertEquals(push1.seq(), trained1.seq());
        server.expectMessageClass(Pull.class); // the prefetch behind push 1, for a step 3
        keeper.expectMessageClass(StoreChains.class).replyTo().tell(new ChainsStored(BATCH));
        push2.replyTo().tell(new Ack(push2.workerId(), push2.seq(), 3, 1f, false));
        assertEquals(2, outcomes.expectMessageClass(BatchTrained.class).step());
    }

    @Test
    void aPipelineDeeperThanTheServersCreditWindowIsRefusedNamingTheKeys() {
        BadInputException e = assertThrows(BadInputException.class, () -> Worker.Config.from(new Settings(
                SettingsLoader.load(null, List.of("dvae.actors.worker.pipeline-depth=2",
                        "dvae.actors.parameter-server.credit-window=1")))));
        assertTrue(e.getMessage().contains("dvae.actors.worker.pipeline-depth")
                && e.getMessage().contains("credit-window"), e.getMessage());
    }

    @Test
    void withLocalUpdatesTheWorkerTakesTheServersNextVersionItselfAndPullsWhenOthersInterleave() {
        ActorRef<WorkerProtocol.Command> w = worker("w-local", 0, 1, Worker.LocalUpdates.ON);
        w.tell(batch(0));
        // The first pull asks for the optimizer state: parameters, then both moments (a fresh Adam: zeros).
        Pull pull = server.expectMessageClass(Pull.class);
        assertTrue(pull.momentsTo() != null);
        float[] zeros = new float[parameters.length];
        pull.replyTo().tell(new Parameters(0, Tensor.ofFloats(parameters, parameters.length), true));
        pull.momentsTo().tell(new OptimizerMoments(0, 0, 1, Tensor.ofFloats(zeros, zeros.length)));
        pull.momentsTo().tell(new OptimizerMoments(0, 0, 2, Tensor.ofFloats(zeros, zeros.length)));
        answerInputs(0);
        keeper.expectMessageClass(StoreChains.class, Duration.ofSeconds(10)).replyTo().tell(new ChainsStored(BATCH));
        PushGradient push = server.expectMessageClass(PushGradient.class);
        assertEquals(0, push.computedAtVersion());

        // The replica now holds what the server's update rule makes of this push, bit for bit.
        DvaeModel serverModel = new DvaeModel(TinyTraining.model(), DATA.meanPixel(), null, new RandomStream(9));
        float[] serverParameters = parameters.clone();
        ModelUpdater serverUpdater = new ModelUpdater(serverModel, TRAINING, DATA.name(), DATA.meanPixel());
        serverUpdater.apply(serverParameters, push.gradient().floats(), push.learningRate(), 1f, 1);
        serverUpdater.writeBack(serverParameters);
        assertArrayEquals(serverParameters, ParameterVector.values(replica.params()));

        // Acknowledged as expected: the next step computes at version 1 without a pull.
        push.replyTo().tell(new Ack(push.workerId(), push.seq(), 1, 1f, false));
        outcomes.expectMessageClass(BatchTrained.class);
        w.tell(batch(1));
        answerInputs(1);
        keeper.expectMessageClass(StoreChains.class, Duration.ofSeconds(10)).replyTo().tell(new ChainsStored(BATCH));
        PushGradient second = server.expectMessageClass(PushGradient.class);
        assertEquals(1, second.computedAtVersion());
        // Another worker's push came first (version 3, not 2): the next step pulls, plain parameters from now on.
        second.replyTo().tell(new Ack(second.workerId(), second.seq(), 3, 1f, false));
        outcomes.expectMessageClass(BatchTrained.class);
        w.tell(batch(2));
        Pull again = server.expectMessageClass(Pull.class);
        assertEquals(null, again.momentsTo());
        again.replyTo().tell(new Parameters(3, Tensor.ofFloats(parameters, parameters.length), false));
        answerInputs(3);
        assertEquals(3, acknowledge(4).computedAtVersion());
        assertEquals(2, outcomes.expectMessageClass(BatchTrained.class).step());
    }

    @Test
    void withLocalUpdatesAndTheNextBatchQueuedTheNextPriorSampleIsAskedForDuringTheUpdate() {
        ActorRef<WorkerProtocol.Command> w = worker("w-ahead", 0, 1, Worker.LocalUpdates.ON);
        w.tell(batch(0));
        w.tell(batch(1)); // queued while step 0 computes: its sample may be asked for ahead
        Pull pull = server.expectMessageClass(Pull.class);
        float[] zeros = new float[parameters.length];
        pull.replyTo().tell(new Parameters(0, Tensor.ofFloats(parameters, parameters.length), true));
        pull.momentsTo().tell(new OptimizerMoments(0, 0, 1, Tensor.ofFloats(zeros, zeros.length)));
        pull.momentsTo().tell(new OptimizerMoments(0, 0, 2, Tensor.ofFloats(zeros, zeros.length)));
        answerInputs(0);
        // Step 0's update asks for version 1's estimate, at the prior the update makes, before the push goes out.
        Sample ahead = sampler.expectMessageClass(Sample.class, Duration.ofSeconds(10));
        assertEquals(1, ahead.version());
        int n = TinyTraining.model().side1();
        ahead.replyTo().tell(new Estimate("sampler-0", 1, 50, Tensor.ofDoubles(new double[n], n),
                Tensor.ofDoubles(new double[n], n), Tensor.ofDoubles(new double[n * n], n, n), 7.25, 0.9));
        assertEquals(0, acknowledge(1).computedAtVersion());
        assertArrayEquals(Sampler.priorTensor(replica.prior().asRbm()).toFloats(), ahead.prior().toFloats());
        assertEquals(0, outcomes.expectMessageClass(BatchTrained.class).step());

        // Step 1 computes at version 1 with the estimate that came early, asking the sampler nothing more (no batch
        // after it is queued, so nothing ahead either).
        answerFetch();
        PushGradient second = acknowledge(2);
        assertEquals(1, second.computedAtVersion());
        BatchTrained trained = outcomes.expectMessageClass(BatchTrained.class);
        assertEquals(1, trained.step());
        assertEquals(7.25, trained.priorLogZ());
        sampler.expectNoMessage(Duration.ofMillis(200));
    }

    @Test
    void anEstimateTaggedWithANewerVersionServesTheStep() {
        // A sampler answers every request at or below its newest version with its latest estimate, so where another
        // worker asked for a newer version, the answer carries that version's tag.
        ActorRef<WorkerProtocol.Command> w = worker("w-newer", 0);
        w.tell(batch(0));
        answerPull(0);
        answerFetch();
        Sample sample = sampler.expectMessageClass(Sample.class);
        assertEquals(0, sample.version());
        int n = TinyTraining.model().side1();
        sample.replyTo().tell(new Estimate("sampler-0", 3, 50, Tensor.ofDoubles(new double[n], n),
                Tensor.ofDoubles(new double[n], n), Tensor.ofDoubles(new double[n * n], n, n), 4.5, 0.9));
        assertEquals(0, acknowledge(1).computedAtVersion());
        assertEquals(4.5, outcomes.expectMessageClass(BatchTrained.class).priorLogZ());
    }

    @Test
    void withLocalUpdatesOnAutoAWorkerBesideItsServerPullsPlainParameters() {
        ActorRef<WorkerProtocol.Command> w = worker("w-auto", 0, 1, Worker.LocalUpdates.AUTO);
        w.tell(batch(0));
        assertEquals(null, server.expectMessageClass(Pull.class).momentsTo()); // the server is in this JVM
    }

    @Test
    void anUnknownLocalUpdatesSettingIsRefusedNamingTheKey() {
        BadInputException e = assertThrows(BadInputException.class, () -> Worker.Config.from(new Settings(
                SettingsLoader.load(null, List.of("dvae.actors.worker.local-updates=sometimes")))));
        assertTrue(e.getMessage().startsWith("dvae.actors.worker.local-updates: expected on, off or auto"),
                e.getMessage());
    }

    @Test
    void chainsOfAQueuedBatchAreFetchedAheadUnlessItSharesExamplesWithTheStepBeforeIt() {
        ActorRef<WorkerProtocol.Command> w = worker("w-ahead", 0, 1);
        int[] disjoint = {20, 21, 22};
        int[] overlapping = {20, 3};
        w.tell(batch(0));
        w.tell(new TrainBatch(1, disjoint, 0.5, 1e-3, outcomes.ref()));
        w.tell(new TrainBatch(2, overlapping, 0.5, 1e-3, outcomes.ref()));
        // Step 1 shares nothing with step 0: its chains are asked for at once. Step 2 shares example 20 with step 1
        // (and 3 with step 0), whose chains are not back yet: it waits for its turn.
        assertArrayEquals(disjoint, keeper.expectMessageClass(FetchChains.class).examples());
        keeper.expectNoMessage(Duration.ofMillis(200));
        answerPull(0);
        answerInputs(0); // step 0's own fetch
        assertEquals(0, acknowledge(1).computedAtVersion());
        outcomes.expectMessageClass(BatchTrained.class);
    }

    @Test
    void onceAnotherWorkersPushComesBetweenTwoOfItsOwnAPipelinedWorkerComputesOneStepAtATime() {
        Pushed[] steps = twoStepsPipelined(worker("w-others", 0, 2));
        StoreChains store0 = steps[0].store();
        PushGradient push0 = steps[0].push();
        StoreChains store1 = steps[1].store();
        PushGradient push1 = steps[1].push();
        answerFetch(); // step 2's chains, fetched ahead
        // Push 0 made version 3, not 1: two pushes of others came first.
        store0.replyTo().tell(new ChainsStored(BATCH));
        push0.replyTo().tell(new Ack(push0.workerId(), push0.seq(), 3, 1f, false));
        assertEquals(0, outcomes.expectMessageClass(BatchTrained.class).step());
        // Step 2 waits for step 1 to settle, and asks for nothing meanwhile.
        sampler.expectNoMessage(Duration.ofMillis(300));
        server.expectNoMessage(Duration.ZERO);
        store1.replyTo().tell(new ChainsStored(BATCH));
        push1.replyTo().tell(new Ack(push1.workerId(), push1.seq(), 4, 1f, false));
        assertEquals(1, outcomes.expectMessageClass(BatchTrained.class).step());
        answerPull(4); // the server is 4 ahead: the step pulls first
        answerSample(4);
        assertEquals(4, acknowledge(5).computedAtVersion());
        assertEquals(2, outcomes.expectMessageClass(BatchTrained.class).step());
    }
}
