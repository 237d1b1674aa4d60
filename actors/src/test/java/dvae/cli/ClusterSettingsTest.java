package dvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterSettingsTest {

    @Test
    void overridingTheSeedPortOrHostMovesTheSeedNodeAndTheBindAddressWithIt() {
        Config config = SettingsLoader.load(null,
                List.of("dvae.cluster.seed-port=26001", "dvae.cluster.host=10.1.2.3"));
        List<String> seeds = config.getStringList("akka.cluster.seed-nodes");
        assertEquals(1, seeds.size());
        assertTrue(seeds.get(0).endsWith("dvae@10.1.2.3:26001"), seeds.get(0));
        assertEquals("10.1.2.3", config.getString("akka.remote.artery.canonical.hostname"));
        assertEquals(26001, config.getInt("akka.remote.artery.canonical.port"));
    }

    @Test
    void theDefaultsBindToLoopbackAndBindMessagesToJacksonCbor() {
        Config config = SettingsLoader.load(null, List.of());
        assertEquals("127.0.0.1", config.getString("akka.remote.artery.canonical.hostname"));
        assertEquals("jackson-cbor",
                config.getString("akka.actor.serialization-bindings.\"dvae.protocols.CborSerializable\""));
        assertEquals("cluster", config.getString("akka.actor.provider"));
    }

    @Test
    void nodeIndexPicksItsRolesFromTheListAndNodesPastTheEndTakeTheLastEntry() {
        List<String> perNode = List.of("parameter-server, chain-keeper", "worker");
        assertEquals(List.of("parameter-server", "chain-keeper"), NodeCommand.rolesOf(perNode, 0));
        assertEquals(List.of("worker"), NodeCommand.rolesOf(perNode, 1));
        assertEquals(List.of("worker"), NodeCommand.rolesOf(perNode, 5));
        assertEquals(List.of(), NodeCommand.rolesOf(List.of(), 2));
    }

    @Test
    void aResumedNodeKeepsTheRunsSettingsAndNeedsARunDirectory(@TempDir Path tmp) {
        CliRun setting = CliRun.run("node", "--resume", tmp.toString(), "--set", "dvae.train.iterations=10");
        assertEquals(Main.EXIT_BAD_INPUT, setting.exit());
        assertEquals(List.of("error: --resume keeps the run's settings; only dvae.cluster.* and akka.* may be "
                + "set beside it, not dvae.train.iterations=10"), setting.err().strip().lines().toList());
        CliRun missing = CliRun.run("node", "--resume", tmp.resolve("nothing").toString());
        assertEquals(Main.EXIT_BAD_INPUT, missing.exit());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        assertTrue(missing.err().contains(tmp.resolve("nothing").toString()), missing.err());
    }
}
