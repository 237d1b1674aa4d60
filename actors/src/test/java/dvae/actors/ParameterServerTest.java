package dvae.actors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import dvae.actors.ParameterServer.StalenessPolicy;
import dvae.cli.Settings;
import dvae.cli.SettingsLoader;
import dvae.math.BadInputException;
import dvae.math.train.CheckpointWriter;
import dvae.protocols.ParameterServerProtocol.Ack;
import dvae.protocols.ParameterServerProtocol.Checkpoint;
import dvae.protocols.ParameterServerProtocol.CheckpointFailed;
import dvae.protocols.ParameterServerProtocol.CheckpointReply;
import dvae.protocols.ParameterServerProtocol.CheckpointWritten;
import dvae.protocols.ParameterServerProtocol.Command;
import dvae.protocols.ParameterServerProtocol.GetMetrics;
import dvae.protocols.ParameterServerProtocol.Metrics;
import dvae.protocols.ParameterServerProtocol.Parameters;
import dvae.protocols.ParameterServerProtocol.Pull;
import dvae.protocols.ParameterServerProtocol.PushGradient;
import dvae.protocols.ParameterServerProtocol.PushReply;
import dvae.protocols.ParameterServerProtocol.Rejected;
import dvae.protocols.ParameterServerProtocol.Rejected.Reason;
import dvae.protocols.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ParameterServerTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutDown() {
        testKit.shutdownTestKit();
    }

    private final TestProbe<PushReply> replies = testKit.createTestProbe();

    private static ParameterServer.Config config(int maxStaleness, StalenessPolicy policy, int creditWindow) {
        return new ParameterServer.Config(maxStaleness, policy, creditWindow,
                ParameterServer.Config.from(new Settings(testKit.system().settings().config())).mathDispatcher());
    }

    private static ActorRef<Command> server(ParameterServer.Config config, SgdApplier applier, long version,
                                            float... parameters) {
        return testKit.spawn(ParameterServer.create(config, parameters, version, applier, (dir, v, p) -> {
        }));
    }

    private PushGradient push(String worker, long seq, long computedAt, float... gradient) {
        return new PushGradient(worker, seq, computedAt, 1.0, Tensor.ofFloats(gradient, gradient.length), replies.ref());
    }

    private static Parameters pull(ActorRef<Command> server) {
        TestProbe<Parameters> probe = testKit.createTestProbe();
        server.tell(new Pull(probe.ref(), null));
        return probe.receiveMessage();
    }

    private static Metrics metrics(ActorRef<Command> server) {
        TestProbe<Metrics> probe = testKit.createTestProbe();
        server.tell(new GetMetrics(probe.ref()));
        return probe.receiveMessage();
    }

    @Test
    void readsItsSettingsFromTheConfigurationAndRefusesAnUnknownPolicy() {
        ParameterServer.Config defaults = ParameterServer.Config.from(
                new Settings(SettingsLoader.load(null, List.of())));
        assertEquals(new ParameterServer.Config(4, StalenessPolicy.DROP, 2, "dvae.actors.dispatchers.math"), defaults);
        assertEquals(StalenessPolicy.DOWN_WEIGHT, ParameterServer.Config.from(new Settings(SettingsLoader.load(null,
                List.of("dvae.actors.parameter-server.staleness-policy=down-weight")))).policy());
        assertThrows(BadInputException.class, () -> ParameterServer.Config.from(new Settings(SettingsLoader.load(null,
                List.of("dvae.actors.parameter-server.staleness-policy=ignore")))));
    }

    @Test
    void eachAppliedGradientRaisesTheVersionByOneAndPullsSeeTheNewParameters() {
        SgdApplier sgd = SgdApplier.ungated();
        ActorRef<Command> server = server(config(4, StalenessPolicy.DROP, 2), sgd, 10, 0f, 0f, 0f);
        Parameters start = pull(server);
        assertEquals(10, start.version());
        assertArrayEquals(new float[3], start.values().toFloats());

        server.tell(push("a", 1, 10, 1f, 2f, 3f));
        replies.expectMessage(new Ack("a", 1, 11, 1f, false));
        server.tell(push("b", 1, 11, 1f, 1f, 1f));
        replies.expectMessage(new Ack("b", 1, 12, 1f, false));

        Parameters after = pull(server);
        assertEquals(12, after.version());
        assertArrayEquals(new float[] {-2f, -3f, -4f}, after.values().toFloats());
        assertEquals(List.of(new SgdApplier.Call(11, 1f), new SgdApplier.Call(12, 1f)), sgd.calls);
        assertEquals(new Metrics(12, 2, 0, 0, 0, 0, 0, 0, 0), metrics(server));
    }

    @Test
    void dropPolicyAppliesGradientsUpToTheStalenessLimitAndDropsStalerOnes() {
        ActorRef<Command> server = server(config(1, StalenessPolicy.DROP, 2), SgdApplier.ungated(), 0, 0f);
        server.tell(push("a", 1, 0, 1f));
        replies.expectMessage(new Ack("a", 1, 1, 1f, false));
        server.tell(push("a", 2, 0, 1f)); // 1 behind: at the limit, full step
        replies.expectMessage(new Ack("a", 2, 2, 1f, false));
        server.tell(push("a", 3, 0, 1f)); // 2 behind: dropped
        Rejected stale = replies.expectMessageClass(Rejected.class);
        assertEquals(Reason.STALE, stale.reason());
        assertEquals(3, stale.seq());

        assertArrayEquals(new float[] {-2f}, pull(server).values().toFloats());
        assertEquals(new Metrics(2, 2, 0, 1, 0, 0, 0, 0, 0), metrics(server));
    }

    @Test
    void downWeightPolicyScalesTheStepByOneOverOnePlusStalenessAndStillDropsBeyondTheLimit() {
        SgdApplier sgd = SgdApplier.ungated();
        ActorRef<Command> server = server(config(2, StalenessPolicy.DOWN_WEIGHT, 2), sgd, 0, 0f);
        server.tell(push("a", 1, 0, 1f));
        replies.expectMessage(new Ack("a", 1, 1, 1f, false));
        server.tell(push("a", 2, 0, 1f));
        replies.expectMessage(new Ack("a", 2, 2, 0.5f, false));
        server.tell(push("a", 3, 0, 3f));
        replies.expectMessage(new Ack("a", 3, 3, 1f / 3, false));
        server.tell(push("a", 4, 0, 1f));
        assertEquals(Reason.STALE, replies.expectMessageClass(Rejected.class).reason());

        assertArrayEquals(new float[] {-2.5f}, pull(server).values().toFloats(), 1e-6f);
        assertEquals(List.of(0.5f, 1f / 3), sgd.calls.stream().skip(1).map(SgdApplier.Call::stepScale).toList());
        assertEquals(new Metrics(3, 3, 2, 1, 0, 0, 0, 0, 0), metrics(server));
    }

    @Test
    void aWorkerWithItsCreditWindowOfPushesWaitingIsRejectedUntilOneIsAcknowledged() {
        SgdApplier sgd = SgdApplier.gated();
        ActorRef<Command> server = server(config(10, StalenessPolicy.DROP, 2), sgd, 0, 0f);
        server.tell(push("a", 1, 0, 1f)); // being applied (held at the gate)
        server.tell(push("a", 2, 0, 1f)); // waiting
        server.tell(push("a", 3, 0, 1f)); // beyond the window of 2
        Rejected refused = replies.expectMessageClass(Rejected.class);
        assertEquals(Reason.NO_CREDIT, refused.reason());
        assertEquals(3, refused.seq());
        server.tell(push("b", 1, 0, 1f)); // the window is per worker
        replies.expectNoMessage(java.time.Duration.ofMillis(200));

        sgd.openGate();
        replies.expectMessage(new Ack("a", 1, 1, 1f, false));
        replies.expectMessage(new Ack("a", 2, 2, 1f, false));
        replies.expectMessage(new Ack("b", 1, 3, 1f, false));
        server.tell(push("a", 3, 0, 1f)); // the retry is accepted now
        replies.expectMessage(new Ack("a", 3, 4, 1f, false));
        assertEquals(new Metrics(4, 4, 0, 0, 0, 1, 0, 0, 0), metrics(server));
    }

    @Test
    void aRepeatedPushIsAcknowledgedAsDuplicateAndAppliedOnlyOnce() {
        SgdApplier sgd = SgdApplier.gated();
        ActorRef<Command> server = server(config(10, StalenessPolicy.DROP, 2), sgd, 0, 0f);
        server.tell(push("a", 5, 0, 1f));
        server.tell(push("a", 5, 0, 1f)); // still waiting: acknowledged as a duplicate at once
        replies.expectMessage(new Ack("a", 5, 0, 0f, true));
        sgd.openGate();
        replies.expectMessage(new Ack("a", 5, 1, 1f, false));
        server.tell(push("a", 5, 0, 1f)); // settled
        replies.expectMessage(new Ack("a", 5, 1, 0f, true));
        server.tell(push("a", 4, 0, 1f)); // older than a settled one
        replies.expectMessage(new Ack("a", 4, 1, 0f, true));

        assertArrayEquals(new float[] {-1f}, pull(server).values().toFloats());
        assertEquals(1, sgd.calls.size());
        assertEquals(new Metrics(1, 1, 0, 0, 3, 0, 0, 0, 0), metrics(server));
    }

    @Test
    void malformedAndNonFiniteGradientsAreRejectedAndLeaveTheParametersAlone() {
        ActorRef<Command> server = server(config(10, StalenessPolicy.DROP, 2), SgdApplier.ungated(), 0, 0f, 0f);
        server.tell(push("a", 1, 0, 1f)); // wrong length
        assertEquals(Reason.MALFORMED, replies.expectMessageClass(Rejected.class).reason());
        server.tell(push("a", 2, 3, 1f, 1f)); // a version the server has not reached
        assertEquals(Reason.MALFORMED, replies.expectMessageClass(Rejected.class).reason());
        server.tell(push("a", 3, 0, 1f, Float.NaN));
        assertEquals(Reason.NON_FINITE, replies.expectMessageClass(Rejected.class).reason());
        server.tell(push("a", 3, 0, 1f, Float.NaN)); // settled: not tried again
        replies.expectMessage(new Ack("a", 3, 0, 0f, true));

        Parameters now = pull(server);
        assertEquals(0, now.version());
        assertArrayEquals(new float[2], now.values().toFloats());
        assertEquals(new Metrics(0, 0, 0, 0, 1, 0, 2, 1, 0), metrics(server));
    }

    @Test
    void aCheckpointIsWrittenAfterThePushesQueuedBeforeItAndAFailureIsReported() {
        record Written(Path directory, long version, float[] parameters) {
        }
        List<Written> written = new CopyOnWriteArrayList<>();
        CheckpointWriter writer = (dir, version, parameters) -> {
            if (dir.toString().contains("broken")) {
                throw new IOException("disk full");
            }
            written.add(new Written(dir, version, parameters.clone()));
        };
        SgdApplier sgd = SgdApplier.gated();
        ActorRef<Command> server = testKit.spawn(ParameterServer.create(config(10, StalenessPolicy.DROP, 2),
                new float[] {1f}, 0, sgd, writer));
        TestProbe<CheckpointReply> done = testKit.createTestProbe();
        server.tell(push("a", 1, 0, 1f));
        server.tell(new Checkpoint("/ckpt/step-1", done.ref()));
        done.expectNoMessage(java.time.Duration.ofMillis(200));
        sgd.openGate();
        replies.expectMessage(new Ack("a", 1, 1, 1f, false));
        done.expectMessage(new CheckpointWritten("/ckpt/step-1", 1));
        assertEquals(1, written.size());
        assertEquals(Path.of("/ckpt/step-1"), written.get(0).directory());
        assertEquals(1, written.get(0).version());
        assertArrayEquals(new float[] {0f}, written.get(0).parameters());

        server.tell(new Checkpoint("/ckpt/broken", done.ref()));
        CheckpointFailed failed = done.expectMessageClass(CheckpointFailed.class);
        assertTrue(failed.reason().contains("disk full"), failed.reason());
        assertEquals(1, metrics(server).checkpoints());
    }
}
