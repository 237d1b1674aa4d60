package dvae.actors;

import akka.actor.typed.ActorSystem;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dvae.math.run.RunDirectory;
import dvae.math.train.Trainer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One node of the training system: an actor system whose {@link Guardian} starts the {@link TrainingRoles} of the
 * node's roles. A node with the coordinator role holds the run directory; {@link #summary()} completes when the
 * coordinator has finished (never on other nodes). A one-JVM run is a one-node cluster ({@link #runAlone}).
 */
public final class TrainingNode {
    private final ActorSystem<?> system;
    private final CompletableFuture<Trainer.Summary> summary;

    private TrainingNode(ActorSystem<?> system, CompletableFuture<Trainer.Summary> summary) {
        this.system = system;
        this.summary = summary;
    }

    /**
     * Starts a node listening on {@code port} (0: any free one) with {@code roles}; it joins the seed nodes of
     * {@code base} ({@code akka.cluster.seed-nodes}). Workers are named {@code workerPrefix + "w" + j}.
     *
     * @param run      the run directory, used only with the coordinator role (else null)
     * @param listener progress hooks of the coordinator
     */
    public static TrainingNode start(Config base, String systemName, int port, List<String> roles,
                                     String workerPrefix, TrainingRoles.Training training,
                                     TrainingRoles.Topology topology, RunDirectory run, Trainer.Listener listener) {
        Config config = ConfigFactory.parseMap(Map.of("akka.actor.provider", "cluster",
                "akka.remote.artery.canonical.port", port, "akka.cluster.roles", roles)).withFallback(base);
        CompletableFuture<Trainer.Summary> done = new CompletableFuture<>();
        Coordinator.Run coordinatorRun = run == null ? null : new Coordinator.Run(training.model(), training.config(),
                training.data(), run, listener, done);
        ActorSystem<?> system = ActorSystem.create(Guardian.create(TrainingRoles.children(training, topology,
                workerPrefix, coordinatorRun)), systemName, config);
        // A shutdown that outlasts its first phase stops the coordinator before it can report: whoever waits for
        // the summary learns so instead of waiting for ever.
        system.getWhenTerminated().thenRun(() -> done.completeExceptionally(
                new IllegalStateException("the actor system stopped before the run reported how it ended")));
        return new TrainingNode(system, done);
    }

    /** A whole run in this JVM: one node with every role, on a free loopback port; returns once it has finished. */
    public static Trainer.Summary runAlone(Config base, String systemName, TrainingRoles.Training training,
                                           TrainingRoles.Topology topology, RunDirectory run,
                                           Trainer.Listener listener) {
        Config alone = ConfigFactory.parseMap(Map.of("akka.cluster.seed-nodes", List.of())).withFallback(base);
        TrainingNode node = start(alone, systemName, 0, List.of(TrainingRoles.PARAMETER_SERVER,
                TrainingRoles.CHAIN_KEEPER, TrainingRoles.SAMPLER, TrainingRoles.WORKER, TrainingRoles.COORDINATOR),
                "", training, topology, run, listener);
        try {
            Cluster cluster = Cluster.get(node.system);
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
            return node.awaitSummary();
        } finally {
            node.shutdown();
        }
    }

    public ActorSystem<?> system() {
        return system;
    }

    public CompletableFuture<Trainer.Summary> summary() {
        return summary;
    }

    /** Waits for the coordinator's summary; a run that stopped early throws its reason. */
    public Trainer.Summary awaitSummary() {
        try {
            return summary.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new CompletionException(e.getCause());
        }
    }

    /** Leaves the cluster and stops the actor system (bounded wait). */
    public void shutdown() {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).exceptionally(t -> null)
                .join();
    }
}
