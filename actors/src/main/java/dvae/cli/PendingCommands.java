package dvae.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** Commands whose issues have not landed yet: each says so and fails, rather than pretending to work. */
final class PendingCommands {
    private PendingCommands() {
    }

    abstract static class Pending implements Callable<Integer> {
        @Unmatched
        java.util.List<String> ignored;

        abstract String what();

        @Override
        public Integer call() {
            System.err.println("error: " + what() + " is not implemented yet");
            return Main.EXIT_FAILURE;
        }
    }

    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = "Evaluate a trained model (not implemented yet).")
    static final class Eval extends Pending {
        String what() {
            return "eval";
        }
    }
}
