package dvae.cli;

import dvae.math.data.Dataset;
import dvae.math.eval.EvalSettings;
import dvae.math.eval.Multimodality;
import dvae.math.random.RandomStream;
import dvae.math.rbm.Annealing;
import dvae.math.rbm.AnnealingBase;
import dvae.math.rbm.Rbm;
import dvae.math.tensor.Matrix;
import dvae.math.toy.Curve;
import dvae.math.util.ProgressListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;

/**
 * {@code dvae experiment fig4}: the paper's Fig. 4. A trained DVAE##'s prior (AIS from the uniform distribution) and
 * the RBM posterior of the first test image (AIS from its own biases) are annealed with increasing numbers of
 * temperatures; for each, |mean log Ẑ − log Z_ref| and the standard deviation of log Ẑ over independent repeats, where
 * log Z_ref is one AIS run with many more temperatures (2^18 at the paper budget).
 */
final class Fig4Experiment implements DatasetExperiment {
    @Override
    public String name() {
        return "fig4";
    }

    @Override
    public String description() {
        return "Fig. 4: error and spread of AIS log Z against the number of temperatures, posterior vs prior";
    }

    /** One number of temperatures: the repeats' mean absolute error against the reference and their spread. */
    record Point(int temps, double error, double sd, double[] logZ) {
    }

    /** One RBM's curve and its reference. */
    record Series(String rbm, String base, String weights, int chains, double referenceLogZ, List<Point> points) {
        /** The RBM with the AIS weighting, for legends and summaries. */
        String name() {
            return rbm + " (" + weights + " weights)";
        }
    }

    /** One DVAE## whatever {@code seeds} says: the seed is {@code dvae.seed}. */
    @Override
    public Report run(Budget budget, int seeds, Settings s, Dataset data, ProgressListener progress,
                      ExperimentProgress kept) {
        String b = "." + budget.id();
        int[] temps = s.intList(key("temps" + b), 2);
        int referenceTemps = s.intAtLeast(key("reference-temps" + b), 2);
        int repeats = s.intAtLeast(key("repeats" + b), 2);
        long seed = s.longAtLeast("dvae.seed", 0);
        TrainingRuns.Trained trained = TrainingRuns.trainDvaeSharpSharp(this, budget, s, data, progress, kept);
        long iterations = trained.training().iterations();
        Matrix x = TrainingRuns.testImages(data, 1);
        // The posterior with both weightings: the evaluation's (joint) and the lower-variance summed-out one.
        Rbm posterior = Multimodality.posteriorRbm(trained.model(), x.data);
        int posteriorChains = s.intAtLeast(key("posterior-chains" + b), 1);
        List<Series> series = List.of(
                series("posterior of test image 0", posterior, AnnealingBase.BIASES, Annealing.Weights.JOINT,
                        posteriorChains, temps, referenceTemps, repeats, seed),
                series("posterior of test image 0", posterior, AnnealingBase.BIASES, Annealing.Weights.MARGINAL,
                        posteriorChains, temps, referenceTemps, repeats, seed),
                series("prior", trained.model().prior().asRbm(), AnnealingBase.UNIFORM, Annealing.Weights.MARGINAL,
                        s.intAtLeast(key("prior-chains" + b), 1), temps, referenceTemps, repeats, seed));
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("experiment", name());
        summary.put("budget", budget.id());
        summary.put("dataset", data.name());
        summary.put("model", trained.config().label());
        summary.put("training_iterations", iterations);
        summary.put("reference_temps", referenceTemps);
        summary.put("repeats", repeats);
        summary.put("series", series);
        return new Report(summary, Map.of(), table(budget, data, trained.config().label(), iterations, referenceTemps,
                repeats, series), List.of(new Figure("fig4.png", chart(series))));
    }

    private static Series series(String label, Rbm rbm, AnnealingBase base, Annealing.Weights weights, int chains,
                                 int[] temps, int referenceTemps, int repeats, long seed) {
        double reference = Annealing.ais(rbm, referenceTemps, chains, base, weights,
                RandomStream.forPurpose(seed, "fig4-reference-" + label)).estimate().logZ();
        List<Point> points = new ArrayList<>();
        for (int t : temps) {
            double[] logZ = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                logZ[r] = Annealing.ais(rbm, t, chains, base, weights,
                        RandomStream.forPurpose(seed, "fig4-" + label + "-" + t + "-" + r)).estimate().logZ();
            }
            points.add(new Point(t, Math.abs(TrainingRuns.mean(logZ) - reference), TrainingRuns.sd(logZ), logZ));
        }
        return new Series(label, base.label(), weights.label(), chains, reference, points);
    }

    private static XYChart chart(List<Series> series) {
        XYChart chart = LineCharts.logY("fig4: AIS log Z against temperatures (Fig. 4)", "temperatures",
                "nats", true);
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            long[] t = s.points().stream().mapToLong(Point::temps).toArray();
            LineCharts.add(chart, s.name() + ": |log Z - ref|", new Curve(t,
                    s.points().stream().mapToDouble(p -> Math.max(p.error(), 1e-12)).toArray()), 0,
                    LineCharts.colour(i), false);
            LineCharts.add(chart, s.name() + ": sd of log Z", new Curve(t,
                    s.points().stream().mapToDouble(p -> Math.max(p.sd(), 1e-12)).toArray()), 0,
                    LineCharts.colour(i), true);
        }
        return chart;
    }

    private static String table(Budget budget, Dataset data, String model, long iterations, int referenceTemps,
                                int repeats, List<Series> series) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "**fig4** (paper Fig. 4), budget `%s`: %s after %,d iterations on %s; "
                        + "%d AIS repeats per number of temperatures; reference log Z by one AIS run with %,d "
                        + "temperatures. Paper: the posterior reaches sd 1e-2 with about 10× fewer temperatures than "
                        + "the prior.%n%n", budget.id(), model, iterations, data.name(), repeats, referenceTemps));
        md.append("| RBM (AIS base, weights, chains) | temperatures | abs(log Ẑ − ref) | sd of log Ẑ |\n")
                .append("|---|---|---|---|\n");
        for (Series s : series) {
            for (Point p : s.points()) {
                md.append(String.format(Locale.ROOT, "| %s (%s, %s, %d) | %,d | %.2e | %.2e |%n", s.rbm(), s.base(),
                        s.weights(), s.chains(), p.temps(), p.error(), p.sd()));
            }
        }
        md.append('\n').append(series.stream().map(s -> String.format(Locale.ROOT,
                "Fewest temperatures with sd ≤ 1e-2, %s: %s.", s.name(), s.points().stream()
                        .filter(p -> p.sd() <= 1e-2).findFirst().map(p -> String.format(Locale.ROOT, "%,d", p.temps()))
                        .orElse("none of those tried"))).reduce((a, c) -> a + " " + c).orElse("")).append('\n');
        return md.toString();
    }
}
