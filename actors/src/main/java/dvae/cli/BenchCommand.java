package dvae.cli;

import picocli.CommandLine.Command;

/** Benchmarks; each prints one JSON object. Subcommands are added as their issues land. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks printing one JSON object each; figures are ratios to a bound measured in the same run.",
        subcommands = {BenchGemm.class, GibbsBenchCommand.class, BenchStep.class, EvalBenchCommand.class,
                ActorsBenchCommand.class})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a benchmark");
    }
}
