package dvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelCheckpoint;
import dvae.math.model.ModelConfig;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.model.ModelConfig.RelaxationKind;
import dvae.math.nn.BatchNorm;
import dvae.math.random.RandomStream;
import dvae.math.run.Checkpoint;
import dvae.math.run.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dvae eval} through {@link Main#run} on run directories the tests write. */
class EvalCommandTest {
    private static final Path MNIST_CACHE = Path.of(System.getProperty("user.home"), ".cache", "dvae", "data", "mnist");

    @TempDir
    Path tmp;

    /** The command refused its input in one line, starting "error: " and saying {@code problem}, with exit 2. */
    static void assertOneLineBadInput(CliRun r, String problem) {
        assertEquals(Main.EXIT_BAD_INPUT, r.exit(), r.err());
        String[] lines = r.err().strip().split("\\R");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].startsWith("error: ") && lines[0].contains(problem), r.err());
    }

    /** A tiny MNIST-shaped model (4+4 latents, 784 pixels) saved as the run's best checkpoint at step 100. */
    private Path runWithCheckpoint(PosteriorKind posterior, int levels) {
        return runWithCheckpoint(tmp.resolve("run-" + posterior + levels), posterior, levels);
    }

    /** The same in {@code dir}. */
    static Path runWithCheckpoint(Path dir, PosteriorKind posterior, int levels) {
        ModelConfig config = new ModelConfig(8, posterior, levels, RelaxationKind.PWL, 4, true, 10, 30,
                ObjectiveKind.ELBO, 1, 10, 1, 1.5, true, new int[] {6}, new int[] {6}, BatchNorm.Config.DEFAULT, 784);
        float[] meanPixel = new float[784];
        Arrays.fill(meanPixel, 0.13f);
        DvaeModel model = new DvaeModel(config, meanPixel, null, new RandomStream(3));
        RunDirectory run = RunDirectory.create(dir, "dvae {}\n");
        run.checkpoints(2).save(100, Map.of(), new Checkpoint.Score("valid_nll", 100.0),
                d -> ModelCheckpoint.save(d, model, "mnist", meanPixel, null));
        return dir;
    }

    @Test
    void aRunWithoutCheckpointIsAOneLineError() {
        Path dir = tmp.resolve("fresh");
        RunDirectory.create(dir, "dvae {}\n");
        assertOneLineBadInput(CliRun.run("eval", "--run", dir.toString()), "no checkpoint");
    }

    @Test
    void aManifestThatDoesNotMatchTheTensorsIsAOneLineError() throws Exception {
        Path dir = runWithCheckpoint(PosteriorKind.DIRECTED, 1);
        Path modelJson = dir.resolve("checkpoints/step-0000100/model.json");
        Files.writeString(modelJson, Files.readString(modelJson).replace("\"latents\" : 8", "\"latents\" : 10"));
        assertOneLineBadInput(CliRun.run("eval", "--run", dir.toString()), "manifest shape");
    }

    @Test
    void badSettingsAreOneLineErrors() {
        Path dir = runWithCheckpoint(PosteriorKind.DIRECTED, 1);
        assertOneLineBadInput(CliRun.run("eval", "--run", dir.toString(), "--samples", "0"), "K");
        assertOneLineBadInput(CliRun.run("eval", "--run", dir.toString(), "--split", "train"), "--split");
        assertOneLineBadInput(CliRun.run("eval", "--run", dir.toString(), "--checkpoint", "first"), "--checkpoint");
        Path rbm = runWithCheckpoint(PosteriorKind.RBM, 1);
        assertOneLineBadInput(CliRun.run("eval", "--run", rbm.toString(), "--samples", "100", "--posterior-particles",
                "50"), "particles");
        assertOneLineBadInput(CliRun.run("eval", "--run", rbm.toString(), "--posterior-weights", "both"),
                "--posterior-weights");
    }

    @Test
    void benchEvalOnARunRefusesBadInputInOneLine() {
        Path dir = runWithCheckpoint(PosteriorKind.DIRECTED, 1);
        assertOneLineBadInput(CliRun.run("bench", "eval", "--run", tmp.resolve("nowhere").toString()),
                "no such run directory");
        assertOneLineBadInput(CliRun.run("bench", "eval", "--run", dir.toString(), "--checkpoint", "first"),
                "--checkpoint");
        assertOneLineBadInput(CliRun.run("bench", "eval", "--run", dir.toString(), "--workers", "0"), "--workers");
        Assumptions.assumeTrue(Files.isDirectory(MNIST_CACHE), "needs the cached MNIST (run/dvae data mnist)");
        assertOneLineBadInput(CliRun.run("bench", "eval", "--run",
                runWithCheckpoint(PosteriorKind.DVAE_SHARP, 2).toString()), "not dvae-sharp");
    }

    @Test
    void evaluatesASubsetExactlyAndWritesTheReportToTheRun() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(MNIST_CACHE), "needs the cached MNIST (run/dvae data mnist)");
        for (PosteriorKind kind : new PosteriorKind[] {PosteriorKind.RBM, PosteriorKind.DIRECTED}) {
            Path dir = runWithCheckpoint(kind, 1);
            CliRun r = CliRun.run("eval", "--run", dir.toString(), "--limit", "6", "--samples", "500", "--prior-temps", "300",
                    "--prior-chains", "256", "--posterior-temps", "50", "--exact", "--json");
            assertEquals(0, r.exit(), r.err());
            JsonNode j = new ObjectMapper().readTree(r.out());
            assertEquals(6, j.get("examples").asInt());
            assertEquals(10000, j.get("examples_in_split").asInt());
            assertEquals(100, j.get("checkpoint_step").asInt());
            assertEquals(500, j.get("samples_per_example").asInt());
            assertEquals(300, j.get("prior_log_z").get("temps").asInt());
            JsonNode exact = j.get("exact");
            // The estimate's gap to the exact NLL (same examples) is non-negative within its error.
            JsonNode gap = exact.get("estimate_with_exact_prior_log_z_minus_exact");
            assertTrue(gap.get("mean").asDouble() > -3 * gap.get("standard_error").asDouble() - 0.01, r.out());
            assertEquals(j.get("nll").asDouble() - exact.get("nll").asDouble(),
                    exact.get("estimate_minus_exact").get("mean").asDouble(), 1e-6);
            assertEquals(r.out().strip(), Files.readString(dir.resolve("eval-test-best-exact.json")).strip());
            assertTrue(Files.isRegularFile(dir.resolve("eval-test-best.examples.jsonl")));
        }
    }

    @Test
    void modesOfThePosteriorsAndThePrior() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(MNIST_CACHE), "needs the cached MNIST (run/dvae data mnist)");
        Path dir = runWithCheckpoint(PosteriorKind.RBM, 1);
        CliRun r = CliRun.run("eval", "--run", dir.toString(), "--modes", "--modes-examples", "2", "--prior-temps", "200",
                "--prior-chains", "500", "--posterior-temps", "50", "--samples", "500", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(2, j.get("posterior_modes").size());
        for (JsonNode m : j.get("posterior_modes")) {
            assertEquals(500, m.get("samples").asInt());
            assertTrue(m.get("modes").asInt() >= 1, r.out());
            assertTrue(m.get("mean_kl").asDouble() > -0.05, r.out()); // a KL, up to the AIS error of log Z
        }
        assertEquals(500, j.get("prior_modes").get("samples").asInt());
        assertTrue(Files.isRegularFile(dir.resolve("modes-valid-best.json")));
    }
}
