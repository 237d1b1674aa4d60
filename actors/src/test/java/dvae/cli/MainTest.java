package dvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {
    private record Outcome(int code, String out, String err) {
    }

    private static Outcome run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void helpListsEveryCommand() {
        Outcome o = run("--help");
        assertEquals(0, o.code());
        for (String cmd : new String[] {"train", "eval", "logz", "experiment", "bench", "data"}) {
            assertTrue(o.out().contains(cmd), cmd + " missing from: " + o.out());
        }
    }

    @Test
    void unknownFlagIsOneLineAndExitTwo() {
        Outcome o = run("bench", "gemm", "--no-such-flag");
        assertEquals(Main.EXIT_BAD_INPUT, o.code());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(o.err().contains("--no-such-flag"), o.err());
    }

    @Test
    void unknownCommandIsRefused() {
        Outcome o = run("fly");
        assertEquals(Main.EXIT_BAD_INPUT, o.code());
        assertTrue(o.err().contains("fly"), o.err());
    }
}
