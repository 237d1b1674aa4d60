package dvae.math.eval;

import dvae.math.model.DvaeModel;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.random.RandomStream;
import dvae.math.rbm.Annealing;
import dvae.math.rbm.AnnealingBase;
import dvae.math.rbm.LogZEstimate;
import dvae.math.rbm.Rbm;
import dvae.math.tensor.Matrix;
import dvae.math.util.Progress;
import dvae.math.util.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The importance-weighted evaluation of a model on a set of examples: the prior's log Z by AIS (with reverse AIS
 * beside it) and every example's K-sample estimate, in parallel over examples on a fixed pool of threads. Each example
 * draws from its own stream, derived from the seed and its data-set index, so results do not depend on the number of
 * threads or their scheduling; with a {@link PartialResults} file an interrupted evaluation resumes to the same result.
 */
public final class Evaluation {
    private final DvaeModel model;
    private final EvalSettings settings;
    private final int workers;
    private final ExampleEstimator estimator;

    /** The prior's AIS estimate of log Z and the reverse-AIS one (the other side of the bracket). */
    public record PriorLogZ(LogZEstimate ais, LogZEstimate reverse) {
    }

    /** One example's result, keyed by its index in the data set split. */
    public record ExampleResult(int index, double logMeanWeight, double posteriorLogZ,
                               double posteriorSdOfLogZ) {
    }

    /**
     * Results sorted by example index, how many came from an earlier interrupted run, and the seconds this run took.
     * prior is null in structured prediction.
     */
    public record Outcome(PriorLogZ prior, List<ExampleResult> examples, int resumed, double seconds) {
    }

    public Evaluation(DvaeModel model, EvalSettings settings, int workers) {
        if (workers < 1) {
            throw new dvae.math.BadInputException("--workers must be at least 1, got " + workers);
        }
        this.model = model;
        this.settings = settings;
        this.workers = workers;
        this.estimator = new ExampleEstimator(model, settings);
    }

    /**
     * The sorted indices of the examples of a split of {@code rows} to evaluate: all when {@code limit} is 0 or at
     * least {@code rows}, else a random subset of {@code limit} drawn from {@code seed}, the same for the same seed.
     */
    public static int[] subset(int rows, int limit, long seed) {
        int[] all = new int[rows];
        for (int i = 0; i < rows; i++) {
            all[i] = i;
        }
        if (limit == 0 || limit >= rows) {
            return all;
        }
        RandomStream.forPurpose(seed, "eval-subset").shuffle(all);
        int[] picked = java.util.Arrays.copyOf(all, limit);
        java.util.Arrays.sort(picked);
        return picked;
    }

    /** The stream that example {@code index} of the evaluated split draws from. */
    static RandomStream exampleStream(long seed, int index) {
        return RandomStream.forPurpose(seed, "eval-example-" + index);
    }

