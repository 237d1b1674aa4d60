package dvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

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
}
