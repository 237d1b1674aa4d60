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
