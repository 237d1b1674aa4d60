package dvae.math.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void freshRunWritesItsConfigurationAndPlacesEverythingInside() throws Exception {
        Path dir = tmp.resolve("runs/first");
        RunDirectory run = RunDirectory.create(dir, "dvae { seed = 7 }\n");
        assertEquals("dvae { seed = 7 }\n", Files.readString(dir.resolve("config.conf")));
        assertEquals("dvae { seed = 7 }\n", run.config());
        assertTrue(run.resumePoint().isEmpty());
        assertEquals(dir.resolve("metrics.jsonl"), run.metricsFile());
        assertEquals(dir.resolve("checkpoints"), run.checkpointsDir());
        assertEquals(dir.resolve("plots/loss.png"), run.lossCurvesPng());
        assertEquals(dir.resolve("plots"), run.samplesPng().getParent());
        assertEquals(dir.resolve("plots"), run.reconstructionsPng().getParent());
    }

    @Test
    void freshRunMayUseAnEmptyExistingDirectory() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("empty"));
        RunDirectory.create(dir, "x = 1");
        assertTrue(Files.isRegularFile(dir.resolve("config.conf")));
    }

    @Test
    void freshRunRefusesANonEmptyDirectory() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("used"));
        Files.writeString(dir.resolve("notes.txt"), "someone's files");
        BadInputException e = assertThrows(BadInputException.class, () -> RunDirectory.create(dir, "x = 1"));
        assertTrue(e.getMessage().startsWith(dir.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("--resume " + dir), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertFalse(Files.exists(dir.resolve("config.conf")), "nothing written into the refused directory");
    }

    @Test
    void freshRunRefusesAFile() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        BadInputException e = assertThrows(BadInputException.class, () -> RunDirectory.create(file, "x = 1"));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void openingRefusesAMissingDirectoryAndOneThatIsNoRun() throws Exception {
        Path missing = tmp.resolve("missing");
        assertTrue(assertThrows(BadInputException.class, () -> RunDirectory.open(missing)).getMessage()
                .contains(missing.toString()));
        Path other = Files.createDirectory(tmp.resolve("other"));
        BadInputException e = assertThrows(BadInputException.class, () -> RunDirectory.open(other));
        assertTrue(e.getMessage().contains("config.conf"), e.getMessage());
    }

    @Test
    void resumingRefusesARunWithoutCheckpoint() {
        Path dir = tmp.resolve("run");
        RunDirectory.create(dir, "x = 1");
        BadInputException e = assertThrows(BadInputException.class, () -> RunDirectory.open(dir));
        assertTrue(e.getMessage().startsWith(dir.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("no checkpoint"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void resumedRunContinuesFromItsLastCheckpointAndDropsLaterMetrics() {
        Path dir = tmp.resolve("run");
        RunDirectory fresh = RunDirectory.create(dir, "x = 1");
        Checkpoints checkpoints = fresh.checkpoints(2);
        try (MetricsLog log = fresh.openMetrics()) {
            for (long step = 1; step <= 5; step++) {
                log.write(Map.of("step", step, "loss", 10.0 / step));
                if (step == 3) {
                    checkpoints.save(step, Map.of(), d -> Files.writeString(d.resolve("w.txt"), "3"));
                }
            }
        }

        RunDirectory resumed = RunDirectory.open(dir);
        assertEquals(3, resumed.resumePoint().orElseThrow().step());
        assertEquals("x = 1", resumed.config());
        try (MetricsLog log = resumed.openMetrics()) {
            log.write(Map.of("step", 4L, "loss", 2.4));
        }
        List<Long> steps = MetricsLog.read(dir.resolve("metrics.jsonl")).stream()
                .map(entry -> ((Number) entry.get("step")).longValue()).toList();
        assertEquals(List.of(1L, 2L, 3L, 4L), steps);
        assertEquals(2.4, MetricsLog.series(resumed.metricsFile(), "loss").get("loss").get(4L));
    }
}
