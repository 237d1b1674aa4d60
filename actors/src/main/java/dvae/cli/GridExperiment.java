package dvae.cli;

import dvae.math.data.Dataset;
import dvae.math.data.DatasetKind;
import dvae.math.eval.EvalSettings;
import dvae.math.eval.Evaluation;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.tensor.Matrix;
import dvae.math.util.ProgressListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

/**
 * A table of the paper as a grid of training runs: every cell is trained for each seed with the reference trainer,
 * evaluated on test images with the eval package's K-sample NLL (AIS for log Z), and written into a Markdown table
 * with the paper's figure beside ours. Tables 1, 2, 3, 5 and 6 are instances ({@link PaperTables}); the protocol
 * (iterations, seeds, evaluation) is shared under {@code dvae.experiment.grid}.
 */
final class GridExperiment implements DatasetExperiment {
    /**
     * One cell of a table.
     *
     * @param row      the row label
     * @param column   the column label
     * @param settings the dvae.* settings that make this cell's model and objective
     * @param paper    the paper's figure, as printed
     */
    record Cell(String row, String column, Map<String, Object> settings, String paper) {
    }

    /** The shared protocol at one budget. */
    record Protocol(long iterations, long logEvery, long validEvery, int evalExamples, EvalSettings eval) {
    }

    private final String name;
    private final String description;
    private final String title;
    private final List<Cell> cells;

    GridExperiment(String name, String description, String title, List<Cell> cells) {
        this.name = name;
        this.description = description;
        this.title = title;
        this.cells = List.copyOf(cells);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }

    List<Cell> cells() {
        return cells;
    }

    private static String grid(String key) {
        return "dvae.experiment.grid." + key;
    }

    @Override
    public int defaultSeeds(Budget budget, Settings settings) {
        return settings.intAtLeast(grid("seeds." + budget.id()), 1);
    }

    static Protocol protocol(Budget budget, Settings s) {
        String b = "." + budget.id();
        return new Protocol(s.longAtLeast(grid("iterations" + b), 1), s.longAtLeast(grid("log-every"), 1),
                s.longAtLeast(grid("valid-every" + b), 0), s.intAtLeast(grid("eval-examples" + b), 0),
                new EvalSettings(s.intAtLeast(grid("eval-samples" + b), 1), s.intAtLeast(grid("prior-temps" + b), 2),
                        s.intAtLeast(grid("prior-chains" + b), 1), s.intAtLeast(grid("posterior-temps" + b), 2),
                        s.intAtLeast(grid("eval-samples" + b), 1), EvalSettings.POSTERIOR_WEIGHTS,
                        s.longAtLeast("dvae.seed", 0)));
    }

    /** The NLL of each seed of one cell, with its standard error over the test images. */
    record Result(Cell cell, List<Long> seeds, double[] nll, double[] nllStandardError, double[] msPerIteration) {
        /** mean±sd over seeds, as the paper; for one seed, the NLL ± its standard error over the test images. */
        String text() {
            return seeds.size() > 1 ? TrainingRuns.cell(nll)
                    : String.format(Locale.ROOT, "%.2f±%.2f", nll[0], nllStandardError[0]);
        }
    }

