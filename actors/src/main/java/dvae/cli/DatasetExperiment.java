package dvae.cli;

import dvae.math.data.Dataset;
import dvae.math.util.ProgressListener;

/** An experiment that trains on the data set {@code dvae.data.dataset} names; tests hand it one directly. */
interface DatasetExperiment extends Experiment {
    /** {@link Experiment#run} on {@code data}. */
    Report run(Budget budget, int seeds, Settings settings, Dataset data, ProgressListener progress,
               ExperimentProgress kept);

    @Override
    default Report run(Budget budget, int seeds, Settings settings, ProgressListener progress,
                       ExperimentProgress kept) {
        return run(budget, seeds, settings, DataCommand.configuredDataset(settings), progress, kept);
    }

    @Override
    default boolean usesDataset() {
        return true;
    }
}
