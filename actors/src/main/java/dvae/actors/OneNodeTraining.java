package dvae.actors;

import akka.actor.typed.ActorSystem;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dvae.math.run.RunDirectory;
import dvae.math.train.Trainer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A training run in this JVM: a one-node cluster (on a free loopback port) whose node has every role, so it runs the
 * same code path as many JVMs. Returns when the coordinator has finished, with the actor system shut down.
 */
public final class OneNodeTraining {
    private OneNodeTraining() {
    }

    /**
     * @param base the settings ({@code application.conf} with the run's overrides); the node's port, roles and seed
     *             nodes are set here
     */
    public static Trainer.Summary run(Config base, String systemName, TrainingRoles.Training training,
                                      TrainingRoles.Topology topology, RunDirectory directory,
                                      Trainer.Listener listener) {
        Config config = ConfigFactory.parseMap(Map.of(
                "akka.actor.provider", "cluster",
                "akka.remote.artery.canonical.port", 0,
                "akka.cluster.seed-nodes", List.of(),
                "akka.cluster.roles", List.of(TrainingRoles.PARAMETER_SERVER, TrainingRoles.CHAIN_KEEPER,
                        TrainingRoles.SAMPLER, TrainingRoles.WORKER, TrainingRoles.COORDINATOR)))
                .withFallback(base);
        CompletableFuture<Trainer.Summary> done = new CompletableFuture<>();
        Coordinator.Run run = new Coordinator.Run(training.model(), training.config(), training.data(), directory,
                listener, done);
        ActorSystem<?> system = ActorSystem.create(Guardian.create(TrainingRoles.children(training, topology, "",
                run)), systemName, config);
        try {
            Cluster cluster = Cluster.get(system);
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
            return done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new CompletionException(e.getCause());
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().orTimeout(Duration.ofSeconds(30).toSeconds(),
                    java.util.concurrent.TimeUnit.SECONDS).exceptionally(t -> null).join();
        }
    }
}
