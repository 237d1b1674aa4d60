package dvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    @Test
    void helpListsEveryCommand() {
        CliRun o = CliRun.run("--help");
        assertEquals(0, o.exit());
        for (String cmd : new String[] {"train", "eval", "logz", "experiment", "bench", "data"}) {
            assertTrue(o.out().contains(cmd), cmd + " missing from: " + o.out());
        }
    }

    @Test
    void unknownFlagIsOneLineAndExitTwo() {
        CliRun o = CliRun.run("bench", "gemm", "--no-such-flag");
        assertEquals(Main.EXIT_BAD_INPUT, o.exit());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(o.err().contains("--no-such-flag"), o.err());
    }

    @Test
    void unknownCommandIsRefused() {
        CliRun o = CliRun.run("fly");
        assertEquals(Main.EXIT_BAD_INPUT, o.exit());
        assertTrue(o.err().contains("fly"), o.err());
    }

    /** An actor setting is checked before the run directory is made: a refused run leaves nothing behind. */
    @Test
    void aBadActorSettingIsOneLineAndWritesNoRunDirectory(@TempDir Path dir) {
        Path out = dir.resolve("run");
        for (String command : new String[] {"train", "node"}) {
            CliRun o = command.equals("train")
                    ? CliRun.run("train", "--set", "dvae.actors.worker.pipeline-depth=3", "--out", out.toString())
                    : CliRun.run("node", "--index", "0", "--set", "dvae.actors.worker.local-updates=sometimes",
                            "--out", out.toString());
            assertEquals(Main.EXIT_BAD_INPUT, o.exit(), o.err());
            assertEquals(1, o.err().strip().lines().filter(l -> l.startsWith("error:")).count(), o.err());
            assertTrue(o.err().contains("dvae.actors.worker."), o.err());
            assertTrue(!Files.exists(out), command + " made " + out);
        }
    }
}
