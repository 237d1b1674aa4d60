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
 * 500 temperatures with 4000 particles) on randomly initialised MNIST-sized models, or on a trained model and its
 * test images ({@link #runOn}), next to its floor: the floating-point operations of one example divided by the sgemm
 * peak measured in the same run. Only a few examples are timed per case, after warm-up examples (three per worker for
 * the first RBM case, one for the second); the prior's log Z (computed once per evaluation) is left out.
 *
 * <p>The floor counts every product in full. A trained RBM posterior's annealing changes few units per sweep late on,
 * and the Gibbs engine then updates the coupling inputs by adding rows instead of multiplying, so a trained model can
 * run faster than its floor; a random one changes a quarter to a half of its units and cannot.
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
        timed.add(measure("rbm-100+100", randomModel(PosteriorKind.RBM, 200, 1), workers,
                randomImages(3 * workers, 1), randomImages(3 * workers, 2)));
        timed.add(measure("rbm-200+200", randomModel(PosteriorKind.RBM, 400, 1), workers, randomImages(workers, 1),
                randomImages(workers, 2)));
        timed.add(measure("directed-L1-100+100", randomModel(PosteriorKind.DIRECTED, 200, 1), workers,
                randomImages(200 * workers, 1), randomImages(100 * workers, 2)));
        timed.add(measure("directed-L4-200+200", randomModel(PosteriorKind.DIRECTED, 400, 4), workers,
                randomImages(200 * workers, 1), randomImages(100 * workers, 2)));
        return withFloors(before, timed, workers);
    }

    /**
     * Times a given (trained) model on the first {@link #warmupExamples} rows of {@code images}, untimed, then on the
     * rest; {@code images} needs {@code warmupExamples(model, workers) + timedExamples(model, workers)} rows.
     */
    public static Report runOn(String name, DvaeModel model, Matrix images, int workers) {
        flopsPerExample(model.config(), settings()); // refuses a posterior whose floor is not counted, before timing
        int warmup = warmupExamples(model, workers);
        int timed = timedExamples(model, workers);
        if (images.rows != warmup + timed) {
            throw new IllegalArgumentException("need " + (warmup + timed) + " images, got " + images.rows);
        }
        double before = PeakFlops.measureGflops(PEAK_REPEATS);
        Case c = measure(name, model, workers, rows(images, 0, warmup), rows(images, warmup, timed));
        return withFloors(before, List.of(c), workers);
    }

    /** Untimed examples before the timed ones: as the random models' first case of the same posterior kind. */
    public static int warmupExamples(DvaeModel model, int workers) {
        return (model.config().posterior() == PosteriorKind.RBM ? 3 : 200) * workers;
    }

    /** Timed examples: as the random models' first case of the same posterior kind. */
    public static int timedExamples(DvaeModel model, int workers) {
        return (model.config().posterior() == PosteriorKind.RBM ? 3 : 100) * workers;
    }

    private static Report withFloors(double peakBefore, List<Case> timed, int workers) {
        // The higher of two peak measurements, so that a neighbour's load during one cannot flatter the ratios.
        double peak = Math.max(peakBefore, PeakFlops.measureGflops(PEAK_REPEATS));
        List<Case> cases = timed.stream().map(c -> {
            double floor = peak / c.gflopPerExample();
            return new Case(c.name(), c.examplesTimed(), c.gflopPerExample(), c.examplesPerSecond(), floor,
                    floor / c.examplesPerSecond());
        }).toList();
        return new Report(peak, workers, cases);
    }

    private static DvaeModel randomModel(PosteriorKind posterior, int latents, int levels) {
        ModelConfig config = new ModelConfig(latents, posterior, levels, RelaxationKind.PWL, 4, true, 10, 30,
                ObjectiveKind.ELBO, 1, 10, 1, 1.5, true, new int[] {HIDDEN, HIDDEN}, new int[] {HIDDEN, HIDDEN},
                BatchNorm.Config.DEFAULT, PIXELS);
        float[] meanPixel = new float[PIXELS];
        java.util.Arrays.fill(meanPixel, 0.13f);
        return new DvaeModel(config, meanPixel, null, new RandomStream(1));
    }

    /** The paper's evaluation, but the prior's log Z (not part of the per-example work) by the smallest AIS. */
    private static EvalSettings settings() {
        return new EvalSettings(EvalSettings.SAMPLES, 2, 1, Annealing.POSTERIOR_TEMPS, Annealing.POSTERIOR_CHAINS,
                EvalSettings.POSTERIOR_WEIGHTS, 1);
    }

    /** Times the case; its floor is filled in once the peak is known. */
    private static Case measure(String name, DvaeModel model, int workers, Matrix warmup, Matrix timed) {
        EvalSettings settings = settings();
        Evaluation evaluation = new Evaluation(model, settings, workers);
        evaluation.run(warmup, indices(warmup.rows), null, null);
        long t0 = System.nanoTime();
        evaluation.run(timed, indices(timed.rows), null, null);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double gflop = flopsPerExample(model.config(), settings) / 1e9;
        return new Case(name, timed.rows, gflop, timed.rows / seconds, Double.NaN, Double.NaN);
    }

    /**
     * Multiply-adds counted twice: the encoder, the posterior (an RBM's head, its AIS products, two per temperature,
     * and its energies; a directed posterior's levels, each conditioned on the shared context and the levels before),
     * the prior's energies and the decoder, over K samples where they are per sample.
     */
    static double flopsPerExample(ModelConfig c, EvalSettings s) {
        double k = s.samples();
        int n1 = c.side1();
        int n2 = c.side2();
        int[] encoder = c.encoderHidden();
        int context = encoder[encoder.length - 1];
        double decoder = k * mlpFlops(c.latents(), c.decoderHidden(), c.pixels());
        double priorEnergy = 2 * k * n1 * n2;
        double encoderTrunk = mlpFlops(c.pixels(), java.util.Arrays.copyOf(encoder, encoder.length - 1), context);
        switch (c.posterior()) {
            case RBM -> {
                double head = 2.0 * context * (n1 + n2 + (double) n1 * n2);
                double ais = (s.posteriorTemps() - 1) * 2 * 2.0 * s.posteriorParticles() * n1 * n2;
                double posteriorEnergy = 2 * k * n1 * n2;
                return encoderTrunk + head + ais + posteriorEnergy + priorEnergy + decoder;
            }
            case DIRECTED -> {
                int group = c.latents() / c.levels();
                double levels = 0;
                for (int i = 0; i < c.levels(); i++) {
                    levels += 2 * k * (context + (double) i * group) * group;
                }
                return encoderTrunk + levels + priorEnergy + decoder;
            }
            default -> throw new IllegalArgumentException("the evaluation's floor is counted for rbm and directed "
                    + "posteriors, not " + c.posterior().name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** Floating-point operations of one row through dense layers in → hidden... → out. */
    private static double mlpFlops(int in, int[] hidden, int out) {
        double flops = 0;
        int from = in;
        for (int h : hidden) {
            flops += 2.0 * from * h;
            from = h;
        }
        return flops + 2.0 * from * out;
    }

    private static Matrix rows(Matrix m, int from, int count) {
        Matrix out = new Matrix(count, m.cols);
        System.arraycopy(m.data, from * m.cols, out.data, 0, count * m.cols);
        return out;
    }

    private static Matrix randomImages(int rows, long seed) {
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
