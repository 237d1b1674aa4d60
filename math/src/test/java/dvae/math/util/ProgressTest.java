package dvae.math.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void durationsReadNaturally() {
        assertEquals("5s", Progress.duration(5));
        assertEquals("1m15s", Progress.duration(75));
        assertEquals("1h06m", Progress.duration(3960));
    }

    @Test
    void plainModePrintsWholeLinesWithRateAndEta() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Progress p = new Progress("train", 100, out, false, 0, 0);
        p.update(0, null);
        Thread.sleep(20);
        p.update(50, "loss 1.5");
        p.finish(100, "done");
        String text = bytes.toString(StandardCharsets.UTF_8);
        String[] lines = text.strip().split("\n");
        assertEquals(2, lines.length, text);
        assertTrue(lines[0].startsWith("train 50/100 (50.0%)") && lines[0].contains("ETA ")
                && lines[0].contains("loss 1.5"), lines[0]);
        assertTrue(!lines[0].contains("ETA -"), "an ETA is known half way: " + lines[0]);
        assertTrue(lines[1].startsWith("train 100/100 (100.0%)") && lines[1].contains("ETA -"), lines[1]);
        assertTrue(!text.contains("\r"), "no carriage returns off a terminal");
    }

    @Test
    void workFinishedBeforeIsShownButLeftOutOfTheRate() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress("table1", 10_000, new PrintStream(bytes, true, StandardCharsets.UTF_8), false, 0, 0);
        long second = 1_000_000_000L;
        // A resumed experiment trains at 10 a second, reads back 3,000 units finished before half way, trains on.
        for (int t = 0; t <= 50; t++) {
            p.update(10L * t, null, t * second);
        }
        p.skip(3500, "cell 1 (finished before)", 50 * second + second / 2);
        for (int t = 51; t <= 100; t++) {
            p.update(3500 + 10L * (t - 50), null, t * second);
        }
        String last = bytes.toString(StandardCharsets.UTF_8).strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.startsWith("table1 4000/10000 (40.0%) 10.00/s ETA 10m00s"), last);
    }

    @Test
    void rateAndEtaFollowTheRecentHalfOfTheRun() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Progress p = new Progress("train", 11_100, out, false, 0, 0);
        long second = 1_000_000_000L;
        // A slow start (1 a second for 100 s, as while the JIT warms up), then 10 a second for 100 s: over the
        // recent half the rate is 10, where the whole run's mean (5.5) would put the ETA at 30 minutes.
        for (int t = 0; t <= 200; t++) {
            p.update(t <= 100 ? t : 100 + 10L * (t - 100), null, t * second);
        }
        String last = bytes.toString(StandardCharsets.UTF_8).strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.startsWith("train 1100/11100 (9.9%) 10.00/s ETA 16m40s"), last);
        // Over ten hours the samples are thinned but still span the run: the window starts within one spacing (at
        // most 36,000 s / 256) of half way, so the rate is within 1% of the recent half's 20.
        Progress q = new Progress("train", 1_000_000, new PrintStream(new ByteArrayOutputStream()), false, 0, 0);
        for (int t = 0; t <= 36_000; t++) {
            q.update(t < 18_000 ? 10L * t : 180_000 + 20L * (t - 18_000), null, t * second);
        }
        String line = q.format(540_000, 36_000 * second, null);
        double rate = Double.parseDouble(line.replaceAll(".* ([0-9.]+)/s .*", "$1"));
        assertTrue(rate > 19.8 && rate <= 20, line);
    }

    @Test
    void terminalModeRedrawsOneLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Progress p = new Progress("eval", 10, out, true, 0, 0);
        p.update(1, null);
        p.update(5, null);
        p.finish(10, null);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("\r") && text.endsWith("\n"), text);
        assertEquals(1, text.chars().filter(c -> c == '\n').count());
    }
}
