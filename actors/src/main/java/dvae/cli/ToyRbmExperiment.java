package dvae.cli;

import dvae.math.toy.Curve;
import dvae.math.toy.ToyRbm;
import dvae.math.relax.Concrete;
import dvae.math.relax.PiecewiseLinear;
import dvae.math.relax.Relaxation;
import dvae.math.util.ProgressListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;

/** {@code dvae experiment toy-rbm}: the paper's Appendix A and Fig. 5 (see {@link ToyRbm}). */
final class ToyRbmExperiment implements Experiment {
    /** Issue 8's criterion: every t ends within this of the least attainable KL. */
    static final double GAP_CRITERION = 1e-3;

    @Override
    public String name() {
        return "toy-rbm";
    }

    @Override
    public String description() {
        return "App. A, Fig. 5: a 4+4 RBM fitted to a 3-component Bernoulli mixture for t = 1, 2, 4, 8 relaxed updates";
    }

    /** The JSON of one case: exactly t, kl, kl_min and gap. */
    record CaseJson(int t, double kl, double klMin, double gap) {
        static CaseJson of(ToyRbm.Case c) {
            return new CaseJson(c.t(), c.kl(), c.klMin(), c.gap());
        }
    }

    /**
     * Where one t's runs ended: per seed, the KL that exact-gradient descent reaches from the run's end point, and how
     * many of those are KL_min (the global minimiser's basin).
     */
    record BasinJson(int t, int seedsInGlobalBasin, int seeds, double[] descendedKl) {
        static BasinJson of(ToyRbm.Case c) {
            return new BasinJson(c.t(), c.seedsInGlobalBasin(), c.klPerSeed().length, c.descendedKlPerSeed());
        }
    }

    ToyRbm.Settings settings(Budget budget, Settings s) {
        return new ToyRbm.Settings(s.intAtLeast(key("n1"), 1), s.intAtLeast(key("n2"), 1),
                s.intAtLeast(key("components"), 1), s.doubleIn(key("bit-variance"), 1e-6, 0.25),
                s.longAtLeast(key("target-seed"), 0), s.intAtLeast(key("iterations." + budget.id()), 1),
                s.intAtLeast(key("batch"), 1), s.positive(key("learning-rate")),
                s.doubleIn(key("final-decay-fraction"), 0, 1), relaxation(s), evaluationPoint(s),
                s.doubleIn(key("initial-scale"), 0, 10),
                java.util.Arrays.stream(s.intList(key("ts"), 1)).boxed().toList(),
                s.intAtLeast(key("kl-min-starts"), 1), s.intAtLeast(key("kl-min-iterations"), 1),
                s.intAtLeast(key("curve-points"), 1), s.intAtLeast(key("basin-iterations"), 1));
    }

