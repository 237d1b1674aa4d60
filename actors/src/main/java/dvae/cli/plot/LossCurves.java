package dvae.cli.plot;

import dvae.math.io.AtomicFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Line charts of metric series (step → value, as {@code MetricsLog.series} reads them) against the training step,
 * written as a PNG, e.g. {@code plots/loss.png} at each validation.
 */
public final class LossCurves {
    public static final int WIDTH = 800;
    public static final int HEIGHT = 500;

    static {
        // Plots are drawn off screen, also on machines without a display; never open a window.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    public enum Scale {
        LINEAR, LOG
    }

    private LossCurves() {
    }

    /**
     * Writes one line per series, in the map's order, atomically to {@code png} ({@link #WIDTH} x {@link #HEIGHT}).
     * Empty series are left out, and on a log scale so are points that are not positive, which it cannot show.
     */
    public static void writePng(Path png, String title, Map<String, ? extends SortedMap<Long, Double>> series,
                                Scale scale) {
        XYChart chart = chart(title, series, scale);
        AtomicFiles.write(png, out -> out.write(BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG)));
    }

    /** Series of at most this many points are drawn with markers. */
    private static final int SPARSE = 100;

    static XYChart chart(String title, Map<String, ? extends SortedMap<Long, Double>> series, Scale scale) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("step").build();
        chart.getStyler()
                .setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line)
                .setYAxisLogarithmic(scale == Scale.LOG)
                .setYAxisLogarithmicDecadeOnly(false) // losses often span less than a decade
                .setYAxisDecimalPattern("#,##0.##") // a few points would otherwise get ticks with 17 digits
                .setXAxisDecimalPattern("#,##0") // steps as 300,000, not 3E5 or 3.001E5
                .setXAxisMin(0.0) // from step 0, so that the ticks fall on round steps
                .setLegendPosition(Styler.LegendPosition.InsideNE);
        series.forEach((name, points) -> {
            List<Long> steps = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            points.forEach((step, value) -> {
                if (scale == Scale.LINEAR || value > 0) {
                    steps.add(step);
                    values.add(value);
                }
            });
            if (!steps.isEmpty()) {
                // Sparse series (validations) get a marker per point, so that one point shows too.
                chart.addSeries(name, steps, values).setMarker(steps.size() <= SPARSE ? SeriesMarkers.CIRCLE
                        : SeriesMarkers.NONE);
            }
        });
        return chart;
    }
}
