package dvae.math.toy;

import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.autodiff.Role;
import dvae.math.optim.Adam;
import dvae.math.random.RandomStream;
import dvae.math.util.KeptResults;
import dvae.math.util.ProgressListener;
import java.util.ArrayList;
import java.util.List;

/**
 * The toy of the paper's Section 3.1 and Fig. 2: fit q_φ, a 2-D Gaussian, to p with energy ½(z−μ)ᵀΛ(z−μ),
 * μ = [1, 1], Λ = [[1.1, 0.9], [0.9, 1.1]], by minimising KL(q‖p) with each gradient estimator: the paper's for
 * t = 1, 2, 4, 8 Gibbs updates, the same with term I, REINFORCE and the reparameterisation trick. Every run starts at
 * q = N(0, I) and uses Adam; the KL is exact (closed form), and the gradient variance is measured at fixed φ.
 */
public final class ToyGaussian {
    public static final PrecisionGaussian TARGET = PrecisionGaussian.fromPrecision(1, 1, 1.1, 0.9, 1.1);

    /**
     * @param iterations      Adam updates per run
     * @param batch           independent draws averaged in each gradient estimate
     * @param learningRate    Adam's step size (ε = 1e-8, the usual Adam setting)
     * @param ts              numbers of Gibbs updates for the paper's estimator
     * @param curvePoints     about how many KL values each curve keeps
     * @param varianceDraws   gradient estimates drawn at each variance checkpoint
     * @param variancePoints  about how many checkpoints (log-spaced iterations) measure the gradient variance
     */
    public record Settings(int iterations, int batch, double learningRate, List<Integer> ts, int curvePoints,
                           int varianceDraws, int variancePoints) {
        public Settings {
            ts = List.copyOf(ts);
            if (iterations < 1 || batch < 1 || !(learningRate > 0) || ts.isEmpty() || curvePoints < 1
                    || varianceDraws < 2 || variancePoints < 1) {
                throw new IllegalArgumentException("invalid toy-gaussian settings: " + this);
            }
        }

        /** The estimators compared, in the order of the figure's legend. */
        public List<GaussianEstimator> estimators() {
            List<GaussianEstimator> all = new ArrayList<>();
            for (int t : ts) {
                all.add(GaussianEstimator.gibbs(t, false));
            }
            for (int t : ts) {
                all.add(GaussianEstimator.gibbs(t, true));
            }
            all.add(GaussianEstimator.reinforce());
            all.add(GaussianEstimator.reparameterized());
            return all;
        }
    }

    /**
     * One estimator over all seeds: the KL curve (geometric mean over seeds), each seed's final KL, and the trace of
     * the gradient estimate's covariance (mean over seeds) at log-spaced checkpoints of each run.
     */
    public record MethodResult(String method, Curve kl, double[] finalKlPerSeed, Curve gradientVariance) {
        public double finalKl() {
            return kl.last();
        }
    }

    public record Result(Settings settings, int seeds, double initialKl, List<MethodResult> methods) {
        public MethodResult method(String id) {
            return methods.stream().filter(m -> m.method().equals(id)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no method " + id));
        }
    }

    private ToyGaussian() {
    }

    /** q's starting point N(0, I). */
    static double[] initialPhi() {
        return new double[PrecisionGaussian.PARAMETERS];
    }

    /**
     * Runs every estimator for {@code seeds} seeds; each (estimator, seed) run's curves are kept in {@code kept} as it
     * finishes and read back from there when it holds them.
     */
    public static Result run(Settings settings, int seeds, ProgressListener progress, KeptResults kept) {
        List<GaussianEstimator> estimators = settings.estimators();
        long total = (long) estimators.size() * seeds * settings.iterations();
        long done = 0;
        List<MethodResult> methods = new ArrayList<>();
        for (GaussianEstimator estimator : estimators) {
            List<Curve> kls = new ArrayList<>();
            List<Curve> variances = new ArrayList<>();
            for (int seed = 1; seed <= seeds; seed++) {
                long trainSeed = seed;
                boolean[] keptBefore = {false};
                Run run = kept.getOrRun("toy-gaussian-" + estimator.id().replace('+', '-') + "-seed-" + seed,
                        Run.class, () -> keptBefore[0] = true, () -> train(settings, estimator, trainSeed));
                kls.add(run.kl());
                variances.add(run.gradientVariance());
                done += settings.iterations();
                ProgressListener.report(progress, keptBefore[0], done, total,
                        String.format("%s seed %d: KL %.3g", estimator.id(), seed, run.kl().last()));
            }
            methods.add(new MethodResult(estimator.id(), Curve.geometricMean(kls),
                    kls.stream().mapToDouble(Curve::last).toArray(), Curve.arithmeticMean(variances)));
        }
        return new Result(settings, seeds, new PrecisionGaussian(initialPhi()).klTo(TARGET), methods);
    }

    /** One optimisation's exact KL and gradient variance curves. */
    public record Run(Curve kl, Curve gradientVariance) {
    }

    /** One optimisation; the variance probes draw from their own stream so they leave the trajectory unchanged. */
    static Run train(Settings s, GaussianEstimator estimator, long seed) {
        RandomStream rng = RandomStream.forPurpose(seed, "toy-gaussian/" + estimator.id());
        RandomStream probeRng = RandomStream.forPurpose(seed, "toy-gaussian/variance/" + estimator.id());
        ParamSet params = new ParamSet();
        Param phi = params.add("phi", Role.BIAS, Numerics.toMatrix(initialPhi()));
        Adam adam = Numerics.adam(params);
        long[] klAt = Schedules.even(s.iterations(), s.curvePoints());
        long[] varianceAt = Schedules.logSpaced(s.iterations(), s.variancePoints());
        double[] kl = new double[klAt.length];
        double[] variance = new double[varianceAt.length];
        int nextKl = 0;
        int nextVariance = 0;
        for (long it = 0; ; it++) {
            PrecisionGaussian q = new PrecisionGaussian(Numerics.toDoubles(phi.value()));
            if (nextKl < klAt.length && klAt[nextKl] == it) {
                kl[nextKl++] = q.klTo(TARGET);
            }
            if (nextVariance < varianceAt.length && varianceAt[nextVariance] == it) {
                variance[nextVariance++] = gradientVariance(q, estimator, s, probeRng);
            }
            if (it == s.iterations()) {
                break;
            }
            double[] g = estimator.estimate(q, TARGET, s.batch(), rng);
            for (int k = 0; k < g.length; k++) {
                phi.grad().data[k] = (float) g[k];
            }
            adam.step(s.learningRate());
        }
        return new Run(new Curve(klAt, kl), new Curve(varianceAt, variance));
    }

    /** Trace of the covariance of one iteration's gradient estimate at fixed q, over {@code varianceDraws} draws. */
    static double gradientVariance(PrecisionGaussian q, GaussianEstimator estimator, Settings s, RandomStream rng) {
        int n = s.varianceDraws();
        double[] sum = new double[PrecisionGaussian.PARAMETERS];
        double[] sumSquares = new double[PrecisionGaussian.PARAMETERS];
        for (int r = 0; r < n; r++) {
            double[] g = estimator.estimate(q, TARGET, s.batch(), rng);
            for (int k = 0; k < g.length; k++) {
                sum[k] += g[k];
                sumSquares[k] += g[k] * g[k];
            }
        }
        double trace = 0;
        for (int k = 0; k < sum.length; k++) {
            double mean = sum[k] / n;
            trace += (sumSquares[k] - n * mean * mean) / (n - 1);
        }
        return trace;
    }
}
