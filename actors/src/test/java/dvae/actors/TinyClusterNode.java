package dvae.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dvae.cli.Settings;
import dvae.math.train.Trainer;
import java.util.List;

/**
 * A worker node of the tiny run, in a JVM of its own (started by {@link ThreeJvmClusterTest} on the test
 * classpath): {@code TinyClusterNode SEED_PORT INDEX ITERATIONS}. Runs until it is killed.
 */
public final class TinyClusterNode {
    private TinyClusterNode() {
    }

    /** The settings every node of the tiny cluster shares: loopback, quick failure detection and downing. */
    static Config config(int seedPort) {
        return ConfigFactory.parseString("""
                dvae.cluster.seed-port = %d
                akka.cluster.seed-nodes = ["akka://dvae@127.0.0.1:%d"]
                akka.cluster.failure-detector.acceptable-heartbeat-pause = 5 s
                akka.cluster.split-brain-resolver.stable-after = 2 s
                dvae.actors.worker.step-timeout = 10 s
                dvae.actors.coordinator.batch-timeout = 15 s
                """.formatted(seedPort, seedPort)).withFallback(ConfigFactory.load("application-test")).resolve();
    }

    static TrainingRoles.Training training(long iterations) {
        return new TrainingRoles.Training(TinyTraining.model(), TinyTraining.training(iterations, iterations, "pa"),
                TinyTraining.data(200));
    }

    public static void main(String[] args) {
        int seedPort = Integer.parseInt(args[0]);
        int index = Integer.parseInt(args[1]);
        Config config = config(seedPort);
        TrainingNode node = TrainingNode.start(config, "dvae", 0, List.of(TrainingRoles.WORKER), "n" + index + "-",
                training(Long.parseLong(args[2])), TrainingRoles.Topology.from(new Settings(config), 1), null,
                new Trainer.Listener() {
                });
        node.system().getWhenTerminated().toCompletableFuture().join();
    }
}
