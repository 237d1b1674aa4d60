package dvae.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dvae.math.rbm.GibbsBenchmark;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dvae bench gibbs}: block-Gibbs throughput of one prior step next to its floating-point floor. */
@Command(name = "gibbs", mixinStandardHelpOptions = true,
        description = "Block Gibbs, 1000 chains x 40 sweeps on 100+100 and 200+200 RBMs, against the sgemm floor.")
final class GibbsBenchCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        GibbsBenchmark.Report report = GibbsBenchmark.run(100, 200);
        if (json) {
            ObjectNode out = new ObjectMapper().createObjectNode();
            out.put("bench", "gibbs");
            out.put("peak_gflops", report.peakGflops());
            ArrayNode cases = out.putArray("cases");
            for (GibbsBenchmark.Case c : report.cases()) {
                cases.addObject().put("name", c.name()).put("ms_per_step", c.msPerStep()).put("floor_ms", c.floorMs())
                        .put("ratio_to_floor", c.ratioToFloor());
            }
            System.out.println(out);
        } else {
            System.out.printf(Locale.ROOT, "peak %.1f GFLOP/s%n", report.peakGflops());
            for (GibbsBenchmark.Case c : report.cases()) {
                System.out.printf(Locale.ROOT, "%-8s %8.2f ms/step  floor %7.2f ms  ratio %.2f%n", c.name(),
                        c.msPerStep(), c.floorMs(), c.ratioToFloor());
            }
        }
        return 0;
    }
}
