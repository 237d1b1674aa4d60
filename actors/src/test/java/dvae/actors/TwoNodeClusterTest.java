package dvae.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import akka.cluster.ClusterEvent.MemberEvent;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dvae.actors.ParameterServer.StalenessPolicy;
import dvae.protocols.ParameterServerProtocol;
import dvae.protocols.ParameterServerProtocol.Ack;
import dvae.protocols.ParameterServerProtocol.Parameters;
import dvae.protocols.ParameterServerProtocol.Pull;
import dvae.protocols.ParameterServerProtocol.PushGradient;
import dvae.protocols.ParameterServerProtocol.PushReply;
import dvae.protocols.Tensor;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two cluster nodes in one JVM on 127.0.0.1 (ports chosen by the OS): a gradient crosses from the worker node to the
 * parameter server and the parameters back to a worker, both too large for Artery's normal frame.
 */
class TwoNodeClusterTest {
    private static final int PARAMETERS = 100_000; // 400 kB: only the large-message stream carries such messages

    private static Config node(String role) {
        return ConfigFactory.parseString("akka.actor.provider = cluster\nakka.cluster.roles = [" + role + "]")
                .withFallback(ConfigFactory.load("application-test"));
    }

    private static long upMembers(ActorSystem<?> system) {
        return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
                .filter(m -> m.status() == MemberStatus.up()).count();
    }

    /** The first instance of {@code key} that {@code system}'s receptionist knows, once it knows exactly one. */
    private static <T> ActorRef<T> findOne(ActorSystem<?> system, ServiceKey<T> key) {
        TestProbe<Receptionist.Listing> listings = TestProbe.create(system);
        return listings.awaitAssert(Duration.ofSeconds(20), () -> {
            system.receptionist().tell(Receptionist.find(key, listings.ref()));
            Set<ActorRef<T>> found = listings.receiveMessage(Duration.ofSeconds(1)).getServiceInstances(key);
            assertEquals(1, found.size());
            return found.iterator().next();
        });
    }

    /** A stand-in for a worker pool: its child (path /user/worker/w1) completes {@code pulled} with what it receives. */
    private static Guardian.RoleChild<Void> workerPool(CompletableFuture<Parameters> pulled) {
        return new Guardian.RoleChild<>("worker", ServiceKey.create(Void.class, "worker-pool"), Behaviors.setup(ctx -> {
            ActorRef<Parameters> worker = ctx.spawn(Behaviors.receive(Parameters.class).onMessage(Parameters.class,
                    p -> {
                        pulled.complete(p);
                        return Behaviors.same();
                    }).build(), "w1");
            ctx.getSystem().receptionist().tell(Receptionist.register(PULLER, worker));
            return Behaviors.empty();
        }));
    }

    private static final ServiceKey<Parameters> PULLER = ServiceKey.create(Parameters.class, "puller");

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void largePushesAndPullsCrossBetweenAWorkerNodeAndTheParameterServerNode() throws Exception {
        ParameterServer.Config config = new ParameterServer.Config(4, StalenessPolicy.DROP, 2,
                "dvae.actors.dispatchers.math");
        Guardian.RoleChild<ParameterServerProtocol.Command> server = new Guardian.RoleChild<>("parameter-server",
                ParameterServerProtocol.SERVICE_KEY, ParameterServer.create(config, new float[PARAMETERS], 0,
                SgdApplier.ungated(), (dir, version, parameters) -> {
                }));
        CompletableFuture<Parameters> pulled = new CompletableFuture<>();
        List<Guardian.RoleChild<?>> children = List.of(server, workerPool(pulled));
        ActorSystem<MemberEvent> serverNode = ActorSystem.create(Guardian.create(children), "dvae",
                node("parameter-server"));
        ActorSystem<MemberEvent> workerNode = ActorSystem.create(Guardian.create(children), "dvae", node("worker"));
        try {
            Cluster.get(serverNode).manager().tell(Join.create(Cluster.get(serverNode).selfMember().address()));
            Cluster.get(workerNode).manager().tell(Join.create(Cluster.get(serverNode).selfMember().address()));
            TestProbe<PushReply> replies = TestProbe.create(workerNode);
            replies.awaitAssert(Duration.ofSeconds(20), () -> {
                assertEquals(2, upMembers(serverNode));
                assertEquals(2, upMembers(workerNode));
                return null;
            });

            // Each node started only its own role's child: the server the worker node finds is the other node's.
            ActorRef<ParameterServerProtocol.Command> remote = findOne(workerNode, ParameterServerProtocol.SERVICE_KEY);
            assertEquals(Cluster.get(serverNode).selfMember().address(), remote.path().address());
            assertNotEquals(Cluster.get(workerNode).selfMember().address(), remote.path().address());

            float[] gradient = new float[PARAMETERS];
            gradient[PARAMETERS - 1] = 1f;
            remote.tell(new PushGradient("worker-1", 1, 0, 1.0, Tensor.ofFloats(gradient, PARAMETERS), replies.ref()));
            replies.expectMessage(Duration.ofSeconds(10), new Ack("worker-1", 1, 1, 1f, false));

            ActorRef<Parameters> worker = findOne(workerNode, PULLER);
            assertEquals("/user/worker/w1", worker.path().toStringWithoutAddress());
            remote.tell(new Pull(worker, null));
            Parameters parameters = pulled.get(10, TimeUnit.SECONDS);
            assertEquals(1, parameters.version());
            assertEquals(-1f, parameters.values().toFloats()[PARAMETERS - 1]);
        } finally {
            ActorTestKit.shutdown(workerNode, Duration.ofSeconds(15));
            ActorTestKit.shutdown(serverNode, Duration.ofSeconds(15));
        }
    }
}
