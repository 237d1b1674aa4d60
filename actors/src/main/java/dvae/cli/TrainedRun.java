package dvae.cli;

import dvae.math.BadInputException;
import dvae.math.data.Dataset;
import dvae.math.data.DatasetKind;
import dvae.math.data.Datasets;
import dvae.math.data.Images;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelCheckpoint;
import dvae.math.run.RunDirectory;
import java.nio.file.Path;

/** A training run's model at one of its checkpoints, with the data set it was trained on: what evaluations read. */
record TrainedRun(RunDirectory run, ChosenCheckpoint chosen, DvaeModel model, Dataset data) {

    /** {@code which} is the user's {@code --checkpoint}; {@code dataDir} overrides the data cache folder, or null. */
    static TrainedRun open(Path runDir, String which, Settings settings, Path dataDir) {
        RunDirectory run = RunDirectory.open(runDir);
        ChosenCheckpoint chosen = ChosenCheckpoint.choose(run, which);
        ModelCheckpoint.Loaded loaded = ModelCheckpoint.load(chosen.checkpoint().dir());
        Dataset data = Datasets.load(DatasetKind.parse(loaded.dataset()), DataCommand.dataOptions(settings, dataDir));
        if (loaded.model().config().pixels() != Images.PIXELS) {
            throw new BadInputException(chosen.checkpoint().dir() + ": the model has "
                    + loaded.model().config().pixels() + " pixels, the data set " + Images.PIXELS);
        }
        return new TrainedRun(run, chosen, loaded.model(), data);
    }
}
