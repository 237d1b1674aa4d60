package dvae.math.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.BadInputException;
import dvae.math.autodiff.Param;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.model.ModelConfig.RelaxationKind;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dvae.math.io.Npy;
import dvae.math.random.RandomStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCheckpointTest {
    @Test
    void roundTripRebuildsTheSameArchitectureAndValues(@TempDir Path dir) {
        ModelConfig c = ObjectiveGradientTest.config(8, PosteriorKind.DIRECTED, 2, RelaxationKind.CONCRETE,
                ObjectiveKind.IW, 5);
        DvaeModel model = ObjectiveGradientTest.model(c);
        float[] mean = ObjectiveGradientTest.meanPixel();
        ModelCheckpoint.save(dir, model, "mnist", mean, null);
        ModelCheckpoint.Loaded loaded = ModelCheckpoint.load(dir);
        assertEquals(c, loaded.model().config());
        assertEquals("mnist", loaded.dataset());
        assertArrayEquals(mean, loaded.meanPixel());
        for (Param p : model.params().all()) {
            assertArrayEquals(p.value().data, loaded.model().params().get(p.name()).value().data, p.name());
        }
    }

    /**
     * What a reader outside this project does: follows model.json's steps on the tensors the parameter manifest names
     * (in double, with nothing of this project's networks) and gets the check's decoder logits and prior energies.
     * Batch-norm moving statistics and the prior are moved off their starting values so that every step matters;
     * structured prediction checks the offset's slice of the mean pixels.
     */
    @Test
    void theManifestsStepsRebuildTheDecoderAndPriorAsTheCheckFilesSay(@TempDir Path dir) throws Exception {
        for (ObjectiveKind objective : List.of(ObjectiveKind.ELBO, ObjectiveKind.STRUCT)) {
            ModelConfig c = ObjectiveGradientTest.config(8, PosteriorKind.RBM, 1, RelaxationKind.PWL, objective, 1);
            DvaeModel model = ObjectiveGradientTest.model(c);
            RandomStream rng = new RandomStream(3);
            for (Param p : model.params().all()) {
                if (p.name().startsWith("decoder/") && !p.name().endsWith("kernel")) {
                    for (int i = 0; i < p.value().data.length; i++) {
                        p.value().data[i] = 0.5f + rng.nextFloat(); // positive, as a variance must be
                    }
                }
            }
            Path saved = dir.resolve(objective.name());
            ModelCheckpoint.save(saved, model, "mnist", ObjectiveGradientTest.meanPixel(), null);

            JsonNode manifest = new ObjectMapper().readTree(saved.resolve("model.json").toFile());
            Map<String, String> files = new HashMap<>();
            for (JsonNode t : new ObjectMapper().readTree(saved.resolve("params/manifest.json").toFile())
                    .get("tensors")) {
                files.put(t.get("name").asText(), t.get("file").asText());
            }
            java.util.function.Function<String, double[]> tensor = name -> toDoubles(Npy.read(
                    saved.resolve("params").resolve(files.get(name))).asFloats());
            Npy.Array zArray = Npy.read(saved.resolve("check/z.npy"));
            int rows = zArray.shape()[0];
            int n = zArray.shape()[1];
            double[] z = toDoubles(zArray.asFloats());
            double[] expectedLogits = toDoubles(Npy.read(saved.resolve("check/decoder_logits.npy")).asFloats());
            double[] expectedEnergy = Npy.read(saved.resolve("check/prior_energy.npy")).asDoubles();
            assertEquals(4, rows);
            assertEquals(c.latents(), n);

            double[] meanPixel = toDoubles(Npy.read(saved.resolve("mean_pixel.npy")).asFloats());
            for (int r = 0; r < rows; r++) {
                double[] h = Arrays.copyOfRange(z, r * n, (r + 1) * n);
                for (JsonNode step : manifest.get("decoder").get("steps")) {
                    h = switch (step.get("op").asText()) {
                        case "matmul" -> matmul(h, tensor.apply(step.get("kernel").asText()));
                        case "add" -> step.has("bias") ? plus(h, tensor.apply(step.get("bias").asText()))
                                : plus(h, offset(meanPixel, step.get("offset").asText()));
                        case "batch_norm" -> batchNorm(h, tensor.apply(step.get("gamma").asText()),
                                tensor.apply(step.get("beta").asText()), tensor.apply(step.get("moving_mean").asText()),
                                tensor.apply(step.get("moving_variance").asText()), step.get("eps").asDouble());
                        case "tanh" -> Arrays.stream(h).map(Math::tanh).toArray();
                        default -> throw new AssertionError("unknown step " + step);
                    };
                }
                assertEquals(expectedLogits.length / rows, h.length);
                for (int i = 0; i < h.length; i++) {
                    assertEquals(expectedLogits[r * h.length + i], h[i], 1e-4 * (1 + Math.abs(h[i])),
                            objective + " row " + r + " pixel " + i);
                }
                JsonNode prior = manifest.get("prior");
                double[] b1 = tensor.apply(prior.get("b1").asText());
                double[] b2 = tensor.apply(prior.get("b2").asText());
                double[] w = tensor.apply(prior.get("W").asText());
                double energy = 0;
                for (int i = 0; i < b1.length; i++) {
                    energy -= z[r * n + i] * b1[i];
                    for (int j = 0; j < b2.length; j++) {
                        energy -= z[r * n + i] * w[i * b2.length + j] * z[r * n + b1.length + j];
                    }
                }
                for (int j = 0; j < b2.length; j++) {
                    energy -= z[r * n + b1.length + j] * b2[j];
                }
                assertEquals(expectedEnergy[r], energy, 1e-9 * (1 + Math.abs(energy)), "prior energy row " + r);
            }
        }
    }

    private static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    /** h · K for a row h and a row-major kernel K of h.length rows. */
    private static double[] matmul(double[] h, double[] kernel) {
        int out = kernel.length / h.length;
        double[] y = new double[out];
        for (int i = 0; i < h.length; i++) {
            for (int j = 0; j < out; j++) {
                y[j] += h[i] * kernel[i * out + j];
            }
        }
        return y;
    }

    private static double[] plus(double[] h, double[] b) {
        double[] y = h.clone();
        for (int j = 0; j < y.length; j++) {
            y[j] += b[j];
        }
        return y;
    }

    private static double[] batchNorm(double[] h, double[] gamma, double[] beta, double[] mean, double[] variance,
                                      double eps) {
        double[] y = new double[h.length];
        for (int j = 0; j < h.length; j++) {
            y[j] = gamma[j] * (h[j] - mean[j]) / Math.sqrt(variance[j] + eps) + beta[j];
        }
        return y;
    }

    /** The offset the manifest states as "logit(clip(mean_pixel[FROM:], 1e-3, 1 - 1e-3))". */
    private static double[] offset(double[] meanPixel, String formula) {
        Matcher m = Pattern.compile("logit\\(clip\\(mean_pixel\\[(\\d+):\\], 1e-3, 1 - 1e-3\\)\\)").matcher(formula);
        assertTrue(m.matches(), formula);
        double[] slice = Arrays.copyOfRange(meanPixel, Integer.parseInt(m.group(1)), meanPixel.length);
        return Arrays.stream(slice).map(p -> Math.min(Math.max(p, 1e-3), 1 - 1e-3)).map(p -> Math.log(p / (1 - p)))
                .toArray();
    }

    @Test
    void aFolderWithoutAModelIsNamed(@TempDir Path dir) {
        BadInputException e = assertThrows(BadInputException.class, () -> ModelCheckpoint.load(dir));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("model.json"), e.getMessage());
    }

    @Test
    void aMeanPixelOfTheWrongSizeIsNamed(@TempDir Path dir) throws Exception {
        ModelConfig c = ObjectiveGradientTest.config(4, PosteriorKind.RBM, 1, RelaxationKind.PWL, ObjectiveKind.ELBO, 1);
        ModelCheckpoint.save(dir, ObjectiveGradientTest.model(c), "mnist", ObjectiveGradientTest.meanPixel(), null);
        dvae.math.io.Npy.writeFloats(dir.resolve(ModelCheckpoint.MEAN_PIXEL_FILE), new int[] {3}, new float[3]);
        BadInputException e = assertThrows(BadInputException.class, () -> ModelCheckpoint.load(dir));
        assertTrue(e.getMessage().contains("mean_pixel.npy"), e.getMessage());
        assertTrue(Files.exists(dir.resolve("params")));
    }
}
