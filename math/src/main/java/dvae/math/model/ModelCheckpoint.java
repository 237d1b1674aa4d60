package dvae.math.model;

import dvae.math.BadInputException;
import dvae.math.io.Npy;
import dvae.math.io.ParamStore;
import dvae.math.optim.Adam;
import dvae.math.random.RandomStream;
import dvae.math.run.JsonFiles;
import dvae.math.rbm.Rbm;
import dvae.math.tensor.Matrix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A trained model on disk, complete enough to rebuild it without this project: {@code model.json} (the architecture:
 * {@link ModelConfig}, the data set, and the decoder's and the prior's computations step by step on named tensors),
 * {@code mean_pixel.npy} (encoder centering; the decoder's output offset is logit(clip(mean_pixel, 1e-3, 1 − 1e-3))),
 * {@code params/} (one .npy per tensor with a manifest naming shapes and roles, batch-norm moving statistics
 * included, plus Adam's moments when saved by the trainer), and {@code check/}: a few latent states with the decoder's
 * logits and the prior's energy of each, against which a reimplementation checks itself
 * ({@code docs/numpy_decoder.py} does).
 */
public final class ModelCheckpoint {
    public static final String MODEL_FILE = "model.json";
    public static final String MEAN_PIXEL_FILE = "mean_pixel.npy";
    public static final String PARAMS_DIR = "params";
    public static final String CHECK_DIR = "check";
    /** Rows of the check: all zeros, all ones, alternating bits, random bits. */
    static final int CHECK_ROWS = 4;

    /**
     * What {@code model.json} holds; {@code decoder} and {@code prior} are for readers outside this project (see
     * {@link Decoder#describe}, {@link RbmPrior#describe}) and are not read back.
     */
    public record Manifest(int format, String dataset, String label, ModelConfig config, Map<String, Object> decoder,
                           Map<String, Object> prior) {
    }

    private ModelCheckpoint() {
    }

    /** Writes the model (and the optimizer's state, when given) into dir. */
    public static void save(Path dir, DvaeModel model, String dataset, float[] meanPixel, Adam adam) {
        JsonFiles.write(dir.resolve(MODEL_FILE), new Manifest(1, dataset, model.config().label(), model.config(),
                model.decoder().describe(), model.prior().describe()));
        Npy.writeFloats(dir.resolve(MEAN_PIXEL_FILE), new int[] {meanPixel.length}, meanPixel);
        ParamStore.save(dir.resolve(PARAMS_DIR), model.params(), adam);
        writeCheck(dir.resolve(CHECK_DIR), model);
    }

    /** {@code check/z.npy}, {@code check/decoder_logits.npy} and {@code check/prior_energy.npy} (float64). */
    private static void writeCheck(Path dir, DvaeModel model) {
        int n = model.config().latents();
        Matrix z = checkStates(n);
        Decoder.Folded decoder = model.decoder().folded();
        float[] logits = decoder.logitsWithoutBias(z, 0, CHECK_ROWS);
        int pixels = decoder.outputBias().length;
        for (int i = 0; i < logits.length; i++) {
            logits[i] += decoder.outputBias()[i % pixels];
        }
        Rbm prior = model.prior().asRbm();
        int n1 = model.prior().n1();
        double[] energy = new double[CHECK_ROWS];
        for (int r = 0; r < CHECK_ROWS; r++) {
            float[] row = Arrays.copyOfRange(z.data, r * n, (r + 1) * n);
            energy[r] = -prior.negEnergy(Arrays.copyOfRange(row, 0, n1), Arrays.copyOfRange(row, n1, n));
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("creating " + dir + ": " + e.getMessage(), e);
        }
        Npy.writeFloats(dir.resolve("z.npy"), new int[] {CHECK_ROWS, n}, z.data);
        Npy.writeFloats(dir.resolve("decoder_logits.npy"), new int[] {CHECK_ROWS, pixels}, logits);
        Npy.writeDoubles(dir.resolve("prior_energy.npy"), new int[] {CHECK_ROWS}, energy);
    }

    /** The check's latent states: all zeros, all ones, alternating bits, random bits (fixed seed). */
    static Matrix checkStates(int n) {
        Matrix z = new Matrix(CHECK_ROWS, n);
        RandomStream bits = new RandomStream(20200712);
        for (int i = 0; i < n; i++) {
            z.data[n + i] = 1;
            z.data[2 * n + i] = i % 2;
            z.data[3 * n + i] = bits.nextFloat() < 0.5f ? 1 : 0;
        }
        return z;
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
