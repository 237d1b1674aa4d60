package dvae.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until the data sets land (issue 2). */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Fetch, check and describe data sets.")
final class DataCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("error: data is not implemented yet");
        return Main.EXIT_FAILURE;
    }
}
