package dvae.cli;

import dvae.math.BadInputException;
import dvae.math.blas.Blas;
import dvae.math.data.BinaryImages;
import dvae.math.data.Dataset;
import dvae.math.data.Images;
import dvae.math.eval.EvalSettings;
import dvae.math.eval.Evaluation;
import dvae.math.eval.ExactEvaluation;
import dvae.math.eval.Multimodality;
import dvae.math.eval.PartialResults;
import dvae.math.io.AtomicFiles;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.RbmPosterior;
import dvae.math.random.RandomStream;
import dvae.math.rbm.Annealing;
import dvae.math.run.RunDirectory;
import dvae.math.tensor.Matrix;
import dvae.math.util.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dvae eval}: a trained run's test (or validation) negative log-likelihood as the paper measures it, K = 4000
 * importance samples per example; with {@code --exact}, also by enumerating the latent space; with {@code --modes},
 * the multimodality analysis of the posteriors and the prior instead.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Importance-weighted NLL of a trained run (K discrete samples per example, prior log Z by AIS), "
                + "exact NLL for small latent spaces (--exact), or the modes of the RBMs (--modes).")
final class EvalCommand implements Callable<Integer> {
    enum Split { test, valid }

    @Mixin
    SettingsOptions settingsOptions;

    @Option(names = "--run", paramLabel = "DIR", required = true, description = "The training run's directory.")
    Path runDir;

    @Option(names = "--checkpoint", defaultValue = "best",
            description = "best (lowest validation NLL; the last one if none was scored) or last "
                    + "(default: ${DEFAULT-VALUE}).")
    String checkpoint;

    @Option(names = "--split", defaultValue = "test", description = "test or valid (default: ${DEFAULT-VALUE}).")
    Split split;

    @Option(names = "--samples", defaultValue = "4000",
            description = "K, samples per example (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--limit", paramLabel = "N", description = "Evaluate a seeded random subset of N examples.")
    Integer limit;

    @Option(names = "--workers", paramLabel = "W", description = "Threads (default: the number of cores).")
    Integer workers;

    @Option(names = "--prior-temps", defaultValue = "" + EvalSettings.PRIOR_TEMPS,
            description = "Prior AIS temperatures (default: ${DEFAULT-VALUE}).")
    int priorTemps;

    @Option(names = "--prior-chains", defaultValue = "" + EvalSettings.PRIOR_CHAINS,
            description = "Prior AIS chains (default: ${DEFAULT-VALUE}).")
    int priorChains;

    @Option(names = "--posterior-temps", defaultValue = "500",
            description = "RBM posterior AIS temperatures per example (default: ${DEFAULT-VALUE}).")
    int posteriorTemps;

    @Option(names = "--posterior-particles", paramLabel = "P",
            description = "RBM posterior AIS particles per example, the first K of which are its samples (default: K).")
    Integer posteriorParticles;

    @Option(names = "--posterior-weights", paramLabel = "joint|marginal", defaultValue = "joint",
            description = "What the RBM posterior's AIS weights its particles by: joint (both sides' states, the "
                    + "density exp(-beta E)) or marginal (side 2 summed out: lower variance, about a fifth slower "
                    + "at 100+100) (default: ${DEFAULT-VALUE}).")
    String posteriorWeights;

    @Option(names = "--seed", defaultValue = "1",
            description = "Seed of every random stream (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--exact", description = "Also enumerate all latent states (at most 20 latents): exact log p(x), "
            + "exact log Z of prior and posteriors, and the K-sample estimate's gap to them.")
    boolean exact;

    @Option(names = "--modes", description = "Instead of the NLL: count the modes of the first validation examples' "
            + "RBM posteriors and of the prior, with KL(mean field || RBM) (paper section 4.1.1).")
    boolean modes;

