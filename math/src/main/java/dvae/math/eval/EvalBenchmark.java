package dvae.math.eval;

import dvae.math.blas.PeakFlops;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelConfig;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.model.ModelConfig.RelaxationKind;
import dvae.math.nn.BatchNorm;
import dvae.math.random.RandomStream;
import dvae.math.rbm.Annealing;
import dvae.math.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluation throughput (test examples per second with the paper's settings: K = 4000, RBM posteriors annealed over
 * 500 temperatures with 4000 particles) on randomly initialised MNIST-sized models, next to its floor: the floating-
 * point operations of one example divided by the sgemm peak measured in the same run. Only a few examples are timed
 * per case, after warm-up examples (three per worker for the first RBM case, one for the second); the prior's log Z
 * (computed once per evaluation) is left out.
 */
public final class EvalBenchmark {
    private static final int PEAK_REPEATS = 5;
    private static final int HIDDEN = 200;
    private static final int PIXELS = 784;

    private EvalBenchmark() {
    }

    public record Case(String name, int examplesTimed, double gflopPerExample, double examplesPerSecond,
                       double floorExamplesPerSecond, double ratioToFloor) {
    }

    public record Report(double peakGflops, int workers, List<Case> cases) {
    }

    public static Report run(int workers) {
        double before = PeakFlops.measureGflops(PEAK_REPEATS);
        List<Case> timed = new ArrayList<>();
        // Untimed examples first, as many as the JIT needs to finish compiling the case's kernels: an RBM example
        // runs its loops millions of times, a directed one (about 20 ms) does not; timed over 16 examples after 2,
        // directed-L1-100+100 ran at 46 examples/s (HEAD 4af8e54), over 200 after 800 at 57-60 (HEAD 071f2f0). The
        // first RBM case also compiles what the RBM cases share: after one example per worker its rate was 2.02
        // examples/s, and 2.10-2.13 when repeated in the same JVM (two workers, throw-away loop, HEAD d2c33d5).
        timed.add(measure("rbm-100+100", config(PosteriorKind.RBM, 200, 1), workers, 3 * workers, 3 * workers));
        timed.add(measure("rbm-200+200", config(PosteriorKind.RBM, 400, 1), workers, workers, workers));
        timed.add(measure("directed-L1-100+100", config(PosteriorKind.DIRECTED, 200, 1), workers, 200 * workers,
                100 * workers));
        timed.add(measure("directed-L4-200+200", config(PosteriorKind.DIRECTED, 400, 4), workers, 200 * workers,
                100 * workers));
        // The higher of two peak measurements, so that a neighbour's load during one cannot flatter the ratios.
        double peak = Math.max(before, PeakFlops.measureGflops(PEAK_REPEATS));
        List<Case> cases = timed.stream().map(c -> {
            double floor = peak / c.gflopPerExample();
            return new Case(c.name(), c.examplesTimed(), c.gflopPerExample(), c.examplesPerSecond(), floor,
                    floor / c.examplesPerSecond());
        }).toList();
        return new Report(peak, workers, cases);
    }

    private static ModelConfig config(PosteriorKind posterior, int latents, int levels) {
        return new ModelConfig(latents, posterior, levels, RelaxationKind.PWL, 4, true, 10, 30, ObjectiveKind.ELBO, 1,
                10, 1, 1.5, true, new int[] {HIDDEN, HIDDEN}, new int[] {HIDDEN, HIDDEN}, BatchNorm.Config.DEFAULT,
                PIXELS);
    }

    /** Times the case; its floor is filled in once the peak is known. */
    private static Case measure(String name, ModelConfig config, int workers, int warmup, int timed) {
        float[] meanPixel = new float[PIXELS];
        java.util.Arrays.fill(meanPixel, 0.13f);
        DvaeModel model = new DvaeModel(config, meanPixel, null, new RandomStream(1));
        // The prior's log Z is not part of the per-example work: the smallest AIS keeps it out of the timing.
        EvalSettings settings = new EvalSettings(EvalSettings.SAMPLES, 2, 1, Annealing.POSTERIOR_TEMPS,
                Annealing.POSTERIOR_CHAINS, EvalSettings.POSTERIOR_WEIGHTS, 1);
        Evaluation evaluation = new Evaluation(model, settings, workers);
        evaluation.run(images(warmup, 1), indices(warmup), null, null);
        long t0 = System.nanoTime();
        evaluation.run(images(timed, 2), indices(timed), null, null);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double gflop = flopsPerExample(config, settings) / 1e9;
        return new Case(name, timed, gflop, timed / seconds, Double.NaN, Double.NaN);
    }

    /** Multiply-adds counted twice: networks, AIS products (two per temperature), energies, decoder. */
    static double flopsPerExample(ModelConfig c, EvalSettings s) {
        double k = s.samples();
        int n = c.latents();
        int n1 = c.side1();
        int n2 = c.side2();
        double decoder = 2 * k * ((double) n * HIDDEN + HIDDEN * HIDDEN + (double) HIDDEN * PIXELS);
        double priorEnergy = 2 * k * n1 * n2;
        double encoderTrunk = 2.0 * ((double) PIXELS * HIDDEN + HIDDEN * HIDDEN);
        if (c.posterior() == PosteriorKind.RBM) {
            double head = 2.0 * HIDDEN * (n1 + n2 + (double) n1 * n2);
            double ais = (s.posteriorTemps() - 1) * 2 * 2.0 * s.posteriorParticles() * n1 * n2;
            double posteriorEnergy = 2 * k * n1 * n2;
            return encoderTrunk + head + ais + posteriorEnergy + priorEnergy + decoder;
        }
        int group = n / c.levels();
        double levels = 0;
        for (int i = 0; i < c.levels(); i++) {
            levels += 2 * k * (HIDDEN + (double) i * group) * group;
        }
        return encoderTrunk + levels + priorEnergy + decoder;
    }

    private static Matrix images(int rows, long seed) {
        RandomStream rng = new RandomStream(seed);
        Matrix x = new Matrix(rows, PIXELS);
        for (int i = 0; i < x.data.length; i++) {
            x.data[i] = rng.nextFloat() < 0.13f ? 1f : 0f;
        }
        return x;
    }

    private static int[] indices(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }
}
