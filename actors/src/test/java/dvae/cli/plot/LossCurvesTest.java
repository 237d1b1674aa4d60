package dvae.cli.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

class LossCurvesTest {
    @TempDir
    Path tmp;

    private static Map<String, NavigableMap<Long, Double>> curves() {
        NavigableMap<Long, Double> train = new TreeMap<>();
        NavigableMap<Long, Double> valid = new TreeMap<>();
        for (long step = 0; step <= 2000; step += 20) {
            train.put(step, 90 + 200 * Math.exp(-step / 300.0));
            if (step % 500 == 0) {
                valid.put(step, 95 + 180 * Math.exp(-step / 300.0));
            }
        }
        valid.put(2000L, -1.0); // a value a log scale cannot show
        Map<String, NavigableMap<Long, Double>> curves = new LinkedHashMap<>();
        curves.put("loss", train);
        curves.put("valid_loss", valid);
        curves.put("not yet logged", new TreeMap<>());
        return curves;
    }

    @Test
    void writesADecodablePngOfTheExpectedSize() throws Exception {
        for (LossCurves.Scale scale : LossCurves.Scale.values()) {
            Path png = tmp.resolve("plots/loss-" + scale + ".png");
            LossCurves.writePng(png, "negative ELBO", curves(), scale);
            BufferedImage image = ImageIO.read(png.toFile());
            assertNotNull(image, scale + " decodes");
            assertEquals(LossCurves.WIDTH, image.getWidth());
            assertEquals(LossCurves.HEIGHT, image.getHeight());
        }
        try (var files = Files.list(tmp.resolve("plots"))) {
            assertEquals(2, files.count(), "no temporary files left");
        }
    }

    @Test
    void eachNonEmptySeriesIsALineOfItsPoints() {
        XYChart linear = LossCurves.chart("t", curves(), LossCurves.Scale.LINEAR);
        assertEquals(List.of("loss", "valid_loss"), new ArrayList<>(linear.getSeriesMap().keySet()));
        XYSeries valid = linear.getSeriesMap().get("valid_loss");
        assertEquals(5, valid.getXData().length);
        assertEquals(2000.0, valid.getXData()[4]);
        assertEquals(-1.0, valid.getYData()[4]);
        assertEquals(101, linear.getSeriesMap().get("loss").getXData().length);

        XYChart log = LossCurves.chart("t", curves(), LossCurves.Scale.LOG);
        assertTrue(log.getStyler().isYAxisLogarithmic());
        assertEquals(4, log.getSeriesMap().get("valid_loss").getXData().length, "the negative value is left out");
    }

    @Test
    void aChartWithoutDataIsStillWritten() throws Exception {
        Path png = tmp.resolve("empty.png");
        LossCurves.writePng(png, "no data yet", Map.of("loss", new TreeMap<>()), LossCurves.Scale.LOG);
        assertEquals(LossCurves.WIDTH, ImageIO.read(png.toFile()).getWidth());
    }
}
