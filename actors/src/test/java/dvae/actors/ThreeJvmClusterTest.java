package dvae.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import dvae.cli.Settings;
import dvae.math.rbm.ChainStore;
import dvae.math.run.MetricsLog;
import dvae.math.run.RunDirectory;
import dvae.math.train.Trainer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three JVMs on 127.0.0.1: this one is the server node (parameter server, chain keeper, sampler, coordinator), two
 * child JVMs are worker nodes. One worker JVM is killed (SIGKILL) mid-run; the run still finishes, and every step
 * is accounted for: trained, or skipped because its worker died, and every example's chain is in the final
 * checkpoint.
 */
class ThreeJvmClusterTest {
    private static final long ITERATIONS = 150;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Process workerJvm(int seedPort, int index, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--add-modules", "jdk.incubator.vector", "-Xmx384m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), TinyClusterNode.class.getName(),
                String.valueOf(seedPort), String.valueOf(index), String.valueOf(ITERATIONS)));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static long trainedSteps(Path metrics) {
        if (!Files.exists(metrics)) {
            return 0;
        }
        return MetricsLog.read(metrics).stream().filter(m -> m.containsKey("loss") && !m.containsKey("event"))
                .count();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void trainingFinishesWhenAWorkerJvmIsKilledMidRun(@TempDir Path dir) throws Exception {
        int seedPort = freePort();
        Config config = TinyClusterNode.config(seedPort);
        RunDirectory run = RunDirectory.create(dir.resolve("run"), "x");
        TrainingNode server = TrainingNode.start(config, "dvae", seedPort, List.of(TrainingRoles.PARAMETER_SERVER,
                TrainingRoles.CHAIN_KEEPER, TrainingRoles.SAMPLER, TrainingRoles.COORDINATOR), "n0-",
                TinyClusterNode.training(ITERATIONS), TrainingRoles.Topology.from(new Settings(config), 2), run,
                new Trainer.Listener() {
                });
        Process survivor = workerJvm(seedPort, 1, dir.resolve("node-1.log"));
        Process victim = workerJvm(seedPort, 2, dir.resolve("node-2.log"));
        try {
            while (trainedSteps(run.metricsFile()) < ITERATIONS / 4) {
                assertTrue(victim.isAlive() && survivor.isAlive(), "a worker JVM exited early");
                Thread.sleep(100);
            }
            victim.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

            Trainer.Summary summary = server.summary().get(90, TimeUnit.SECONDS);
            List<Map<String, Object>> lines = MetricsLog.read(run.metricsFile());
            long trained = trainedSteps(run.metricsFile());
            long skipped = lines.stream().filter(m -> String.valueOf(m.get("event")).endsWith("skipped")).count();
            assertEquals(ITERATIONS, summary.steps());
            assertEquals(ITERATIONS, trained + skipped, "every step is trained or skipped");
            assertEquals(skipped, summary.skippedSteps());
            // Usually exactly one: the dead worker's batch in flight. On 2 shared cores a busy JVM can miss heartbeats
            // and look gone for a moment, which costs its batch in flight too; bounded, and listed when exceeded.
            assertTrue(skipped >= 1 && skipped <= ITERATIONS / 10, () -> skipped + " skipped: " + lines.stream()
                    .filter(m -> m.containsKey("event")).toList());
            assertEquals(1, lines.stream().filter(m -> "worker left".equals(m.get("event"))).count(),
                    () -> "the coordinator saw the killed worker leave: " + lines.stream()
                            .filter(m -> m.containsKey("event")).toList());
            System.out.printf("three-JVM fault test: %d steps, %d trained, %d skipped (%s), %d s%n", summary.steps(),
                    trained, skipped, lines.stream().filter(m -> String.valueOf(m.get("event")).endsWith("skipped"))
                            .map(m -> m.get("reason")).toList(), summary.seconds());

            // The final checkpoint holds every example's chain (the store restores only complete and intact).
            Path chains = run.checkpointsDir().resolve("step-%07d".formatted(ITERATIONS)).resolve("chains-0-200.bin");
            new ChainStore(200, 1, TinyTraining.model().side1(), 0).restore(chains);
        } finally {
            victim.destroyForcibly();
            survivor.destroy();
            survivor.waitFor(10, TimeUnit.SECONDS);
            survivor.destroyForcibly();
            server.shutdown();
        }
    }
}
