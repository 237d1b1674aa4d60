package dvae.math.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.BadInputException;
import dvae.math.io.Npy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {
    @TempDir
    Path tmp;

    private Path root() {
        return tmp.resolve("checkpoints");
    }

    /** Contents that record their step, as the trainer's tensors would. */
    private static Checkpoints.Contents weights(long step) {
        return dir -> Npy.writeFloats(dir.resolve("w.npy"), new int[] {2}, new float[] {step, -step});
    }

    private static Checkpoint.Score loss(double value) {
        return new Checkpoint.Score("valid_loss", value);
    }

    private List<String> entries() throws IOException {
        try (Stream<Path> paths = Files.list(root())) {
            return paths.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aCheckpointHoldsTheCallersFilesAndItsDescription() {
        Checkpoints checkpoints = new Checkpoints(root(), 2);
        assertTrue(checkpoints.latest().isEmpty());
        assertTrue(checkpoints.best().isEmpty());
        assertTrue(checkpoints.list().isEmpty());

        Checkpoint saved = checkpoints.save(123, Map.of("epoch", 4), loss(95.5), weights(123));
        assertEquals(root().resolve("step-0000123"), saved.dir());
        assertArrayEquals(new float[] {123, -123}, Npy.read(saved.file("w.npy")).asFloats());
        assertTrue(Files.isRegularFile(saved.file("checkpoint.json")));
        assertEquals(4L, saved.metadata().get("epoch"));

        Checkpoint latest = checkpoints.latest().orElseThrow();
        assertEquals(123, latest.step());
        assertEquals(loss(95.5), latest.score());
        assertEquals(saved, latest);
        assertEquals(saved, checkpoints.best().orElseThrow());
    }

    @Test
    void bestIsTheLowestScoreAndLastTheNewestStep() {
        Checkpoints checkpoints = new Checkpoints(root(), 10);
        checkpoints.save(100, Map.of(), loss(5), weights(100));
        checkpoints.save(200, Map.of(), loss(3), weights(200));
        checkpoints.save(300, Map.of(), loss(4), weights(300));
        checkpoints.save(400, Map.of(), weights(400)); // e.g. saved on stop, without validation
        assertEquals(400, checkpoints.latest().orElseThrow().step());
        assertNull(checkpoints.latest().orElseThrow().score());
        Checkpoint best = checkpoints.best().orElseThrow();
        assertEquals(200, best.step());
        assertEquals(3.0, best.score().value());
        assertEquals(List.of(100L, 200L, 300L, 400L), checkpoints.list().stream().map(Checkpoint::step).toList());
    }

    @Test
    void aScoreOfAnotherMetricReplacesTheBest() {
        Checkpoints checkpoints = new Checkpoints(root(), 10);
        checkpoints.save(100, Map.of(), loss(5), weights(100));
        checkpoints.save(200, Map.of(), new Checkpoint.Score("valid_nll", 90), weights(200));
        assertEquals(200, checkpoints.best().orElseThrow().step());
    }

    @Test
    void onlyTheLastFewAndTheBestAreKept() throws Exception {
        Checkpoints checkpoints = new Checkpoints(root(), 2);
        checkpoints.save(1, Map.of(), loss(1), weights(1));
        for (long step = 2; step <= 5; step++) {
            checkpoints.save(step, Map.of(), loss(10 + step), weights(step));
        }
        assertEquals(List.of("index.json", "step-0000001", "step-0000004", "step-0000005"), entries());
        assertEquals(List.of(1L, 4L, 5L), checkpoints.list().stream().map(Checkpoint::step).toList());
        assertEquals(1, checkpoints.best().orElseThrow().step());
        checkpoints.save(6, Map.of(), loss(0.5), weights(6));
        assertEquals(List.of("index.json", "step-0000005", "step-0000006"), entries());
    }

    @Test
    void aFailingCallbackLeavesThePreviousCheckpointsIntact() throws Exception {
        Checkpoints checkpoints = new Checkpoints(root(), 2);
        checkpoints.save(100, Map.of(), loss(2), weights(100));
        checkpoints.save(200, Map.of(), loss(3), weights(200));
        byte[] index = Files.readAllBytes(root().resolve("index.json"));
        List<String> before = entries();

        IllegalStateException thrown = new IllegalStateException("disk full while writing the optimizer state");
        Checkpoints.Contents failing = dir -> {
            weights(300).write(dir);
            Files.createDirectories(dir.resolve("chains"));
            Files.writeString(dir.resolve("chains/part.bin"), "half");
            throw thrown;
        };
        assertSame(thrown, assertThrows(IllegalStateException.class,
                () -> checkpoints.save(300, Map.of(), loss(1), failing)));

        assertArrayEquals(index, Files.readAllBytes(root().resolve("index.json")), "index untouched");
        assertEquals(before, entries(), "no temporary or partial directory left");
        assertEquals(200, checkpoints.latest().orElseThrow().step());
        assertEquals(100, checkpoints.best().orElseThrow().step());
        assertArrayEquals(new float[] {200, -200},
                Npy.read(checkpoints.latest().orElseThrow().file("w.npy")).asFloats());

        checkpoints.save(300, Map.of(), loss(1), weights(300)); // the trainer may retry the same step
        assertEquals(300, checkpoints.best().orElseThrow().step());
    }

    @Test
    void aFailingFirstCheckpointLeavesNoCheckpoint() throws Exception {
        Checkpoints checkpoints = new Checkpoints(root(), 2);
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> checkpoints.save(1, Map.of(), dir -> {
                    throw new IOException("cannot write");
                }));
        assertTrue(e.getMessage().contains("step-0000001") && e.getMessage().contains("cannot write"),
                e.getMessage());
        assertTrue(checkpoints.latest().isEmpty());
        assertEquals(List.of(), entries());
    }

    @Test
    void whatACrashLeftBehindIsIgnoredAndCleanedByTheNextSave() throws Exception {
        Checkpoints checkpoints = new Checkpoints(root(), 2);
        checkpoints.save(100, Map.of(), loss(2), weights(100));
        // A crash mid-write left a temporary directory; another, after the rename, a directory the index never named.
        Path temp = Files.createDirectories(root().resolve(".tmp-step-0000200-123"));
        Files.writeString(temp.resolve("w.npy"), "partial");
        Path orphan = Files.createDirectories(root().resolve("step-0000200"));
        Files.writeString(orphan.resolve("checkpoint.json"), "{\"format\":1,\"step\":200}");
        Files.writeString(orphan.resolve("stale.txt"), "from the crashed run");

        assertEquals(100, checkpoints.latest().orElseThrow().step());
        assertEquals(1, checkpoints.list().size());

        Checkpoint again = checkpoints.save(200, Map.of(), loss(1), weights(200));
        assertFalse(Files.exists(again.file("stale.txt")), "the orphan was replaced, not merged");
        assertFalse(Files.exists(temp));
        assertEquals(List.of("index.json", "step-0000100", "step-0000200"), entries());
    }

    @Test
    void stepsMustIncrease() {
        Checkpoints checkpoints = new Checkpoints(root(), 2);
        checkpoints.save(100, Map.of(), weights(100));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> checkpoints.save(100, Map.of(), weights(100)));
        assertTrue(e.getMessage().contains("step 100"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Checkpoints(root(), 0));
    }

    @Test
    void aDamagedIndexIsAOneLineErrorNamingIt() throws Exception {
        Checkpoints checkpoints = new Checkpoints(root(), 2);
        checkpoints.save(100, Map.of(), weights(100));
        Path index = root().resolve("index.json");
        for (String damaged : List.of("{\"format\":1,\"last\":", "", "null", "[1]",
                "{\"format\":1,\"last\":100,\"steps\":[]}",
                "{\"format\":1,\"last\":200,\"steps\":[100]}",
                "{\"format\":2,\"last\":100,\"steps\":[100]}",
                "{\"format\":1,\"last\":100,\"steps\":[100],\"best\":{\"step\":50,\"metric\":\"l\",\"value\":1}}")) {
            Files.writeString(index, damaged);
            BadInputException e = assertThrows(BadInputException.class, checkpoints::latest, damaged);
            assertTrue(e.getMessage().startsWith(index.toString()), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertThrows(BadInputException.class, () -> checkpoints.save(300, Map.of(), weights(300)));
        }
    }

    @Test
    void aCheckpointWithoutItsDescriptionIsAnErrorNamingIt() throws Exception {
        Checkpoints checkpoints = new Checkpoints(root(), 2);
        Checkpoint saved = checkpoints.save(100, Map.of(), weights(100));
        Files.delete(saved.file("checkpoint.json"));
        BadInputException e = assertThrows(BadInputException.class, checkpoints::latest);
        assertTrue(e.getMessage().startsWith(saved.dir().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("checkpoint.json"), e.getMessage());

        Files.writeString(saved.file("checkpoint.json"), "{\"format\":1,\"step\":99}");
        e = assertThrows(BadInputException.class, checkpoints::latest);
        assertTrue(e.getMessage().startsWith(saved.file("checkpoint.json").toString()), e.getMessage());

        try (Stream<Path> paths = Files.walk(saved.dir())) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
        e = assertThrows(BadInputException.class, checkpoints::latest);
        assertTrue(e.getMessage().startsWith(saved.dir().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }
}
