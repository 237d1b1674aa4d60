package dvae.math.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.BadInputException;
import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.autodiff.Role;
import dvae.math.nn.Mlp;
import dvae.math.optim.Adam;
import dvae.math.random.RandomStream;
import dvae.math.tensor.Matrix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParamStoreTest {
    @TempDir
    Path tmp;

    /** A small model; the seed decides its initial values. */
    private static ParamSet model(long seed) {
        ParamSet params = new ParamSet();
        Mlp.builder("net", 3).hidden(4).output(2).build(params, new RandomStream(seed));
        return params;
    }

    /** One Adam step with made-up gradients, so moments and values are all non-trivial. */
    private static Adam trained(ParamSet params) {
        Adam adam = new Adam(params);
        for (Param p : params.trainable()) {
            for (int i = 0; i < p.grad().size(); i++) {
                p.grad().data[i] = 0.1f * (i + 1);
            }
        }
        adam.step(0.01);
        params.get("net/hidden0/bn/moving_mean").value().fill(0.25f);
        return adam;
    }

    @Test
    void roundTripRestoresParametersStateAndOptimizer() {
        ParamSet saved = model(1);
        Adam adam = trained(saved);
        Path dir = tmp.resolve("ckpt");
        ParamStore.save(dir, saved, adam);

        ParamSet restored = model(2);
        Adam restoredAdam = new Adam(restored);
        ParamStore.load(dir, restored, restoredAdam);
        for (Param p : saved.all()) {
            assertArrayEquals(p.value().data, restored.get(p.name()).value().data, 0f, p.name());
        }
        for (Param p : saved.trainable()) {
            Param q = restored.get(p.name());
            assertArrayEquals(adam.firstMoment(p).data, restoredAdam.firstMoment(q).data, 0f);
            assertArrayEquals(adam.secondMoment(p).data, restoredAdam.secondMoment(q).data, 0f);
        }
        assertEquals(1, restoredAdam.steps());
    }

    /** Gradients that depend on the current values, so a resumed run only matches if everything was restored. */
    private static void steps(ParamSet params, Adam adam, int n) {
        for (int k = 0; k < n; k++) {
            for (Param p : params.trainable()) {
                for (int i = 0; i < p.grad().size(); i++) {
                    p.grad().data[i] = 0.3f * p.value().data[i] - 0.1f * (i % 3);
                }
            }
            adam.step(0.01);
        }
    }

    @Test
    void resumedTrainingIsBitExact() {
        ParamSet params = model(1);
        Adam adam = new Adam(params);
        steps(params, adam, 3);
        Path dir = tmp.resolve("ckpt");
        ParamStore.save(dir, params, adam);
        steps(params, adam, 2);

        ParamSet resumed = model(9);
        Adam resumedAdam = new Adam(resumed);
        ParamStore.load(dir, resumed, resumedAdam);
        steps(resumed, resumedAdam, 2);
        assertEquals(5, resumedAdam.steps());
        for (Param p : params.all()) {
            assertArrayEquals(p.value().data, resumed.get(p.name()).value().data, 0f, p.name());
        }
    }

    @Test
    void filesAreNpyNamedInAManifestWithShapesAndRoles() throws IOException {
        ParamSet params = model(1);
        Path dir = tmp.resolve("ckpt");
        ParamStore.save(dir, params);
        String manifest = Files.readString(dir.resolve(ParamStore.MANIFEST));
        assertTrue(manifest.contains("\"name\" : \"net/hidden0/bn/gamma\""), manifest);
        assertTrue(manifest.contains("\"role\" : \"bn_gamma\""), manifest);
        Npy.Array kernel = Npy.read(dir.resolve("net.hidden0.dense.kernel.npy"));
        assertArrayEquals(new int[] {3, 4}, kernel.shape());
        assertArrayEquals(params.get("net/hidden0/dense/kernel").value().data, kernel.asFloats(), 0f);
    }

    @Test
    void savingOverAnExistingFolderReplacesItAndLeavesNoTemporaries() throws IOException {
        Path dir = tmp.resolve("ckpt");
        ParamStore.save(dir, model(1));
        ParamSet second = model(2);
        ParamStore.save(dir, second);
        ParamSet loaded = model(3);
        ParamStore.load(dir, loaded);
        assertArrayEquals(second.get("net/output/kernel").value().data, loaded.get("net/output/kernel").value().data, 0f);
        try (Stream<Path> entries = Files.list(tmp)) {
            assertEquals(List.of(dir), entries.toList());
        }
    }

    private static BadInputException loadFails(Path dir, ParamSet into) {
        BadInputException e = assertThrows(BadInputException.class, () -> ParamStore.load(dir, into));
        assertFalse(e.getMessage().contains("\n"), "one-line message: " + e.getMessage());
        return e;
    }

    @Test
    void aFileWhoseShapeDisagreesWithTheManifestIsNamed() {
        Path dir = tmp.resolve("ckpt");
        ParamStore.save(dir, model(1));
        Path bias = dir.resolve("net.output.bias.npy");
        Npy.writeFloats(bias, new int[] {2, 1}, new float[2]);
        ParamSet into = model(5);
        float[] before = into.get("net/output/kernel").value().data.clone();
        BadInputException e = loadFails(dir, into);
        assertTrue(e.getMessage().startsWith(bias.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("does not match the manifest"), e.getMessage());
        assertArrayEquals(before, into.get("net/output/kernel").value().data, 0f, "a failed load changes nothing");
    }

    @Test
    void aMissingFileIsNamed() throws IOException {
        Path dir = tmp.resolve("ckpt");
        ParamStore.save(dir, model(1));
        Path gamma = dir.resolve("net.hidden0.bn.gamma.npy");
        Files.delete(gamma);
        assertTrue(loadFails(dir, model(1)).getMessage().startsWith(gamma.toString()));
    }

    @Test
    void aModelOfAnotherShapeIsRefused() {
        Path dir = tmp.resolve("ckpt");
        ParamStore.save(dir, model(1));
        ParamSet wider = new ParamSet();
        Mlp.builder("net", 3).hidden(5).output(2).build(wider, new RandomStream(1));
        assertTrue(loadFails(dir, wider).getMessage().contains("but the model's is [3, 5]"));
    }

    @Test
    void extraOrMissingTensorsAreRefused() {
        Path dir = tmp.resolve("ckpt");
        ParamStore.save(dir, model(1));
        ParamSet more = model(1);
        more.add("extra", Role.BIAS, new Matrix(1, 1));
        assertTrue(loadFails(dir, more).getMessage().contains("no tensor 'extra'"));

        ParamSet fewer = new ParamSet();
        Mlp.builder("net", 3).hidden(4).build(fewer, new RandomStream(1));
        assertTrue(loadFails(dir, fewer).getMessage().contains("is not in the model"));
    }

    @Test
    void aBrokenManifestIsNamed() throws IOException {
        Path dir = tmp.resolve("ckpt");
        ParamStore.save(dir, model(1));
        Files.writeString(dir.resolve(ParamStore.MANIFEST), "{\"format\": \"dvae-params\", \"version\": 1, \"tens");
        BadInputException e = loadFails(dir, model(1));
        assertTrue(e.getMessage().startsWith(dir.resolve(ParamStore.MANIFEST).toString()), e.getMessage());
        assertTrue(loadFails(tmp.resolve("nowhere"), model(1)).getMessage().contains("no such file"));
    }

    @Test
    void aTrainingCheckpointLoadsWithoutItsOptimizer() {
        ParamSet saved = model(1);
        Path dir = tmp.resolve("ckpt");
        ParamStore.save(dir, saved, trained(saved));
        ParamSet forEvaluation = model(2);
        ParamStore.load(dir, forEvaluation);
        assertArrayEquals(saved.get("net/output/kernel").value().data,
                forEvaluation.get("net/output/kernel").value().data, 0f);
    }

    @Test
    void loadingOptimizerStateNeedsIt() {
        Path dir = tmp.resolve("ckpt");
        ParamSet params = model(1);
        ParamStore.save(dir, params);
        BadInputException e = assertThrows(BadInputException.class,
                () -> ParamStore.load(dir, params, new Adam(params)));
        assertTrue(e.getMessage().contains("no tensor 'adam/m/"), e.getMessage());
    }
}
