package dvae.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.receptionist.Receptionist;
import dvae.math.data.Dataset;
import dvae.math.model.DvaeModel;
import dvae.math.random.RandomStream;
import dvae.math.run.MetricsLog;
import dvae.math.run.RandomStates;
import dvae.math.run.RunDirectory;
import dvae.math.train.ParameterVector;
import dvae.math.train.TrainConfig;
import dvae.math.train.Trainer;
import dvae.protocols.ParameterServerProtocol;
import dvae.protocols.ParameterServerProtocol.Checkpoint;
import dvae.protocols.ParameterServerProtocol.CheckpointWritten;
import dvae.protocols.ParameterServerProtocol.Parameters;
import dvae.protocols.ParameterServerProtocol.Pull;
import dvae.protocols.Tensor;
import dvae.protocols.WorkerProtocol;
import dvae.protocols.WorkerProtocol.BatchFailed;
import dvae.protocols.WorkerProtocol.BatchTrained;
import dvae.protocols.WorkerProtocol.SnapshotStreams;
import dvae.protocols.WorkerProtocol.TrainBatch;
import dvae.protocols.WorkerProtocol.WorkerStreams;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The coordinator with a probe as its only worker and another as the parameter server. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CoordinatorTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void handsOutOneBatchPerWorkerValidatesAtTheBarrierAndAccountsForEveryStep(@TempDir Path dir) throws Exception {
        Dataset data = TinyTraining.data(100);
        TrainConfig training = TinyTraining.training(4, 2, "pcd");
        TestProbe<ParameterServerProtocol.Command> server = testKit.createTestProbe();
        TestProbe<WorkerProtocol.Command> worker = testKit.createTestProbe();
        testKit.system().receptionist().tell(Receptionist.register(ParameterServerProtocol.SERVICE_KEY, server.ref()));
        testKit.system().receptionist().tell(Receptionist.register(WorkerProtocol.SERVICE_KEY, worker.ref()));
        CompletableFuture<Trainer.Summary> done = new CompletableFuture<>();
        RunDirectory run = RunDirectory.create(dir.resolve("run"), "x");
        testKit.spawn(Coordinator.create(new Coordinator.Config(1, Duration.ofSeconds(20),
                "dvae.actors.dispatchers.math", 1, 1), new Coordinator.Run(TinyTraining.model(), training, data, run,
                new Trainer.Listener() {
                }, done)));
        float[] parameters = ParameterVector.values(new DvaeModel(TinyTraining.model(), data.meanPixel(), null,
                new RandomStream(1)).params());

        for (long step = 0; step < 4; step++) {
            TrainBatch batch = worker.expectMessageClass(TrainBatch.class, Duration.ofSeconds(10));
            assertEquals(step, batch.step());
            assertEquals(20, batch.examples().length);
            assertEquals(training.warmup(step), batch.lambda());
            worker.expectNoMessage(Duration.ofMillis(50)); // one batch at a time per worker
            batch.replyTo().tell(step == 2
                    ? new BatchFailed("w0", step, "a chain keeper refused", false)
                    : new BatchTrained("w0", step, step + 1, 100 - step, -90, 10, Double.NaN, Double.NaN));
            if (step % 2 == 1) {
                // At the validation step: parameters pulled once nothing is in flight, then a checkpoint.
                server.expectMessageClass(Pull.class).replyTo().tell(new Parameters(step + 1,
                        Tensor.ofFloats(parameters, parameters.length), false));
                Checkpoint checkpoint = server.expectMessageClass(Checkpoint.class, Duration.ofSeconds(10));
                checkpoint.replyTo().tell(new CheckpointWritten(checkpoint.directory(), step + 1));
                // The worker's streams go into the checkpoint too (a resumed run continues them).
                worker.expectMessageClass(SnapshotStreams.class, Duration.ofSeconds(10)).replyTo()
                        .tell(new WorkerStreams("w0", new long[] {1, 2}, new long[] {3, 4}));
            }
        }
        Trainer.Summary summary = done.get(10, TimeUnit.SECONDS);
        assertEquals(4, summary.steps());
        assertEquals(1, summary.skippedSteps());
        assertEquals(97, summary.lastLoss());
        List<Map<String, Object>> lines = MetricsLog.read(run.metricsFile());
        assertEquals(3, lines.stream().filter(m -> m.containsKey("loss") && !m.containsKey("event")).count());
        assertEquals(1, lines.stream().filter(m -> "step failed, skipped".equals(m.get("event"))).count());
        assertEquals(2, lines.stream().filter(m -> m.containsKey("valid_loss")).count());
        Path last = run.checkpointsDir().resolve("step-0000004");
        assertTrue(Files.exists(last.resolve("train.json")));
        assertTrue(Files.exists(last.resolve(Trainer.ORDER_FILE)));
        assertEquals(Set.of("data-order", "validation", "binarize", "noise"),
                RandomStates.read(last.resolve(Trainer.RANDOM_FILE)).keySet());
    }
}
