package dvae.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dvae.math.blas.Blas;
import dvae.math.eval.EvalBenchmark;
import dvae.math.eval.EvalSettings;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dvae bench eval}: evaluation throughput against its floating-point floor. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Test examples per second of the K = 4000 evaluation (RBM posteriors: 4000 particles x 500 "
                + "temperatures), random models, against the sgemm floor; a few examples per case.")
final class EvalBenchCommand implements Callable<Integer> {
    @Option(names = "--workers", paramLabel = "W", description = "Threads (default: the number of cores).")
    Integer workers;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        int threads = workers != null ? workers : Runtime.getRuntime().availableProcessors();
        EvalBenchmark.Report report = EvalBenchmark.run(threads);
        if (json) {
            ObjectNode out = new ObjectMapper().createObjectNode();
            out.put("bench", "eval");
            out.put("peak_gflops", report.peakGflops());
            out.put("workers", report.workers());
            out.put("blas", Blas.backend());
            out.put("posterior_ais_weights", EvalSettings.POSTERIOR_WEIGHTS.label());
            ArrayNode cases = out.putArray("cases");
            for (EvalBenchmark.Case c : report.cases()) {
                cases.addObject().put("name", c.name()).put("examples_per_s", c.examplesPerSecond())
                        .put("floor_examples_per_s", c.floorExamplesPerSecond()).put("ratio_to_floor", c.ratioToFloor())
                        .put("gflop_per_example", c.gflopPerExample()).put("examples_timed", c.examplesTimed());
            }
            System.out.println(out);
        } else {
            System.out.printf(Locale.ROOT, "peak %.1f GFLOP/s, %d workers%n", report.peakGflops(), report.workers());
            for (EvalBenchmark.Case c : report.cases()) {
                System.out.printf(Locale.ROOT, "%-20s %8.3f examples/s  floor %8.3f  ratio %.2f  (%.1f GFLOP/example, "
                        + "%d timed)%n", c.name(), c.examplesPerSecond(), c.floorExamplesPerSecond(), c.ratioToFloor(),
                        c.gflopPerExample(), c.examplesTimed());
            }
        }
        return 0;
    }
}
