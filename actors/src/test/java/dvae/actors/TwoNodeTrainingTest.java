package dvae.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorSystem;
import akka.cluster.ClusterEvent.MemberEvent;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dvae.cli.Settings;
import dvae.math.data.Dataset;
import dvae.math.run.MetricsLog;
import dvae.math.run.RunDirectory;
import dvae.math.train.Trainer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two cluster nodes in one JVM on 127.0.0.1: the server node (parameter server, chain keeper, sampler,
 * coordinator) and a worker node with two workers, so every parameter pull, gradient push, chain transfer and prior
 * estimate crosses Artery. A tiny model trains to the end.
 */
class TwoNodeTrainingTest {

    private static Config node(String roles) {
        return ConfigFactory.parseString("akka.actor.provider = cluster\nakka.cluster.roles = [" + roles + "]\n"
                + "dvae.actors.workers = 2").withFallback(ConfigFactory.load("application-test"));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aTinyModelTrainsToTheEndAcrossTwoNodes(@TempDir Path dir) throws Exception {
        Dataset data = TinyTraining.data(200);
        TrainingRoles.Training training = new TrainingRoles.Training(TinyTraining.model(),
                TinyTraining.training(40, 20, "pa"), data);
        Config serverConfig = node("parameter-server, chain-keeper, sampler, coordinator");
        TrainingRoles.Topology topology = TrainingRoles.Topology.from(new Settings(serverConfig), 2);
        CompletableFuture<Trainer.Summary> done = new CompletableFuture<>();
        RunDirectory run = RunDirectory.create(dir.resolve("run"), "x");
        Coordinator.Run coordinatorRun = new Coordinator.Run(training.model(), training.config(), data, run,
                new Trainer.Listener() {
                }, done);
        ActorSystem<MemberEvent> serverNode = ActorSystem.create(Guardian.create(TrainingRoles.children(training,
                topology, "n0-", coordinatorRun)), "dvae", serverConfig);
        ActorSystem<MemberEvent> workerNode = ActorSystem.create(Guardian.create(TrainingRoles.children(training,
                topology, "n1-", null)), "dvae", node("worker"));
        try {
            Cluster.get(serverNode).manager().tell(Join.create(Cluster.get(serverNode).selfMember().address()));
            Cluster.get(workerNode).manager().tell(Join.create(Cluster.get(serverNode).selfMember().address()));
            Trainer.Summary summary = done.get(50, TimeUnit.SECONDS);
            assertEquals(40, summary.steps());
            assertEquals(0, summary.skippedSteps());
            assertTrue(Double.isFinite(summary.lastLoss()));
            List<Double> losses = TinyTraining.losses(run.metricsFile());
            assertEquals(40, losses.size());
            assertTrue(losses.stream().allMatch(Double::isFinite));
            assertEquals(2, MetricsLog.read(run.metricsFile()).stream().filter(m -> m.containsKey("valid_loss"))
                    .count());
        } finally {
            ActorTestKit.shutdown(workerNode, Duration.ofSeconds(15));
            ActorTestKit.shutdown(serverNode, Duration.ofSeconds(15));
        }
    }
}
