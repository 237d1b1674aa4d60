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

    @Command(name = "train", mixinStandardHelpOptions = true, description = "Train a model (not implemented yet).")
    static final class Train extends Pending {
        String what() {
            return "train";
        }
    }

    @Command(name = "experiment", mixinStandardHelpOptions = true,
            description = "Run one of the paper's experiments (not implemented yet).")
    static final class Experiment extends Pending {
        String what() {
            return "experiment";
        }
    }
}
