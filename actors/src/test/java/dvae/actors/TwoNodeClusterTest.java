package dvae.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.ClusterEvent.MemberEvent;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dvae.actors.ParameterServer.StalenessPolicy;
import dvae.protocols.ParameterServerProtocol;
import dvae.protocols.ParameterServerProtocol.Ack;
import dvae.protocols.ParameterServerProtocol.PushGradient;
import dvae.protocols.ParameterServerProtocol.PushReply;
import dvae.protocols.Tensor;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two cluster nodes in one JVM on 127.0.0.1 (ports chosen by the OS): a push crosses from one to the other. */
class TwoNodeClusterTest {
    private static final int PARAMETERS = 100_000; // 400 kB: only the large-message stream carries such a push

    private static Config node(String role) {
        return ConfigFactory.parseString("akka.actor.provider = cluster\nakka.cluster.roles = [" + role + "]")
                .withFallback(ConfigFactory.load("application-test"));
    }

    private static long upMembers(ActorSystem<?> system) {
        return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
                .filter(m -> m.status() == MemberStatus.up()).count();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aWorkerNodesPushReachesTheParameterServerOnTheOtherNodeAndIsAcknowledged() {
        ParameterServer.Config config = new ParameterServer.Config(4, StalenessPolicy.DROP, 2,
                "dvae.actors.dispatchers.math");
        Guardian.RoleChild<ParameterServerProtocol.Command> server = new Guardian.RoleChild<>("parameter-server",
                ParameterServerProtocol.SERVICE_KEY, ParameterServer.create(config, new float[PARAMETERS], 0,
                SgdApplier.ungated(), (dir, version, parameters) -> {
                }));
        ActorSystem<MemberEvent> serverNode = ActorSystem.create(Guardian.create(List.of(server)), "dvae",
                node("parameter-server"));
        ActorSystem<MemberEvent> workerNode = ActorSystem.create(Guardian.create(List.of(server)), "dvae",
                node("worker"));
        try {
            Cluster.get(serverNode).manager().tell(Join.create(Cluster.get(serverNode).selfMember().address()));
            Cluster.get(workerNode).manager().tell(Join.create(Cluster.get(serverNode).selfMember().address()));
            TestProbe<Receptionist.Listing> listings = TestProbe.create(workerNode);
            listings.awaitAssert(Duration.ofSeconds(20), () -> {
                assertEquals(2, upMembers(serverNode));
                assertEquals(2, upMembers(workerNode));
                return null;
            });

            // The worker node runs no server of its own (wrong role): the one it finds lives on the other node.
            ActorRef<ParameterServerProtocol.Command> remote = listings.awaitAssert(Duration.ofSeconds(20), () -> {
                workerNode.receptionist().tell(Receptionist.find(ParameterServerProtocol.SERVICE_KEY,
                        listings.ref()));
                Set<ActorRef<ParameterServerProtocol.Command>> found = listings.receiveMessage(Duration.ofSeconds(1))
                        .getServiceInstances(ParameterServerProtocol.SERVICE_KEY);
                assertEquals(1, found.size());
                return found.iterator().next();
            });
            assertEquals(Cluster.get(serverNode).selfMember().address(), remote.path().address());
            assertNotEquals(Cluster.get(workerNode).selfMember().address(), remote.path().address());

            TestProbe<PushReply> replies = TestProbe.create(workerNode);
            float[] gradient = new float[PARAMETERS];
            gradient[PARAMETERS - 1] = 1f;
            remote.tell(new PushGradient("worker-1", 1, 0, Tensor.ofFloats(gradient, PARAMETERS), replies.ref()));
            replies.expectMessage(Duration.ofSeconds(10), new Ack("worker-1", 1, 1, 1f, false));
        } finally {
            ActorTestKit.shutdown(workerNode, Duration.ofSeconds(15));
            ActorTestKit.shutdown(serverNode, Duration.ofSeconds(15));
        }
    }
}
