package dvae.cli;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dvae.actors.Guardian;
import dvae.math.BadInputException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** One cluster node, run until it is stopped (SIGTERM leaves the cluster gracefully) or downed. */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Start one cluster node on this machine (run/cluster starts several).")
final class NodeCommand implements Callable<Integer> {
    @Mixin
    SettingsOptions settings;

    @Option(names = "--index", paramLabel = "I", defaultValue = "0",
            description = "Node number: listens on dvae.cluster.seed-port + I and takes the roles "
                    + "dvae.cluster.node-roles[I] (its last entry past the end); node 0 is the seed.")
    int index;

    @Option(names = "--role", paramLabel = "ROLE", description = "A role of this node instead (repeatable).")
    List<String> roles;

    @Option(names = "--port", paramLabel = "P", description = "Listen on this port instead.")
    Integer port;

    @Override
    public Integer call() {
        if (index < 0) {
            throw new BadInputException("--index must be at least 0, got " + index);
        }
        Settings s = settings.load();
        int listenOn = port != null ? port : s.intAtLeast("dvae.cluster.seed-port", 0) + index;
        List<String> nodeRoles = roles != null ? roles : rolesOf(s.stringList("dvae.cluster.node-roles"), index);
        Config config = ConfigFactory.parseMap(Map.of(
                "akka.remote.artery.canonical.port", listenOn, "akka.cluster.roles", nodeRoles))
                .withFallback(s.config());
        // Training roles plug in here as their behaviours land.
        ActorSystem<?> system = ActorSystem.create(Guardian.create(List.of()),
                s.string("dvae.cluster.system-name"), config);
        system.getWhenTerminated().toCompletableFuture().join();
        return 0;
    }

    /** Node {@code index}'s roles: entry {@code index} of the list (its last past the end), split at commas. */
    static List<String> rolesOf(List<String> perNode, int index) {
        if (perNode.isEmpty()) {
            return List.of();
        }
        return Arrays.stream(perNode.get(Math.min(index, perNode.size() - 1)).split(","))
                .map(String::trim).filter(r -> !r.isEmpty()).toList();
    }
}
