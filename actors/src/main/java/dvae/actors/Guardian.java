package dvae.actors;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import akka.cluster.ClusterEvent.MemberEvent;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import java.util.List;

/**
 * The root actor of a node: starts the children of the node's cluster roles, each named after its role (the names
 * {@code large-message-destinations} in {@code conf/application.conf} rely on) and registered with the receptionist,
 * then logs cluster membership.
 */
public final class Guardian {
    private Guardian() {
    }

    /** What a node with {@code role} runs, and the key others find it under (null: it registers its own children). */
    public record RoleChild<T>(String role, ServiceKey<T> serviceKey, Behavior<T> behavior) {
    }

    public static Behavior<MemberEvent> create(List<RoleChild<?>> children) {
        return Behaviors.setup(ctx -> {
            Cluster cluster = Cluster.get(ctx.getSystem());
            for (RoleChild<?> child : children) {
                if (cluster.selfMember().hasRole(child.role())) {
                    start(ctx, child);
                }
            }
            cluster.subscriptions().tell(Subscribe.create(ctx.getSelf(), MemberEvent.class));
            ctx.getLog().info("node {} started with roles {}", cluster.selfMember().address(),
                    cluster.selfMember().getRoles());
            return Behaviors.receive(MemberEvent.class)
                    .onAnyMessage(event -> {
                        ctx.getLog().info("membership: {}", event);
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    private static <T> void start(ActorContext<?> ctx, RoleChild<T> child) {
        ActorRef<T> ref = ctx.spawn(child.behavior(), child.role());
        if (child.serviceKey() != null) {
            ctx.getSystem().receptionist().tell(Receptionist.register(child.serviceKey(), ref));
        }
    }
}
