package dvae.math.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.BadInputException;
import dvae.math.random.RandomStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RandomStatesTest {
    @TempDir
    Path tmp;

    private static Map<String, RandomStream> streams() {
        Map<String, RandomStream> streams = new LinkedHashMap<>();
        streams.put("data order", RandomStream.forPurpose(1, "data order"));
        streams.put("gibbs", RandomStream.forPurpose(1, "gibbs"));
        return streams;
    }

    @Test
    void restoredStreamsContinueExactlyWhereTheSavedOnesWere() {
        Path file = tmp.resolve("random.json");
        Map<String, RandomStream> original = streams();
        original.get("data order").nextLong();
        original.get("gibbs").nextGaussian(); // leaves a spare Gaussian, part of the state
        RandomStates.write(file, original);

        Map<String, RandomStream> restored = streams();
        RandomStates.restore(file, restored);
        for (String name : original.keySet()) {
            assertArrayEquals(original.get(name).state(), restored.get(name).state(), name);
        }
        assertEquals(original.get("gibbs").nextGaussian(), restored.get("gibbs").nextGaussian());
        for (int i = 0; i < 100; i++) {
            assertEquals(original.get("data order").nextLong(), restored.get("data order").nextLong());
        }
    }

    @Test
    void streamNamesMustMatchTheSavedOnes() {
        Path file = tmp.resolve("random.json");
        RandomStates.write(file, streams());
        Map<String, RandomStream> more = streams();
        more.put("worker 2", new RandomStream(3));
        BadInputException e = assertThrows(BadInputException.class, () -> RandomStates.restore(file, more));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("worker 2"), e.getMessage());
    }

    @Test
    void aDamagedStateIsAnErrorNamingTheFileAndStream() throws Exception {
        Path file = tmp.resolve("random.json");
        Files.writeString(file, "{\"data order\": [1, 2, 3], \"gibbs\": [1, 2, 3, 4, 0, 0]}");
        BadInputException e = assertThrows(BadInputException.class, () -> RandomStates.restore(file, streams()));
        assertTrue(e.getMessage().startsWith(file + ": stream data order"), e.getMessage());
    }
}