    @Override
    public Report run(Budget budget, int seeds, Settings s, Dataset data, ProgressListener progress,
                      ExperimentProgress kept) {
        Protocol p = protocol(budget, s);
        Matrix test = TrainingRuns.testImages(data, p.evalExamples());
        int[] indices = IntStream.range(0, test.rows).toArray();
        long total = (long) cells.size() * seeds * p.iterations();
        List<Result> results = new ArrayList<>();
        for (int c = 0; c < cells.size(); c++) {
            Cell cell = cells.get(c);
            List<Long> seedList = new ArrayList<>();
            double[] nll = new double[seeds];
            double[] se = new double[seeds];
            double[] ms = new double[seeds];
            for (int i = 0; i < seeds; i++) {
                long seed = s.longAtLeast("dvae.seed", 0) + i;
                long done = ((long) c * seeds + i) * p.iterations();
                TrainingRuns.RunProgress shown = new TrainingRuns.RunProgress(progress, done, total,
                        cell.row() + " / " + cell.column() + " seed " + seed);
                String key = String.format(Locale.ROOT, "cell-%02d-seed-%d", c, seed);
                Map<String, Object> run = kept.getOrRun(key,
                        r -> cell.row().equals(r.get("row")) && cell.column().equals(r.get("column")),
                        () -> shown.finishedBefore(p.iterations()),
                        () -> trainAndEvaluate(cell, seed, s, data, p, test, indices, shown, kept.runDirectory(key),
                                kept::stopRequested));
                seedList.add(seed);
                nll[i] = Json.number(run.get("nll"));
                se[i] = Json.number(run.get("nll_standard_error"));
                ms[i] = Json.number(run.get("ms_per_iteration"));
            }
            results.add(new Result(cell, seedList, nll, se, ms));
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("experiment", name);
        summary.put("budget", budget.id());
        summary.put("seeds", seeds);
        summary.put("dataset", data.name());
        summary.put("protocol", p);
        summary.put("test_examples", test.rows);
        summary.put("cells", results.stream().map(GridExperiment::json).toList());
        return new Report(summary, Map.of(), table(budget, seeds, data, p, test.rows, results), List.of());
    }

    /**
     * One (cell, seed): trained with the reference trainer (in {@code runDir} when not null, continuing from its
     * checkpoint if it has one) and evaluated; what its table entry needs.
     */
    private static Map<String, Object> trainAndEvaluate(Cell cell, long seed, Settings s, Dataset data, Protocol p,
                                                        Matrix test, int[] indices, TrainingRuns.RunProgress shown,
                                                        Path runDir, BooleanSupplier stop) {
        TrainingRuns.Trained trained = TrainingRuns.train(
                TrainingRuns.runSettings(s, cell.settings(), p.iterations(), p.logEvery(), seed, p.validEvery()), data,
                shown,
                runDir, stop);
        Evaluation.Outcome outcome = new Evaluation(trained.model(), p.eval(), 2).run(test, indices, null, null);
        ObjectiveKind objective = trained.config().objective();
        double logZ = objective == ObjectiveKind.STRUCT ? 0 : outcome.prior().ais().logZ();
        Evaluation.MeanAndError perImage = Evaluation.MeanAndError.of(Evaluation.nlls(outcome, logZ, objective));
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("row", cell.row());
        run.put("column", cell.column());
        run.put("seed", seed);
        run.put("nll", perImage.mean());
        run.put("nll_standard_error", perImage.standardError());
        run.put("ms_per_iteration", trained.msPerIteration());
        run.put("model_step", trained.step());
        return run;
    }

    private static Map<String, Object> json(Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("row", r.cell().row());
        m.put("column", r.cell().column());
        m.put("settings", r.cell().settings());
        m.put("nll", TrainingRuns.mean(r.nll()));
        m.put("nll_sd", TrainingRuns.sd(r.nll()));
        m.put("nll_per_seed", r.nll());
        m.put("nll_standard_error_per_seed", r.nllStandardError());
        m.put("ms_per_iteration", TrainingRuns.mean(r.msPerIteration()));
        m.put("paper", r.cell().paper()); // the paper's MNIST figure
        return m;
    }

    /** Rows and columns in the order the cells first name them; each entry "ours (paper)". */
    private String table(Budget budget, int seeds, Dataset data, Protocol p, int testRows, List<Result> results) {
        List<String> rows = results.stream().map(r -> r.cell().row()).distinct().toList();
        List<String> columns = results.stream().map(r -> r.cell().column()).distinct().toList();
        boolean mnist = data.name().equals(DatasetKind.MNIST.id());
        String spread = seeds > 1 ? "mean±sd over seeds" : "±: standard error over the test images";
        String entries = mnist ? "Each entry: ours (paper)" : "Each entry: ours; the paper's figures held here are its "
                + "MNIST ones, so none is shown beside ours on " + data.name();
        StringBuilder md = new StringBuilder();
        String selection = p.validEvery() == 0 ? "the last model evaluated"
                : String.format(Locale.ROOT, "the checkpoint with the best validation NLL (every %,d steps, as "
                        + "dvae.train.valid-nll sets) evaluated", p.validEvery());
        md.append(String.format(Locale.ROOT, "**%s** (%s), budget `%s`: %s, %,d training iterations per run (%s), %d "
                        + "seed(s) (%s), test NLL in nats on the first %,d test images with K = %,d "
                        + "samples, prior log Z by AIS (%,d temperatures × %,d chains), RBM posteriors by AIS (%,d "
                        + "temperatures). %s.%n%n",
                name, title, budget.id(), data.name(), p.iterations(), selection, seeds, spread, testRows,
                p.eval().samples(),
                p.eval().priorTemps(), p.eval().priorChains(), p.eval().posteriorTemps(), entries));
        md.append("| |");
        columns.forEach(c -> md.append(' ').append(c).append(" |"));
        md.append("\n|---|").append("---|".repeat(columns.size())).append('\n');
        for (String row : rows) {
            md.append("| ").append(row).append(" |");
            for (String column : columns) {
                md.append(results.stream().filter(r -> r.cell().row().equals(row) && r.cell().column().equals(column))
                        .findFirst().map(r -> " " + r.text() + (mnist ? " (" + r.cell().paper() + ")" : "") + " |")
                        .orElse(" |"));
            }
            md.append('\n');
        }
        return md.toString();
    }
}
