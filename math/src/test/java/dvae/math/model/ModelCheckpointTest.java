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
import java.nio.file.Files;
import java.nio.file.Path;
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
