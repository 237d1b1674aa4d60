package dvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {
    private static String error(Runnable r) {
        BadInputException e = assertThrows(BadInputException.class, r::run);
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void defaultsAreThePapers() {
        Settings s = new Settings(SettingsLoader.load(null, List.of()));
        assertEquals(1_000_000, s.longAtLeast("dvae.train.iterations", 1));
        assertEquals(100, s.intAtLeast("dvae.train.batch-size", 1));
        assertEquals(0.003, s.positive("dvae.train.learning-rate"), 0);
        assertEquals(0.001, s.positive("dvae.train.adam.epsilon"), 0);
        assertEquals("mnist", s.string("dvae.data.dataset"));
    }

    @Test
    void setOverridesInOrderAndConfigFileSitsBelowThem(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("x.conf");
        Files.writeString(file, "dvae.train { iterations = 500, batch-size = 10 }\n");
        Settings s = new Settings(SettingsLoader.load(file,
                List.of("dvae.train.iterations=2000", "dvae.train.iterations=3000", "dvae.data.dataset=omniglot")));
        assertEquals(3000, s.longAtLeast("dvae.train.iterations", 1));
        assertEquals(10, s.intAtLeast("dvae.train.batch-size", 1));
        assertEquals("omniglot", s.string("dvae.data.dataset"));
    }

    @Test
    void unknownKeyIsNamed() {
        String msg = error(() -> SettingsLoader.load(null, List.of("dvae.train.iteratoins=5")));
        assertTrue(msg.contains("unknown key dvae.train.iteratoins"), msg);
    }

    @Test
    void keysOutsideOurSectionsAreRefused() {
        String msg = error(() -> SettingsLoader.load(null, List.of("foo.bar=1")));
        assertTrue(msg.contains("foo.bar"), msg);
    }

    @Test
    void wrongTypeAndNaNAreNamed() {
        String msg = error(() -> SettingsLoader.load(null, List.of("dvae.train.iterations=abc")));
        assertTrue(msg.contains("dvae.train.iterations") && msg.contains("abc"), msg);
        msg = error(() -> SettingsLoader.load(null, List.of("dvae.train.learning-rate=NaN")));
        assertTrue(msg.contains("dvae.train.learning-rate") && msg.contains("NaN"), msg);
        msg = error(() -> SettingsLoader.load(null, List.of("dvae.train=5")));
        assertTrue(msg.contains("dvae.train"), msg);
    }

    @Test
    void malformedAssignmentAndMissingOrBrokenFilesAreNamed(@TempDir Path dir) throws Exception {
        String msg = error(() -> SettingsLoader.load(null, List.of("noequals")));
        assertTrue(msg.contains("KEY=VALUE"), msg);
        Path missing = dir.resolve("nope.conf");
        msg = error(() -> SettingsLoader.load(missing, List.of()));
        assertTrue(msg.contains(missing.toString()) && msg.contains("no such file"), msg);
        Path broken = dir.resolve("broken.conf");
        Files.writeString(broken, "dvae.train { iterations = \n");
        msg = error(() -> SettingsLoader.load(broken, List.of()));
        assertTrue(msg.contains(broken.toString()), msg);
        Path nan = dir.resolve("nan.conf");
        Files.writeString(nan, "dvae.train.weight-decay = NaN\n");
        msg = error(() -> SettingsLoader.load(nan, List.of()));
        assertTrue(msg.contains("dvae.train.weight-decay"), msg);
    }

    @Test
    void rangeChecksNameTheKey() {
        Settings s = new Settings(SettingsLoader.load(null, List.of("dvae.train.iterations=0",
                "dvae.train.learning-rate=-1", "dvae.train.warmup-fraction=2")));
        assertTrue(error(() -> s.longAtLeast("dvae.train.iterations", 1)).contains("dvae.train.iterations"));
        assertTrue(error(() -> s.positive("dvae.train.learning-rate")).contains("dvae.train.learning-rate"));
        assertTrue(error(() -> s.doubleIn("dvae.train.warmup-fraction", 0, 1)).contains("dvae.train.warmup-fraction"));
        assertTrue(error(() -> s.oneOf("dvae.data.dataset", "omniglot")).contains("dvae.data.dataset"));
    }
}
