package dvae.cli;

import dvae.math.BadInputException;
import dvae.math.util.Parallel;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code dvae} command line. Exit codes: 0 success, 1 failure while running, 2 bad input (an unknown flag, a
 * bad setting or file), each bad input reported on one line naming what is wrong.
 */
@Command(name = "dvae", mixinStandardHelpOptions = true, version = "dvae 0.1.0",
        description = "DVAE##: discrete VAEs with undirected (RBM) posteriors, trained by backpropagating "
                + "through one relaxed Gibbs update.",
        subcommands = {DataCommand.class, NodeCommand.class, TrainCommand.class, StatusCommand.class, EvalCommand.class,
                LogzCommand.class, ExperimentCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_BAD_INPUT = 2;

    public static void main(String[] args) {
        try {
            Parallel.lanes(); // a bad -Ddvae.threads (DVAE_THREADS) is a one-line error, before any work
        } catch (ExceptionInInitializerError e) {
            System.err.println("error: " + SettingsLoader.oneLine(e.getCause().getMessage()));
            System.exit(EXIT_BAD_INPUT);
        }
        // Logback starts here, on one thread, before any actor system: when its first use came from several threads
        // at once, SLF4J held back a call and printed three lines about replaying it on every actor run.
        org.slf4j.LoggerFactory.getILoggerFactory();
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (used by tests, which must not call System.exit). */
    public static int run(String... args) {
        CommandLine cli = commandLine();
        return cli.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("error: " + SettingsLoader.oneLine(e.getMessage()) + " (see "
                    + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            return EXIT_BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (e instanceof BadInputException) {
                err.println("error: " + SettingsLoader.oneLine(e.getMessage()));
                return EXIT_BAD_INPUT;
            }
            err.println("error: " + e.getClass().getSimpleName() + ": " + SettingsLoader.oneLine(e.getMessage()));
            if (System.getenv("DVAE_TRACE") != null) {
                e.printStackTrace(err);
            } else {
                err.println("(set DVAE_TRACE=1 for the stack trace)");
            }
            return EXIT_FAILURE;
        });
        return cli;
    }
}
