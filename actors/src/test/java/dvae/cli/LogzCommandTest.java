package dvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dvae.math.io.Npy;
import dvae.math.rbm.ExactRbm;
import dvae.math.rbm.Rbm;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogzCommandTest {
    @TempDir
    Path dir;

    @Test
    void exactAndAisOnAFolderPrintOneJsonObject() throws Exception {
        Rbm rbm = Rbm.random(9, 11, 1.0, 5);
        rbm.save(dir);
        double exact = ExactRbm.logZ(rbm);

        CliRun exactRun = CliRun.run("logz", "--rbm", dir.toString(), "--method", "exact", "--json");
        assertEquals(0, exactRun.exit(), exactRun.err());
        JsonNode exactJson = new ObjectMapper().readTree(exactRun.out());

        assertEquals(exact, exactJson.get("logz").asDouble(), 1e-9);
        assertEquals("exact", exactJson.get("method").asText());

        CliRun aisRun = CliRun.run("logz", "--rbm", dir.toString(), "--method", "ais", "--temps", "300", "--chains", "256",
                "--base", "biases", "--seed", "3", "--json");
        assertEquals(0, aisRun.exit(), aisRun.err());
        JsonNode ais = new ObjectMapper().readTree(aisRun.out());
        assertEquals(exact, ais.get("logz").asDouble(), 4 * ais.get("sd").asDouble() + 1e-3);
        assertEquals(300, ais.get("temps").asInt());
        assertEquals(256, ais.get("chains").asInt());
        assertEquals("biases", ais.get("base").asText());
        assertTrue(ais.get("seconds").asDouble() >= 0);
    }

    @Test
    void float64FilesAndRandomMachinesAreAccepted() throws Exception {
        Rbm rbm = Rbm.random(4, 3, 1.0, 6);
        Npy.writeDoubles(dir.resolve("W.npy"), new int[] {4, 3}, toDoubles(rbm.w()));
        Npy.writeDoubles(dir.resolve("b1.npy"), new int[] {4}, toDoubles(rbm.b1()));
        Npy.writeDoubles(dir.resolve("b2.npy"), new int[] {3}, toDoubles(rbm.b2()));
        CliRun fromFiles = CliRun.run("logz", "--rbm", dir.toString(), "--method", "exact", "--json");
        assertEquals(0, fromFiles.exit(), fromFiles.err());
        assertEquals(ExactRbm.logZ(rbm), new ObjectMapper().readTree(fromFiles.out()).get("logz").asDouble(), 1e-9);

        CliRun random = CliRun.run("logz", "--random", "6,7,0.5,2", "--method", "pa", "--temps", "100", "--chains", "64",
                "--json");
        assertEquals(0, random.exit(), random.err());
        assertEquals(ExactRbm.logZ(Rbm.random(6, 7, 0.5, 2)),
                new ObjectMapper().readTree(random.out()).get("logz").asDouble(), 0.1);
    }

    @Test
    void badInputIsOneLineAndExitTwo() throws Exception {
        Rbm.random(3, 4, 1.0, 7).save(dir);
        Path missing = dir.resolve("nowhere");
        assertBadInput(CliRun.run("logz", "--rbm", missing.toString(), "--method", "exact"), "not a folder");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertBadInput(CliRun.run("logz", "--rbm", empty.toString(), "--method", "exact"), "W.npy");

        Path misShaped = Files.createDirectories(dir.resolve("misshaped"));
        Rbm.random(3, 4, 1.0, 7).save(misShaped);
        Npy.writeFloats(misShaped.resolve("b1.npy"), new int[] {5}, new float[5]);
        assertBadInput(CliRun.run("logz", "--rbm", misShaped.toString(), "--method", "exact"), "b1.npy");

        Path withNan = Files.createDirectories(dir.resolve("nan"));
        Rbm.random(3, 4, 1.0, 7).save(withNan);
        float[] w = new float[12];
        w[5] = Float.NaN;
        Npy.writeFloats(withNan.resolve("W.npy"), new int[] {3, 4}, w);
        assertBadInput(CliRun.run("logz", "--rbm", withNan.toString(), "--method", "exact"), "W.npy");

        assertBadInput(CliRun.run("logz", "--rbm", dir.toString(), "--temps", "0"), "--temps");
        assertBadInput(CliRun.run("logz", "--rbm", dir.toString(), "--chains", "-3"), "--chains");
        assertBadInput(CliRun.run("logz", "--rbm", dir.toString(), "--method", "magic"), "magic");
        assertBadInput(CliRun.run("logz", "--rbm", dir.toString(), "--base", "gaussian"), "gaussian");
        assertBadInput(CliRun.run("logz", "--random", "3,x,1,1"), "--random");
        assertBadInput(CliRun.run("logz", "--method", "exact"), "--rbm");
    }

    private static void assertBadInput(CliRun run, String mentioned) {
        assertEquals(2, run.exit(), run.err());
        String err = run.err().strip();
        assertFalse(err.isEmpty());
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.contains(mentioned), err);
    }

    private static double[] toDoubles(float[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }
}
