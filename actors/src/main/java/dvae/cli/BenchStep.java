package dvae.cli;

import dvae.math.BadInputException;
import dvae.math.train.StepBenchmark;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "step", mixinStandardHelpOptions = true,
        description = "Milliseconds per training step at the paper's settings (DVAE## 100+100 and 200+200, PWL L=1) "
                + "beside the floor: the step's matrix-product FLOPs at the sgemm rate measured in the same run.")
final class BenchStep implements Callable<Integer> {
    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--steps", defaultValue = "100", description = "Timed steps per case (default ${DEFAULT-VALUE}).")
    int steps;

    // The JIT is still compiling after tens of steps: the reference trainer ran at 28 steps/s timed after 20 steps
    // and at 31.5-32.6 after 300 or 1000 (run/dvae bench actors, 100+100, runs on 2026-11-26).
    @Option(names = "--warmup", defaultValue = "300",
            description = "Untimed steps per case before them, rounded up to a multiple of --steps (default "
                    + "${DEFAULT-VALUE}).")
    int warmup;

    @Override
    public Integer call() {
        if (steps < 1 || warmup < 0) {
            throw new BadInputException("--steps must be at least 1 and --warmup at least 0, got " + steps + " and "
                    + warmup);
        }
        StepBenchmark.Report report = StepBenchmark.run(StepBenchmark.paperCases(), warmup, steps);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bench", "step");
        out.put("peak_gflops", report.peakGflops());
        out.put("warmup_steps", report.warmupSteps());
        out.put("timed_steps", report.timedSteps());
        out.put("cases", report.cases());
        if (json) {
            Json.print(out);
        } else {
            System.out.printf("peak %.1f GFLOP/s (1000^3 sgemm, this run)%n", report.peakGflops());
            for (StepBenchmark.Case c : report.cases()) {
                System.out.printf("%-18s %8.1f ms/step  %6.2f GFLOP  floor %6.1f ms  ratio %5.2f%n", c.name(),
                        c.msPerStep(), c.gflopPerStep(), c.floorMs(), c.ratioToFloor());
            }
        }
        return 0;
    }
}
