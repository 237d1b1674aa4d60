package dvae.cli;

import dvae.math.blas.Blas;
import dvae.math.blas.GemmBenchmark;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "gemm", mixinStandardHelpOptions = true,
        description = "GFLOP/s of the project's multiply on the model's shapes beside OpenBLAS sgemm called directly.")
final class BenchGemm implements Callable<Integer> {
    @Option(names = "--json", description = "Print one JSON object (the default output is a table).")
    boolean json;

    @Option(names = "--seconds", defaultValue = "0.3", description = "Least time per timed round (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--rounds", defaultValue = "5", description = "Timed rounds per shape; the best counts (default ${DEFAULT-VALUE}).")
    int rounds;

    @Override
    public Integer call() {
        if (!(seconds > 0) || rounds < 1) {
            throw new dvae.math.BadInputException("--seconds must be positive and --rounds at least 1");
        }
        List<GemmBenchmark.Case> cases = GemmBenchmark.run(GemmBenchmark.MODEL_SHAPES, seconds, rounds);
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("bench", "gemm");
            out.put("blas", Blas.backend());
            out.put("cases", cases);
            Json.print(out);
        } else {
            System.out.println("BLAS backend: " + Blas.backend());
            System.out.printf("%-16s %14s %14s %7s%n", "shape (mxkxn)", "project GF/s", "openblas GF/s", "ratio");
            for (GemmBenchmark.Case c : cases) {
                System.out.printf("%-16s %14.2f %14s %7s%n", c.shape(), c.projectGflops(),
                        c.openblasGflops() == null ? "n/a" : String.format("%.2f", c.openblasGflops()),
                        c.ratio() == null ? "n/a" : String.format("%.3f", c.ratio()));
            }
        }
        return 0;
    }
}
