package dvae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.run.MetricsLog;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --resume DIR --engine E} hands a run to the other engine from the command line. */
class EngineSwitchCommandTest {
    private static final String[] SMALL = {"--set", "dvae.model.latents=8", "--set", "dvae.model.encoder-hidden=[8]",
        "--set", "dvae.model.decoder-hidden=[8]", "--set", "dvae.prior-sampler.particles=20", "--set",
        "dvae.prior-sampler.sweeps=2", "--set", "dvae.train.iterations=8", "--set", "dvae.train.eval-every=4",
        "--set", "dvae.train.log-every=1", "--set", "dvae.train.valid-examples=20", "--set",
        "dvae.train.select-by=loss", "--set", "dvae.train.checkpoint-minutes=0"};

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void eachEngineTakesOverTheOthersRun(@TempDir Path tmp) {
        for (String[] engines : List.of(new String[] {"actors", "reference"}, new String[] {"reference", "actors"})) {
            Path run = tmp.resolve(engines[0]);
            CliRun first = CliRun.run(concat(new String[] {"train", "--engine", engines[0], "--out", run.toString()},
                    SMALL));
            assertEquals(0, first.exit(), first.err());
            // The run is finished: the other engine opens it, restores everything and ends at once.
            CliRun second = CliRun.run("train", "--resume", run.toString(), "--engine", engines[1]);
            assertEquals(0, second.exit(), second.err());
            assertTrue(second.err().contains("continuing a run of the " + engines[0] + " engine with the "
                    + engines[1] + " engine"), second.err());
            List<Map<String, Object>> steps = MetricsLog.read(run.resolve("metrics.jsonl")).stream()
                    .filter(m -> m.containsKey("loss")).toList();
            assertEquals(8, steps.size());
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
