package dvae.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dvae.math.BadInputException;
import dvae.math.blas.Blas;
import dvae.math.data.BinaryImages;
import dvae.math.data.Dataset;
import dvae.math.data.Images;
import dvae.math.eval.EvalBenchmark;
import dvae.math.eval.EvalSettings;
import dvae.math.eval.Evaluation;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.run.RunDirectory;
import dvae.math.tensor.Matrix;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dvae bench eval}: evaluation throughput against its floating-point floor. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Test examples per second of the K = 4000 evaluation (RBM posteriors: 4000 particles x 500 "
                + "temperatures), random models or a trained run's (--run), against the sgemm floor; a few examples "
                + "per case.")
final class EvalBenchCommand implements Callable<Integer> {
    @Mixin
    SettingsOptions settingsOptions;

    @Option(names = "--workers", paramLabel = "W", description = "Threads (default: the number of cores).")
    Integer workers;

    @Option(names = "--run", paramLabel = "DIR",
            description = "Time this training run's model on its test images instead of the random models (the "
                    + "run's files are only read).")
    Path runDir;

    @Option(names = "--checkpoint", defaultValue = "best",
            description = "With --run: best or last (default: ${DEFAULT-VALUE}).")
    String checkpoint;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "With --run: data cache folder (default: setting dvae.data.dir).")
    Path dataDir;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        int threads = workers != null ? workers : Runtime.getRuntime().availableProcessors();
        if (threads < 1) {
            throw new BadInputException("--workers must be at least 1, got " + threads);
        }
        ObjectNode timedOn = new ObjectMapper().createObjectNode();
        EvalBenchmark.Report report = runDir == null ? EvalBenchmark.run(threads) : onRun(threads, timedOn);
        if (json) {
            ObjectNode out = new ObjectMapper().createObjectNode();
            out.put("bench", "eval");
            out.put("peak_gflops", report.peakGflops());
            out.put("workers", report.workers());
            out.put("blas", Blas.backend());
            out.put("posterior_ais_weights", EvalSettings.POSTERIOR_WEIGHTS.label());
            out.setAll(timedOn);
            ArrayNode cases = out.putArray("cases");
            for (EvalBenchmark.Case c : report.cases()) {
                cases.addObject().put("name", c.name()).put("examples_per_s", c.examplesPerSecond())
                        .put("floor_examples_per_s", c.floorExamplesPerSecond()).put("ratio_to_floor", c.ratioToFloor())
                        .put("gflop_per_example", c.gflopPerExample()).put("examples_timed", c.examplesTimed());
            }
            System.out.println(out);
        } else {
            System.out.printf(Locale.ROOT, "peak %.1f GFLOP/s, %d workers%s%n", report.peakGflops(), report.workers(),
                    timedOn.isEmpty() ? "" : ", " + timedOn.get("run").asText() + " at step "
                            + timedOn.get("checkpoint_step").asLong() + " on " + timedOn.get("images").asText());
            for (EvalBenchmark.Case c : report.cases()) {
                System.out.printf(Locale.ROOT, "%-20s %8.3f examples/s  floor %8.3f  ratio %.2f  (%.1f GFLOP/example, "
                        + "%d timed)%n", c.name(), c.examplesPerSecond(), c.floorExamplesPerSecond(), c.ratioToFloor(),
                        c.gflopPerExample(), c.examplesTimed());
            }
        }
        return 0;
    }

    /** The run's model on a seeded subset of its test images; which run, checkpoint and images go into {@code out}. */
    private EvalBenchmark.Report onRun(int threads, ObjectNode out) {
        TrainedRun trained = TrainedRun.open(runDir, checkpoint, settingsOptions.load(), dataDir);
        RunDirectory run = trained.run();
        ChosenCheckpoint chosen = trained.chosen();
        DvaeModel model = trained.model();
        Dataset data = trained.data();
        BinaryImages test = data.test();
        if (model.config().posterior() == PosteriorKind.DVAE_SHARP) {
            throw new BadInputException("--run " + runDir + ": the floor is counted for rbm and directed posteriors, "
                    + "not dvae-sharp");
        }
        int n = EvalBenchmark.warmupExamples(model, threads) + EvalBenchmark.timedExamples(model, threads);
        int[] indices = Evaluation.subset(test.rows(), n, 1);
        if (indices.length < n) {
            throw new BadInputException(data.name() + ": " + test.rows() + " test images, the bench needs " + n);
        }
        Matrix x = new Matrix(n, Images.PIXELS);
        test.fill(indices, x.data);
        String name = "trained-" + model.config().label();
        out.put("run", run.root().toString());
        out.put("checkpoint", chosen.kind());
        out.put("checkpoint_step", chosen.checkpoint().step());
        out.put("images", data.name() + " test, seeded subset (seed 1)");
        return EvalBenchmark.runOn(name, model, x, threads);
    }
}