    /**
     * Evaluates the rows of {@code images}, row r being example {@code indices[r]} of its split.
     *
     * @param partial where results are kept as they arrive (and earlier ones read from), or null
     * @param progress progress over the examples, or null
     */
    public Outcome run(Matrix images, int[] indices, PartialResults partial, Progress progress) {
        long t0 = System.nanoTime();
        List<ExampleResult> done = new ArrayList<>(partial == null ? List.of() : partial.examples());
        Set<Integer> wanted = new HashSet<>();
        for (int i : indices) {
            wanted.add(i);
        }
        done.removeIf(r -> !wanted.contains(r.index()));
        Set<Integer> finished = new HashSet<>();
        done.forEach(r -> finished.add(r.index()));
        int resumed = done.size();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            // Structured prediction has no prior: p(z) = q(z|x1).
            boolean needsPrior = model.config().objective() != ObjectiveKind.STRUCT;
            PriorLogZ known = partial == null ? null : partial.prior().orElse(null);
            CompletableFuture<PriorLogZ> prior = known != null || !needsPrior
                    ? CompletableFuture.completedFuture(known) : priorLogZ(pool, partial);
            List<Future<ExampleResult>> pending = new ArrayList<>();
            int[] count = {resumed};
            for (int r = 0; r < indices.length; r++) {
                if (finished.contains(indices[r])) {
                    continue;
                }
                int row = r;
                pending.add(pool.submit(() -> {
                    int index = indices[row];
                    float[] x = Arrays.copyOfRange(images.data, row * images.cols, (row + 1) * images.cols);
                    ExampleEstimator.Estimate e = onWorker(() -> estimator.estimate(x,
                            exampleStream(settings.seed(), index)));
                    ExampleResult result = new ExampleResult(index, e.logMeanWeight(), e.posteriorLogZ(),
                            e.posteriorSdOfLogZ());
                    if (partial != null) {
                        partial.append(result);
                    }
                    synchronized (count) {
                        count[0]++;
                        if (progress != null && count[0] < indices.length) { // the last line comes from finish
                            progress.update(count[0], "");
                        }
                    }
                    return result;
                }));
            }
            PriorLogZ priorLogZ = await(prior);
            for (Future<ExampleResult> f : pending) {
                done.add(await(f));
            }
            if (progress != null) {
                progress.finish(done.size(), "");
            }
            done.sort(Comparator.comparingInt(ExampleResult::index));
            return new Outcome(priorLogZ, List.copyOf(done), resumed, (System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    /** AIS and reverse AIS of the prior, side by side on the pool ahead of the examples, kept as soon as both end. */
    private CompletableFuture<PriorLogZ> priorLogZ(ExecutorService pool, PartialResults partial) {
        Rbm rbm = model.prior().asRbm();
        CompletableFuture<LogZEstimate> forward = CompletableFuture.supplyAsync(() -> onWorker(() -> priorAis(
                rbm, settings.priorTemps(), settings.priorChains(), settings.seed())), pool);
        CompletableFuture<LogZEstimate> reverse = CompletableFuture.supplyAsync(() -> onWorker(() ->
                Annealing.reverseAis(rbm, settings.priorTemps(), settings.priorChains(), AnnealingBase.UNIFORM,
                        RandomStream.forPurpose(settings.seed(), "eval-prior-rais")).estimate()), pool);
        return forward.thenCombine(reverse, (f, r) -> {
            PriorLogZ p = new PriorLogZ(f, r);
            if (partial != null) {
                partial.append(p);
            }
            return p;
        });
    }

    /** The prior's log Z by AIS from the uniform distribution, drawing from the evaluation's stream for it. */
    public static LogZEstimate priorAis(Rbm prior, int temps, int chains, long seed) {
        return Annealing.ais(prior, temps, chains, AnnealingBase.UNIFORM, RandomStream.forPurpose(seed,
                "eval-prior-ais")).estimate();
    }

    /**
     * A task on one of the workers: with several, each is one part of the cores' work and its products run whole;
     * with one, its products may use every core.
     */
    private <T> T onWorker(java.util.function.Supplier<T> task) {
        return workers > 1 ? Parallel.asOnePart(task) : task.get();
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("evaluation interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** −log p̂(x) of one example given the prior's log Z (−log p̂(x2|x1) in structured prediction, where p(z) = q). */
    public static double nll(ExampleResult r, double priorLogZ, ObjectiveKind objective) {
        return (objective == ObjectiveKind.STRUCT ? 0 : priorLogZ) - r.logMeanWeight();
    }

    /** Mean and standard error over examples. */
    public record MeanAndError(double mean, double standardError, int count) {
        public static MeanAndError of(double[] values) {
            int n = values.length;
            double mean = 0;
            for (double v : values) {
                mean += v;
            }
            mean /= n;
            double ss = 0;
            for (double v : values) {
                ss += (v - mean) * (v - mean);
            }
            double se = n > 1 ? Math.sqrt(ss / (n - 1) / n) : Double.NaN;
            return new MeanAndError(mean, se, n);
        }

        /** As JSON fields: mean, standard_error, count. */
        public java.util.Map<String, Object> toMap() {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("mean", mean);
            m.put("standard_error", standardError);
            m.put("count", count);
            return m;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.4f ± %.4f (n = %d)", mean, standardError, count);
        }
    }

    /** The NLL of every example under the given prior log Z. */
    public static double[] nlls(Outcome outcome, double priorLogZ, ObjectiveKind objective) {
        return outcome.examples().stream().mapToDouble(r -> nll(r, priorLogZ, objective)).toArray();
    }
}