    private ToyRbm.EvaluationPoint evaluationPoint(Settings s) {
        String point = s.oneOf(key("evaluation-point"), "relaxed", "rao-blackwell", "energy-rao-blackwell");
        return ToyRbm.EvaluationPoint.valueOf(point.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    private Relaxation relaxation(Settings s) {
        double beta = s.positive(key("relaxation-beta"));
        return s.oneOf(key("relaxation"), "pwl", "concrete").equals("pwl")
                ? new PiecewiseLinear(beta, s.bool(key("pwl-slope-gradient"))) : new Concrete(beta);
    }

    @Override
    public Report run(Budget budget, int seeds, Settings s, ProgressListener progress, ExperimentProgress kept) {
        ToyRbm.Settings settings = settings(budget, s);
        ToyRbm.Result result = ToyRbm.run(settings, seeds, progress, kept);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("experiment", name());
        summary.put("cases", result.cases().stream().map(CaseJson::of).toList());
        summary.put("budget", budget.id());
        summary.put("seeds", seeds);
        summary.put("exact_gradient", CaseJson.of(result.exactGradient()));
        summary.put("exact_term_ii", result.termTwo().stream().map(CaseJson::of).toList());
        summary.put("every_t_within_1e-3", everyTWithinCriterion(result));
        summary.put("every_t_in_global_basin", everyTInGlobalBasin(result));
        summary.put("basins", result.cases().stream().map(BasinJson::of).toList());
        summary.put("exact_gradient_basin", BasinJson.of(result.exactGradient()));
        summary.put("exact_term_ii_basins", result.termTwo().stream().map(BasinJson::of).toList());
        summary.put("kl_min_gradient_norm", result.klMin().gradientNorm());
        summary.put("settings", settings);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("kl_min_per_start", result.klMin().klPerStart());
        details.put("kl_min_theta", result.klMin().theta());
        details.put("target_logits", result.target().logits());
        Map<String, Object> curves = new LinkedHashMap<>();
        for (ToyRbm.Case c : allCases(result)) {
            curves.put(label(c), curveJson(c));
        }
        for (ToyRbm.Case c : result.termTwo()) {
            curves.put("exact term II t=" + c.t(), curveJson(c));
        }
        details.put("curves", curves);
        return new Report(summary, details, table(budget, seeds, result), List.of(
                new Figure("kl.png", chart(result, false)), new Figure("gap.png", chart(result, true))));
    }

    private static Map<String, Object> curveJson(ToyRbm.Case c) {
        return Map.of("iterations", c.klCurve().iterations(), "kl", c.klCurve().values(), "kl_per_seed",
                c.klPerSeed());
    }

    private static boolean everyTWithinCriterion(ToyRbm.Result result) {
        return result.cases().stream().allMatch(c -> c.gap() <= GAP_CRITERION);
    }

    /** The paper's words, "in all cases the optimization locates the global minimizer", for every seed. */
    private static boolean everyTInGlobalBasin(ToyRbm.Result result) {
        return result.cases().stream().allMatch(c -> c.seedsInGlobalBasin() == c.klPerSeed().length);
    }

    private static String basin(ToyRbm.Case c) {
        return c.seedsInGlobalBasin() + " / " + c.klPerSeed().length;
    }

    private static List<ToyRbm.Case> allCases(ToyRbm.Result result) {
        List<ToyRbm.Case> all = new ArrayList<>(result.cases());
        all.add(result.exactGradient());
        return all;
    }

    private static String label(ToyRbm.Case c) {
        return c.t() == 0 ? "exact gradient" : "t=" + c.t();
    }

    /** KL (or KL − kl_min) against the iteration for every t, the exact-gradient reference dashed. */
    private static XYChart chart(ToyRbm.Result result, boolean gap) {
        double klMin = result.klMin().kl();
        XYChart chart = gap
                ? LineCharts.logY("toy-rbm: KL - KL_min (App. A)", "iteration", "KL - KL_min (nats)", false)
                : LineCharts.logY("toy-rbm: KL(q || p_mix) (App. A, Fig. 5)", "iteration", "KL (nats)", false);
        List<ToyRbm.Case> all = allCases(result);
        for (int i = 0; i < all.size(); i++) {
            ToyRbm.Case c = all.get(i);
            Curve curve = c.klCurve();
            if (gap) {
                double[] gaps = curve.values().clone();
                for (int k = 0; k < gaps.length; k++) {
                    gaps[k] -= klMin;
                }
                curve = new Curve(curve.iterations(), gaps);
            }
            LineCharts.add(chart, label(c), curve, 0, LineCharts.colour(i), c.t() == 0);
        }
        Curve first = result.cases().get(0).klCurve();
        long last = first.iterations()[first.iterations().length - 1];
        long[] ends = {0, last};
        if (gap) {
            LineCharts.add(chart, "1e-3 criterion", new Curve(ends, new double[] {GAP_CRITERION, GAP_CRITERION}), 0,
                    java.awt.Color.BLACK, true);
        } else {
            LineCharts.add(chart, "KL_min", new Curve(ends, new double[] {klMin, klMin}), 0, java.awt.Color.BLACK,
                    true);
        }
        return chart;
    }

    private static void referenceRow(StringBuilder md, String label, ToyRbm.Case c) {
        md.append(String.format(Locale.ROOT, "| %s | %.5f | %.5f | %.2e | %s | %s | not in the paper |%n", label,
                c.kl(), c.klMin(), c.gap(), c.gap() <= GAP_CRITERION ? "yes" : "no", basin(c)));
    }

    private static String evaluatedAt(ToyRbm.EvaluationPoint point) {
        return switch (point) {
            case RELAXED -> "ζ";
            case RAO_BLACKWELL -> "ζ_mf = [σ(a1), ζ2]";
            case ENERGY_RAO_BLACKWELL -> "ζ_mf for log q and ζ for log p_mix";
        };
    }

    private static String table(Budget budget, int seeds, ToyRbm.Result r) {
        ToyRbm.Settings s = r.settings();
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "**toy-rbm** (paper App. A, Fig. 5), budget `%s`: %d seed(s) (mean over "
                        + "seeds); %d+%d RBM fitted to a %d-component Bernoulli mixture (bit variance %s, target seed "
                        + "%d); Adam lr %s (ε 1e-8%s), %,d iterations, %d exact z' per iteration, t relaxed Gibbs "
                        + "updates with %s, f evaluated at %s, initial couplings N(0, %s²). KL is exact "
                        + "(enumeration); KL_min is the best of %d starts of %,d exact-gradient Adam steps (gradient "
                        + "norm there %.1e).%n%n",
                budget.id(), seeds, s.n1(), s.n2(), s.components(), s.bitVariance(), s.targetSeed(), s.learningRate(),
                s.finalDecayFraction() > 0 ? String.format(Locale.ROOT, ", decaying linearly to 0 over the last "
                        + "%.0f%%", 100 * s.finalDecayFraction()) : "", s.iterations(), s.batch(), s.relaxation(),
                evaluatedAt(s.evaluationPoint()), s.initialScale(), s.klMinStarts(), s.klMinIterations(),
                r.klMin().gradientNorm()));
        md.append("| t | KL (ours) | KL_min | gap | gap ≤ 1e-3 | seeds ending in the global minimum's basin | paper |\n"
                + "|---|---|---|---|---|---|---|\n");
        for (ToyRbm.Case c : r.cases()) {
            md.append(String.format(Locale.ROOT, "| %d | %.5f | %.5f | %.2e | %s | %s | reaches the global minimum; "
                    + "\"the effectiveness of optimization does not depend on t\" |%n", c.t(), c.kl(), c.klMin(),
                    c.gap(), c.gap() <= GAP_CRITERION ? "yes" : "no", basin(c)));
        }
        for (ToyRbm.Case c : r.termTwo()) {
            referenceRow(md, "exact term II of Eq. 9, t = " + c.t() + " (reference: no relaxation, same Adam)", c);
        }
        ToyRbm.Case exact = r.exactGradient();
        referenceRow(md, "exact gradient (reference, same Adam)", exact);
        md.append(String.format(Locale.ROOT, "%nEvery t within 1e-3 of KL_min (issue 8's check of \"every t reaches "
                + "the optimum\"): **%s**. Every seed of every t ended in the global minimum's basin (exact-gradient "
                + "descent from its end point, %,d Adam steps from lr %s, reaches KL_min within %.0e; the paper: \"in "
                + "all cases the optimization locates the global minimizer\"): **%s**.%n",
                everyTWithinCriterion(r) ? "yes" : "no", s.basinIterations(), s.learningRate(), ToyRbm.SAME_MINIMUM,
                everyTInGlobalBasin(r) ? "yes" : "no"));
        if (exact.gap() > GAP_CRITERION) {
            md.append(String.format(Locale.ROOT, "%nThe exact gradient from the same start also ends more than 1e-3 "
                    + "above KL_min, and %s of its seeds ended in the global minimum's basin (the others in a local "
                    + "minimum; result.json's kl_min_per_start lists where the exact starts ended), so here the "
                    + "criterion measures the start and the landscape as well as the estimator.%n", basin(exact)));
        }
        return md.toString();
    }
}
