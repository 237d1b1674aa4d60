package dvae.math.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {
    @TempDir
    Path tmp;

    record StepMetrics(long step, double loss, double learningRate) {
    }

    private Path file() {
        return tmp.resolve("metrics.jsonl");
    }

    private static Map<String, Object> entry(long step, double loss) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("step", step);
        entry.put("loss", loss);
        return entry;
    }

    @Test
    void writesOneObjectPerLineFromMapsAndRecords() throws Exception {
        try (MetricsLog log = MetricsLog.append(file())) {
            log.write(entry(1, 2.5));
            log.write(new StepMetrics(2, 1.5, 0.003));
        }
        assertEquals(List.of("{\"step\":1,\"loss\":2.5}", "{\"step\":2,\"loss\":1.5,\"learning_rate\":0.003}"),
                Files.readAllLines(file()));
        List<Map<String, Object>> entries = MetricsLog.read(file());
        assertEquals(2, entries.size());
        assertEquals(0.003, entries.get(1).get("learning_rate"));
    }

    @Test
    void eachLineReachesTheFileWhenWritten() {
        try (MetricsLog log = MetricsLog.append(file())) {
            log.write(entry(1, 2.5));
            assertEquals(1, MetricsLog.read(file()).size(), "readable before the log is closed");
            log.write(entry(2, 2.0));
            assertEquals(2, MetricsLog.read(file()).size());
        }
    }

    @Test
    void appendingToAnExistingLogKeepsItsEntries() {
        try (MetricsLog log = MetricsLog.append(file())) {
            log.write(entry(1, 2.5));
        }
        try (MetricsLog log = MetricsLog.append(file())) {
            log.write(entry(2, 2.0));
        }
        assertEquals(2, MetricsLog.read(file()).size());
    }

    @Test
    void aLongLogIsReadWhole() {
        int steps = 20_000; // about 0.5 MB: many read buffers, lines split across them
        try (MetricsLog log = MetricsLog.append(file())) {
            for (long step = 1; step <= steps; step++) {
                log.write(entry(step, 1.0 / step));
            }
        }
        NavigableMap<Long, Double> loss = MetricsLog.series(file(), "loss").get("loss");
        assertEquals(steps, loss.size());
        assertEquals(1.0 / 12_345, loss.get(12_345L));
    }

    @Test
    void anEntryNeedsAnIntegerStep() {
        try (MetricsLog log = MetricsLog.append(file())) {
            assertThrows(IllegalArgumentException.class, () -> log.write(Map.of("loss", 1.0)));
            assertThrows(IllegalArgumentException.class, () -> log.write(Map.of("step", 1.5)));
            assertThrows(IllegalArgumentException.class, () -> log.write(List.of(1, 2)));
        }
    }

    @Test
    void aTornLastLineIsSkipped() throws Exception {
        Files.writeString(file(), "{\"step\":1,\"loss\":2.5}\n{\"step\":2,\"loss\":2.0}\n{\"step\":3,\"lo");
        assertEquals(List.of(entry(1, 2.5), entry(2, 2.0)), MetricsLog.read(file()));
        assertEquals(Map.of(1L, 2.5, 2L, 2.0), MetricsLog.series(file(), "loss").get("loss"));
    }

    @Test
    void aCompleteLineWithoutItsNewlineIsStillTorn() throws Exception {
        // The crash came after the object's bytes and before the newline: the line was not finished.
        Files.writeString(file(), "{\"step\":1,\"loss\":2.5}\n{\"step\":2,\"loss\":2.0}");
        assertEquals(List.of(entry(1, 2.5)), MetricsLog.read(file()));
    }

    @Test
    void aDamagedCompleteLineIsAOneLineErrorNamingTheLine() throws Exception {
        Files.writeString(file(), "{\"step\":1}\n{\"step\":2,oops}\n{\"step\":3}\n");
        BadInputException e = assertThrows(BadInputException.class, () -> MetricsLog.read(file()));
        assertTrue(e.getMessage().startsWith(file() + " line 2: damaged entry"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());

        Files.writeString(file(), "{\"step\":1}\n{\"loss\":2}\n");
        e = assertThrows(BadInputException.class, () -> MetricsLog.read(file()));
        assertTrue(e.getMessage().startsWith(file() + " line 2: entry has no integer 'step'"), e.getMessage());
    }

    @Test
    void readingAMissingLogNamesIt() {
        BadInputException e = assertThrows(BadInputException.class, () -> MetricsLog.read(file()));
        assertEquals(file() + ": no such file", e.getMessage());
    }

    @Test
    void resumingDropsEntriesAfterTheCheckpointAndTheTornLineThenAppends() throws Exception {
        try (MetricsLog log = MetricsLog.append(file())) {
            for (long step = 1; step <= 6; step++) {
                log.write(entry(step, 10 - step));
            }
        }
        Files.writeString(file(), "{\"step\":7,\"lo", StandardOpenOption.APPEND);
        try (MetricsLog log = MetricsLog.resume(file(), 4)) {
            log.write(entry(5, 0.5));
        }
        List<String> lines = Files.readAllLines(file());
        assertEquals(5, lines.size());
        assertEquals("{\"step\":4,\"loss\":6.0}", lines.get(3), "kept lines are kept byte for byte");
        assertEquals(Map.of(1L, 9.0, 2L, 8.0, 3L, 7.0, 4L, 6.0, 5L, 0.5),
                MetricsLog.series(file(), "loss").get("loss"));
    }

    @Test
    void resumingWithoutALogStartsOne() {
        try (MetricsLog log = MetricsLog.resume(file(), 4)) {
            log.write(entry(5, 0.5));
        }
        assertEquals(List.of(entry(5, 0.5)), MetricsLog.read(file()));
    }

    @Test
    void nonFiniteValuesStayValidJsonAndStayOutOfSeries() throws Exception {
        try (MetricsLog log = MetricsLog.append(file())) {
            log.write(entry(1, 3.0));
            log.write(entry(2, Double.NaN));
            log.write(entry(3, Double.POSITIVE_INFINITY));
            log.write(entry(4, 1.0));
        }
        assertEquals("{\"step\":2,\"loss\":\"NaN\"}", Files.readAllLines(file()).get(1));
        assertEquals("NaN", MetricsLog.read(file()).get(1).get("loss"));
        assertEquals(Map.of(1L, 3.0, 4L, 1.0), MetricsLog.series(file(), "loss").get("loss"));
    }

    @Test
    void seriesFollowTheStepsOfEachKeyInOrder() {
        try (MetricsLog log = MetricsLog.append(file())) {
            log.write(Map.of("step", 10, "loss", 3.0));
            log.write(Map.of("step", 20, "loss", 2.0, "valid_loss", 2.5));
            log.write(Map.of("step", 30, "loss", 1.0, "note", "text is no number"));
        }
        Map<String, NavigableMap<Long, Double>> series = MetricsLog.series(file(), "valid_loss", "loss", "note");
        assertEquals(List.of("valid_loss", "loss", "note"), List.copyOf(series.keySet()));
        assertEquals(List.of(10L, 20L, 30L), List.copyOf(series.get("loss").keySet()));
        assertEquals(List.of(3.0, 2.0, 1.0), List.copyOf(series.get("loss").values()));
        assertEquals(Map.of(20L, 2.5), series.get("valid_loss"));
        assertTrue(series.get("note").isEmpty());
    }

    @Test
    void validationLossesLoseTheLogZTheyCarry() {
        try (MetricsLog log = MetricsLog.append(file())) {
            log.write(Map.of("step", 100, "loss", 300.0, "prior_log_z", -50.0));
            log.write(Map.of("step", 100, "valid_loss", 250.0)); // before validations had their own AIS
            log.write(Map.of("step", 200, "loss", 290.0)); // no running estimate logged at 200
            log.write(Map.of("step", 200, "valid_loss", 280.0));
            log.write(Map.of("step", 300, "loss", 280.0, "prior_log_z", -70.0));
            log.write(Map.of("step", 300, "valid_loss", 560.0, "valid_prior_log_z", 275.0));
        }
        NavigableMap<Long, Double> valid = MetricsLog.validLossWithoutLogZ(file());
        assertEquals(Map.of(100L, 300.0, 300L, 285.0), valid, "the AIS estimate where there is one, else the running "
                + "estimate; a validation with neither is left out");

        Path structured = tmp.resolve("struct.jsonl");
        try (MetricsLog log = MetricsLog.append(structured)) {
            log.write(Map.of("step", 100, "loss", 40.0));
            log.write(Map.of("step", 100, "valid_loss", 42.0));
        }
        assertEquals(Map.of(100L, 42.0), MetricsLog.validLossWithoutLogZ(structured), "no prior, nothing to take off");
    }
}
