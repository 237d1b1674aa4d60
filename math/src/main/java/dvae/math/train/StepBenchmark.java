package dvae.math.train;

import dvae.math.blas.PeakFlops;
import dvae.math.data.Dataset;
import dvae.math.data.SyntheticData;
import dvae.math.io.FileTrees;
import dvae.math.model.ModelConfig;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.model.ModelConfig.RelaxationKind;
import dvae.math.run.MetricsLog;
import dvae.math.run.RunDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Milliseconds per training step at the paper's settings, measured by running the real {@link Trainer} on synthetic
 * binary data (speed does not depend on the pixels), beside the step's floor: its matrix-product FLOPs divided by
 * this machine's sgemm rate measured in the same run.
 */
public final class StepBenchmark {
    public record Case(String name, double msPerStep, double gflopPerStep, double floorMs, double ratioToFloor) {
    }

    public record Report(double peakGflops, int warmupSteps, int timedSteps, List<Case> cases) {
    }

    private StepBenchmark() {
    }

    /** The paper's three benchmark configurations: DVAE## 100+100 and 200+200, PWL L = 1 100+100. */
    public static List<ModelConfig> paperCases() {
        ModelConfig pwl = ModelConfig.dvaeSharpSharp(200);
        return List.of(ModelConfig.dvaeSharpSharp(200), ModelConfig.dvaeSharpSharp(400),
                new ModelConfig(200, PosteriorKind.DIRECTED, 1, RelaxationKind.PWL, pwl.pwlBeta(), true,
                        pwl.concreteBeta(), pwl.powerBeta(), ObjectiveKind.ELBO, 1, pwl.gibbsSweeps(),
                        pwl.relaxedSweeps(), pwl.couplingScale(), true, pwl.encoderHidden(), pwl.decoderHidden(),
                        pwl.batchNorm(), pwl.pixels()));
    }

    /** 1000³ products per peak measurement, before and after the cases. */
    private static final int PEAK_REPEATS = 20;

    /**
     * Times {@code timedSteps} steps of each case after at least {@code warmup} untimed ones (JIT compilation, sampler
     * burn-in), rounded up to whole windows: the trainer logs its rate once per window of {@code timedSteps}, and the
     * last window is the measurement.
     */
    public static Report run(List<ModelConfig> cases, int warmup, int timedSteps) {
        int warmupSteps = (warmup + timedSteps - 1) / timedSteps * timedSteps;
        double before = PeakFlops.measureGflops(PEAK_REPEATS);
        Dataset data = SyntheticData.noisyPrototypes(1000, 3);
        double[] ms = new double[cases.size()];
        double[] gflop = new double[cases.size()];
        for (int c = 0; c < cases.size(); c++) {
            // The closing validation reports nothing the bench uses: the smallest prior AIS for its bound.
            TrainConfig paper = new TrainConfig(warmupSteps + timedSteps, 100, 3e-3, 1e-4, 0.9, 0.999, 1e-3, 0.3,
                    0.5, 0.05, "pa", 1000, 40, warmupSteps + timedSteps, 100, new TrainConfig.ValidNll(1, 1, 2, 1, 2),
                    timedSteps, 1, 10, 1, TrainConfig.SelectBy.LOSS);
            ms[c] = 1000 / timedStepsPerSecond(cases.get(c), paper, data, warmupSteps);
            gflop[c] = flopPerStep(cases.get(c), paper) / 1e9;
        }
        // The higher of two peak measurements, so that a neighbour's load during one cannot flatter the ratios.
        double peak = Math.max(before, PeakFlops.measureGflops(PEAK_REPEATS));
        List<Case> out = new ArrayList<>();
        for (int c = 0; c < cases.size(); c++) {
            double floor = gflop[c] / peak * 1000;
            out.add(new Case(cases.get(c).label(), round(ms[c]), round(gflop[c]), round(floor), round(ms[c] / floor)));
        }
        return new Report(round(peak), warmupSteps, timedSteps, out);
    }

    /**
     * The step's matrix-product FLOPs: every dense layer forward and backward (3 × 2·rows·in·out), the posterior's
     * s hard and t relaxed sweeps (2 products of 2·n1·n2 per example, the relaxed ones 3 times for their backward),
     * the prior sampler's particles × sweeps (2 products of 2·n1·n2 each) and, for the RBM posterior, the per-example
     * couplings' row and column sums. Element-wise work (sigmoids, random numbers, batch norm) is not counted: the
     * floor is what the multiplies alone would take at the measured rate.
     */
    public static double flopPerStep(ModelConfig m, TrainConfig t) {
        double rows = (double) t.batchSize() * m.samples();
        int n1 = m.side1();
        int n2 = m.side2();
        double dense = 0;
        int in = m.pixels();
        for (int h : m.encoderHidden()) {
            dense += (double) in * h;
            in = h;
        }
        if (m.posterior() == PosteriorKind.RBM) {
            dense += (double) in * (n1 + n2 + (double) n1 * n2);
        } else {
            int group = m.latents() / m.levels();
            for (int l = 0; l < m.levels(); l++) {
                dense += (double) (in + l * group) * group;
            }
        }
        in = m.latents();
        for (int h : m.decoderHidden()) {
            dense += (double) in * h;
            in = h;
        }
        dense += (double) in * m.predictedPixels();
        double flop = 3 * 2 * rows * dense;
        double sweep = 2 * 2.0 * n1 * n2;
        if (m.posterior() == PosteriorKind.RBM) {
            flop += rows * (m.gibbsSweeps() + 3.0 * m.relaxedSweeps()) * sweep;
        }
        if (m.objective() != ObjectiveKind.STRUCT) {
            flop += (double) t.priorParticles() * t.priorSweeps() * sweep;
        }
        return flop;
    }

    private static double timedStepsPerSecond(ModelConfig model, TrainConfig config, Dataset data, int warmupSteps) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("dvae-bench-step");
            RunDirectory run = RunDirectory.create(dir.resolve("run"), "benchmark");
            new Trainer(model, config, data).run(run, new Trainer.Listener() {
            });
            // The log has one line after the warm-up window and one after the timed window: take the latter.
            List<Map<String, Object>> lines = MetricsLog.read(run.metricsFile()).stream()
                    .filter(m -> m.containsKey("steps_per_s")).toList();
            return ((Number) lines.get(lines.size() - 1).get("steps_per_s")).doubleValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (dir != null) {
                FileTrees.deleteQuietly(dir); // a temporary folder; the OS cleans up what is left
            }
        }
    }

    private static double round(double x) {
        return Math.round(x * 1000) / 1000.0;
    }
}
