package dvae.math.model;

import dvae.math.BadInputException;
import dvae.math.io.Npy;
import dvae.math.io.ParamStore;
import dvae.math.optim.Adam;
import dvae.math.random.RandomStream;
import dvae.math.run.JsonFiles;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A trained model on disk, complete enough to rebuild it without this project: {@code model.json} (the architecture:
 * {@link ModelConfig} and the data set), {@code mean_pixel.npy} (encoder centering; the decoder's output offset is
 * logit(clip(mean_pixel, 1e-3, 1 − 1e-3))), and {@code params/} (one .npy per tensor with a manifest naming shapes
 * and roles, batch-norm moving statistics included, plus Adam's moments when saved by the trainer).
 */
public final class ModelCheckpoint {
    public static final String MODEL_FILE = "model.json";
    public static final String MEAN_PIXEL_FILE = "mean_pixel.npy";
    public static final String PARAMS_DIR = "params";

    /** What {@code model.json} holds. */
    public record Manifest(int format, String dataset, String label, ModelConfig config) {
    }

    private ModelCheckpoint() {
    }

    /** Writes the model (and the optimizer's state, when given) into dir. */
    public static void save(Path dir, DvaeModel model, String dataset, float[] meanPixel, Adam adam) {
        JsonFiles.write(dir.resolve(MODEL_FILE), new Manifest(1, dataset, model.config().label(), model.config()));
        Npy.writeFloats(dir.resolve(MEAN_PIXEL_FILE), new int[] {meanPixel.length}, meanPixel);
        ParamStore.save(dir.resolve(PARAMS_DIR), model.params(), adam);
    }

    /** A loaded model (without persistent chains: those are training state) and the data set it was trained on. */
    public record Loaded(DvaeModel model, String dataset, float[] meanPixel) {
    }

    public static Manifest readManifest(Path dir) {
        Path file = dir.resolve(MODEL_FILE);
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(dir + ": no " + MODEL_FILE + " (not a model checkpoint)");
        }
        Manifest m = JsonFiles.read(file, Manifest.class);
        if (m.format() != 1 || m.config() == null) {
            throw new BadInputException(file + ": unsupported format " + m.format() + " or missing config");
        }
        return m;
    }

    public static Loaded load(Path dir) {
        Manifest manifest = readManifest(dir);
        Npy.Array mean = Npy.read(dir.resolve(MEAN_PIXEL_FILE));
        if (mean.shape().length != 1 || mean.shape()[0] != manifest.config().pixels()) {
            throw new BadInputException(dir.resolve(MEAN_PIXEL_FILE) + ": expected " + manifest.config().pixels()
                    + " pixels, shape " + java.util.Arrays.toString(mean.shape()));
        }
        float[] meanPixel = mean.asFloats();
        DvaeModel model = new DvaeModel(manifest.config(), meanPixel, null, new RandomStream(0));
        ParamStore.load(dir.resolve(PARAMS_DIR), model.params());
        return new Loaded(model, manifest.dataset(), meanPixel);
    }
}