    @Option(names = "--modes-examples", defaultValue = "5",
            description = "Validation examples for --modes (default: ${DEFAULT-VALUE}).")
    int modesExamples;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data cache folder (default: setting dvae.data.dir).")
    Path dataDir;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        if (limit != null && limit < 1) {
            throw new BadInputException("--limit must be at least 1, got " + limit);
        }
        int threads = workers != null ? workers : Runtime.getRuntime().availableProcessors();
        EvalSettings settings = new EvalSettings(samples, priorTemps, priorChains, posteriorTemps,
                posteriorParticles != null ? posteriorParticles : samples, weights(posteriorWeights), seed);
        TrainedRun trained = TrainedRun.open(runDir, checkpoint, settingsOptions.load(), dataDir);
        RunDirectory run = trained.run();
        ChosenCheckpoint chosen = trained.chosen();
        DvaeModel model = trained.model();
        Dataset data = trained.data();
        if (exact) {
            ExactEvaluation.checkEnumerable(model);
        }
        Map<String, Object> report = modes
                ? modes(model, settings, data, chosen)
                : nll(model, settings, threads, data, run, chosen);
        String name = (modes ? "modes-valid-" : "eval-" + split + "-") + chosen.kind() + (exact ? "-exact" : "")
                + ".json";
        AtomicFiles.writeString(run.root().resolve(name), Json.write(report) + "\n");
        System.out.println(json ? Json.write(report) : summary(report));
        return 0;
    }

    private Map<String, Object> nll(DvaeModel model, EvalSettings settings, int threads, Dataset data,
                                    RunDirectory run, ChosenCheckpoint chosen) {
        BinaryImages images = split == Split.test ? data.test() : data.valid();
        int[] indices = Evaluation.subset(images.rows(), limit == null ? 0 : limit, settings.seed());
        Matrix x = new Matrix(indices.length, Images.PIXELS);
        images.fill(indices, x.data);
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("checkpoint_dir", chosen.checkpoint().dir().getFileName());
        identity.put("dataset", data.name());
        identity.put("split", split);
        identity.put("examples", indices.length);
        identity.put("limit", limit);
        identity.put("settings", settings);
        String base = "eval-" + split + "-" + chosen.kind();
        Evaluation evaluation = new Evaluation(model, settings, threads);
        if (model.config().objective() != ObjectiveKind.STRUCT) {
            System.err.printf(Locale.ROOT, "prior log Z: AIS and reverse AIS, %d temperatures x %d chains, run first "
                    + "(kept with the examples' results)%n", settings.priorTemps(), settings.priorChains());
        }
        Evaluation.Outcome outcome;
        try (PartialResults partial = PartialResults.open(run.root().resolve(base + ".examples.jsonl"), identity)) {
            outcome = evaluation.run(x, indices, partial, new Progress("eval " + split, indices.length));
        }
        ObjectiveKind objective = model.config().objective();
        boolean structured = objective == ObjectiveKind.STRUCT;
        Evaluation.PriorLogZ prior = outcome.prior();
        double logZ = structured ? 0 : prior.ais().logZ();
        Evaluation.MeanAndError nll = Evaluation.MeanAndError.of(Evaluation.nlls(outcome, logZ, objective));
        Map<String, Object> r = header(model, data, chosen);
        r.put("split", split);
        r.put("metric", structured ? "-log p(x2|x1), bottom half given top half" : "-log p(x)");
        r.put("nll", nll.mean());
        r.put("nll_standard_error", nll.standardError());
        r.put("examples", indices.length);
        r.put("examples_in_split", images.rows());
        r.put("subset", limit == null || limit >= images.rows() ? "all"
                : "seeded random subset (seed " + settings.seed() + ")");
        r.put("samples_per_example", settings.samples());
        if (!structured) {
            r.put("prior_log_z", priorJson(prior));
            // NLL is linear in log Z: the reverse-AIS value gives the other side of the bracket.
            r.put("nll_with_reverse_ais_log_z", nll.mean() + prior.reverse().logZ() - prior.ais().logZ());
        }
        if (model.posterior() instanceof RbmPosterior) {
            Map<String, Object> post = new LinkedHashMap<>();
            post.put("method", "ais");
            post.put("base", "biases");
            post.put("temps", settings.posteriorTemps());
            post.put("particles", settings.posteriorParticles());
            post.put("weights", settings.posteriorWeights().label());
            post.put("samples", "the first K final AIS particles, unweighted");
            post.put("mean_log_z_sd", outcome.examples().stream()
                    .mapToDouble(Evaluation.ExampleResult::posteriorSdOfLogZ).average().orElse(Double.NaN));
            r.put("posterior_log_z", post);
        } else {
            r.put("posterior_samples", "ancestral, level by level, exact log q");
        }
        r.put("seed", settings.seed());
        r.put("workers", threads);
        r.put("resumed_examples", outcome.resumed());
        r.put("seconds", outcome.seconds());
        r.put("blas", Blas.backend());
        r.put("examples_file", run.root().resolve(base + ".examples.jsonl").toString());
        if (exact) {
            r.put("exact", exactJson(model, x, outcome, nll));
        }
        return r;
    }

    private static Annealing.Weights weights(String option) {
        return switch (option) {
            case "joint" -> Annealing.Weights.JOINT;
            case "marginal" -> Annealing.Weights.MARGINAL;
            default -> throw new BadInputException("--posterior-weights must be joint or marginal, got '" + option
                    + "'");
        };
    }

    private static Map<String, Object> header(DvaeModel model, Dataset data, ChosenCheckpoint chosen) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", model.config().label());
        r.put("objective", model.config().objective().name().toLowerCase(Locale.ROOT));
        r.put("dataset", data.name());
        r.put("binarization", data.binarization());
        r.put("checkpoint", chosen.kind());
        r.put("checkpoint_dir", chosen.checkpoint().dir().toString());
        r.put("checkpoint_step", chosen.checkpoint().step());
        r.put("checkpoint_score", chosen.checkpoint().score());
        return r;
    }

    private static Map<String, Object> priorJson(Evaluation.PriorLogZ prior) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("ais", prior.ais().logZ());
        p.put("ais_sd", prior.ais().sd());
        p.put("reverse_ais", prior.reverse().logZ());
        p.put("reverse_ais_sd", prior.reverse().sd());
        p.put("temps", prior.ais().temps());
        p.put("chains", prior.ais().chains());
        p.put("base", prior.ais().base().label());
        p.put("reverse_burn_in_sweeps", Annealing.REVERSE_BURN_IN);
        return p;
    }

    /** Exact log p(x) by enumeration, exact log Z of prior and posteriors, and the K-sample estimate's gaps. */
    private static Map<String, Object> exactJson(DvaeModel model, Matrix x, Evaluation.Outcome outcome,
                                                 Evaluation.MeanAndError estimate) {
        ObjectiveKind objective = model.config().objective();
        boolean structured = objective == ObjectiveKind.STRUCT;
        double[] exactLogP = ExactEvaluation.logLikelihoods(model, x);
        double[] exactNll = Arrays.stream(exactLogP).map(v -> -v).toArray();
        double exactLogZ = structured ? 0 : ExactEvaluation.priorLogZ(model);
        double logZ = structured ? 0 : outcome.prior().ais().logZ();
        double[] withAis = Evaluation.nlls(outcome, logZ, objective);
        double[] withExactLogZ = Evaluation.nlls(outcome, exactLogZ, objective);
        Map<String, Object> e = new LinkedHashMap<>();
        Evaluation.MeanAndError exactMean = Evaluation.MeanAndError.of(exactNll);
        e.put("nll", exactMean.mean());
        e.put("nll_standard_error", exactMean.standardError());
        e.put("estimate_minus_exact", pairedGap(withAis, exactNll));
        if (!structured) {
            e.put("prior_log_z", exactLogZ);
            e.put("prior_ais_minus_exact", logZ - exactLogZ);
            e.put("estimate_with_exact_prior_log_z_minus_exact", pairedGap(withExactLogZ, exactNll));
        }
        if (model.posterior() instanceof RbmPosterior) {
            List<Double> gaps = new ArrayList<>();
            for (int row = 0; row < x.rows; row++) {
                float[] xe = Arrays.copyOfRange(x.data, row * x.cols, (row + 1) * x.cols);
                gaps.add(outcome.examples().get(row).posteriorLogZ() - ExactEvaluation.posteriorLogZ(model, xe));
            }
            e.put("posterior_ais_minus_exact_log_z", Evaluation.MeanAndError.of(
                    gaps.stream().mapToDouble(Double::doubleValue).toArray()).toMap());
        }
        return e;
    }

    private static Map<String, Object> pairedGap(double[] estimate, double[] exact) {
        double[] d = new double[estimate.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = estimate[i] - exact[i];
        }
        return Evaluation.MeanAndError.of(d).toMap();
    }

    private Map<String, Object> modes(DvaeModel model, EvalSettings settings, Dataset data, ChosenCheckpoint chosen) {
        Map<String, Object> r = header(model, data, chosen);
        BinaryImages valid = data.valid();
        int n = Math.min(modesExamples, valid.rows());
        List<Object> posteriors = new ArrayList<>();
        if (model.posterior() instanceof RbmPosterior) {
            float[] x = new float[Images.PIXELS];
            for (int i = 0; i < n; i++) {
                valid.fillRange(i, 1, x);
                Multimodality.Modes m = Multimodality.ofPosterior(model, x, settings,
                        RandomStream.forPurpose(settings.seed(), "eval-modes-" + i));
                posteriors.add(modesJson("valid-" + i, m));
            }
        }
        r.put("posterior_modes", model.posterior() instanceof RbmPosterior ? posteriors
                : "factorial levels: a directed posterior is not an RBM");
        r.put("prior_modes", modesJson("prior", Multimodality.ofPrior(model, settings,
                RandomStream.forPurpose(settings.seed(), "eval-modes-prior"))));
        r.put("mean_field_passes", Multimodality.PASSES);
        r.put("mode_needs_more_than", Multimodality.MIN_VISITS);
        r.put("posterior_ais", Map.of("temps", settings.posteriorTemps(), "particles", settings.posteriorParticles(),
                "weights", settings.posteriorWeights().label()));
        r.put("prior_ais", Map.of("temps", settings.priorTemps(), "chains", settings.priorChains()));
        r.put("seed", settings.seed());
        return r;
    }

    private static Map<String, Object> modesJson(String what, Multimodality.Modes m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rbm", what);
        out.put("samples", m.samples());
        out.put("modes", m.count());
        out.put("mean_kl", m.meanKl());
        out.put("largest", m.modes().subList(0, Math.min(10, m.count())));
        return out;
    }

    private static String summary(Map<String, Object> r) {
        StringBuilder s = new StringBuilder();
        r.forEach((k, v) -> s.append(String.format(Locale.ROOT, "%-28s %s%n", k, v)));
        return s.toString().stripTrailing();
    }
}
