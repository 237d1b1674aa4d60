package dvae.cli;

import dvae.math.data.Dataset;
import dvae.math.eval.EvalSettings;
import dvae.math.eval.Multimodality;
import dvae.math.random.RandomStream;
import dvae.math.tensor.Matrix;
import dvae.math.util.ProgressListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code dvae experiment modes}: the paper's §4.1.1. A DVAE## is trained, then the eval package's mode analysis
 * (mean-field descent from AIS samples) counts the modes of the RBM posteriors of test images and of the prior.
 */
final class ModesExperiment implements DatasetExperiment {
    @Override
    public String name() {
        return "modes";
    }

    @Override
    public String description() {
        return "Section 4.1.1: modes of DVAE##'s RBM posteriors and of its prior, with KL(mean field || q)";
    }

    /** One DVAE## whatever {@code seeds} says: the seed is {@code dvae.seed}. */
    @Override
    public Report run(Budget budget, int seeds, Settings s, Dataset data, ProgressListener progress,
                      ExperimentProgress kept) {
        String b = "." + budget.id();
        int examples = s.intAtLeast(key("examples" + b), 1);
        long seed = s.longAtLeast("dvae.seed", 0);
        EvalSettings eval = new EvalSettings(s.intAtLeast(key("samples" + b), 1), s.intAtLeast(key("prior-temps" + b),
                2), s.intAtLeast(key("prior-chains" + b), 1), s.intAtLeast(key("posterior-temps" + b), 2),
                s.intAtLeast(key("samples" + b), 1), EvalSettings.POSTERIOR_WEIGHTS, seed);
        TrainingRuns.Trained trained = TrainingRuns.trainDvaeSharpSharp(this, budget, s, data, progress, kept);
        long iterations = trained.training().iterations();
        Matrix x = TrainingRuns.testImages(data, examples);
        List<Multimodality.Modes> posteriors = new ArrayList<>();
        for (int i = 0; i < x.rows; i++) {
            posteriors.add(Multimodality.ofPosterior(trained.model(),
                    Arrays.copyOfRange(x.data, i * x.cols, (i + 1) * x.cols), eval,
                    RandomStream.forPurpose(seed, "modes-" + i)));
        }
        Multimodality.Modes prior = Multimodality.ofPrior(trained.model(), eval,
                RandomStream.forPurpose(seed, "modes-prior"));
        double oneMode = posteriors.stream().filter(m -> m.count() == 1).count() / (double) posteriors.size();
        double[] kl = posteriors.stream().mapToDouble(Multimodality.Modes::meanKl).toArray();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("experiment", name());
        summary.put("budget", budget.id());
        summary.put("dataset", data.name());
        summary.put("model", trained.config().label());
        summary.put("training_iterations", iterations);
        summary.put("eval", eval);
        summary.put("posteriors", posteriors.size());
        summary.put("fraction_with_one_mode", oneMode);
        summary.put("posterior_modes", posteriors.stream().mapToInt(Multimodality.Modes::count).toArray());
        summary.put("posterior_mean_kl", kl);
        summary.put("prior_modes", prior.count());
        summary.put("prior_mean_kl", prior.meanKl());
        summary.put("paper", Map.of("fraction_with_one_mode", "about 0.9", "prior_modes", "10 to 20",
                "kl_mean_field_q", "0.5 to 2"));
        String table = String.format(Locale.ROOT, "**modes** (paper §4.1.1), budget `%s`: %s after %,d iterations on "
                        + "%s; the first %d test images; %d AIS samples per RBM (posterior: %d temperatures from its "
                        + "biases; prior: %d temperatures × %d chains from uniform), %d mean-field passes, a mode "
                        + "needs more than %d visits.%n%n| | ours | paper |%n|---|---|---|%n"
                        + "| posteriors with one mode | %.0f%% | about 90%% |%n| modes of the prior | %d | 10–20 |%n"
                        + "| KL(mean field ‖ q), posteriors | %.2f to %.2f | 0.5 to 2 |%n",
                budget.id(), trained.config().label(), iterations, data.name(), posteriors.size(), eval.samples(),
                eval.posteriorTemps(), eval.priorTemps(), eval.priorChains(), Multimodality.PASSES,
                Multimodality.MIN_VISITS, 100 * oneMode, prior.count(), Arrays.stream(kl).min().orElse(Double.NaN),
                Arrays.stream(kl).max().orElse(Double.NaN));
        return new Report(summary, Map.of(), table, List.of());
    }
}
