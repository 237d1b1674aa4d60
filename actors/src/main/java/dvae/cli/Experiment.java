package dvae.cli;

import dvae.math.util.ProgressListener;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;

/**
 * One of the paper's experiments as {@code dvae experiment NAME}: it reads its settings under
 * {@code dvae.experiment.NAME}, runs at a budget, and returns what the command writes to the results directory.
 * Register a new one in {@link Experiments}.
 */
interface Experiment {
    /** The command-line name, e.g. {@code toy-rbm}. */
    String name();

    /** One line for the help. */
    String description();

    /**
     * Runs at a budget, reading back the runs {@code kept} holds instead of running them again, adding each run to it
     * as it finishes, and training the run under way in its run directory there, so that a stop checkpoints it. The
     * tables keep every (cell, seed), table7 each (seed, method), fig4 and modes their DVAE##, the toys every
     * (case, seed).
     */
    Report run(Budget budget, int seeds, Settings settings, ProgressListener progress, ExperimentProgress kept);

    /** Whether it trains on the data set {@code dvae.data.dataset} names (the toys make their own targets). */
    default boolean usesDataset() {
        return false;
    }

    /** The settings key {@code dvae.experiment.NAME.KEY}. */
    default String key(String key) {
        return "dvae.experiment." + name() + "." + key;
    }

    /** The number of seeds a budget runs unless {@code --seeds} says otherwise. */
    default int defaultSeeds(Budget budget, Settings settings) {
        return settings.intAtLeast(key("seeds." + budget.id()), 1);
    }

    /**
     * What a run produced.
     *
     * @param summary  the one JSON object {@code --json} prints (first key "experiment"), also the head of result.json
     * @param details  further fields of result.json only (curves and the like)
     * @param table    Markdown: our figures beside the paper's claims, with a caption stating budget, seeds, settings
     * @param figures  PNG figures by file name
     */
    record Report(Map<String, Object> summary, Map<String, Object> details, String table, List<Figure> figures) {
    }

    record Figure(String fileName, XYChart chart) {
    }
}
