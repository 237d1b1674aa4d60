package dvae.cli;

import dvae.math.toy.Curve;
import java.awt.Color;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The experiments' figures: curves against the iteration on a logarithmic value axis. */
final class LineCharts {
    /** Distinct colours for up to eight series families; a family's variants share a colour and differ in dash. */
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
        new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};
    /** Points drawn per series at most: XChart restarts the dash pattern on every segment, so short ones look solid. */
    private static final int MAX_POINTS = 80;
    /** Values at or below zero have no place on a log axis; they are drawn at this floor. */
    private static final double LOG_FLOOR = 1e-16;

    private LineCharts() {
    }

    static XYChart logY(String title, String xTitle, String yTitle, boolean logX) {
        XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setLegendSeriesLineLength(40);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setXAxisTickMarkSpacingHint(120);
        if (!logX) {
            chart.getStyler().setXAxisDecimalPattern("0");
        }
        return chart;
    }

    static Color colour(int family) {
        return PALETTE[family % PALETTE.length];
    }

    /**
     * Adds a curve, thinned to about {@value #MAX_POINTS} points (always keeping the last); {@code xOffset} shifts
     * iterations (1 puts iteration 0 on a log x axis).
     */
    static XYSeries add(XYChart chart, String name, Curve curve, int xOffset, Color colour, boolean dashed) {
        int n = curve.iterations().length;
        int stride = Math.max(1, (n + MAX_POINTS - 1) / MAX_POINTS);
        int points = (n - 1) / stride + 1 + ((n - 1) % stride == 0 ? 0 : 1);
        double[] x = new double[points];
        double[] y = new double[points];
        for (int p = 0; p < points; p++) {
            int i = Math.min(p * stride, n - 1);
            x[p] = curve.iterations()[i] + xOffset;
            y[p] = Math.max(curve.values()[i], LOG_FLOOR);
        }
        XYSeries series = chart.addSeries(name, x, y);
        series.setMarker(SeriesMarkers.NONE);
        series.setLineColor(colour);
        series.setLineStyle(dashed ? SeriesLines.DASH_DASH : SeriesLines.SOLID);
        return series;
    }
}
