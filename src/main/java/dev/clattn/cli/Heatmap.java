package dev.clattn.cli;

import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.image.BufferedImage;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultXYZDataset;

/**
 * A matrix as a heatmap: rows down the vertical axis (row 0 at the top, as the matrix reads), columns across,
 * viridis colours with a colour bar. Matrices larger than {@link #MAX_CELLS} a side are shown as block means,
 * which the title says.
 */
final class Heatmap {
    static final int MAX_CELLS = 400;
    /** Viridis at 9 evenly spaced stops (matplotlib's), interpolated linearly between. */
    private static final int[] VIRIDIS = {0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c, 0x28ae80, 0x5ec962,
        0xaddc30, 0xfde725};

    private Heatmap() {
    }

    /** The picture of m [rows, cols], row-major. */
    static BufferedImage render(float[] m, int rows, int cols, String title, String xLabel, String yLabel) {
        int by = (rows + MAX_CELLS - 1) / MAX_CELLS;
        int bx = (cols + MAX_CELLS - 1) / MAX_CELLS;
        int ny = (rows + by - 1) / by;
        int nx = (cols + bx - 1) / bx;
        double[][] xyz = new double[3][ny * nx];
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < ny; r++) {
            for (int c = 0; c < nx; c++) {
                double sum = 0;
                int count = 0;
                for (int i = r * by; i < Math.min(rows, (r + 1) * by); i++) {
                    for (int j = c * bx; j < Math.min(cols, (c + 1) * bx); j++) {
                        sum += m[i * cols + j];
                        count++;
                    }
                }
                int at = r * nx + c;
                xyz[0][at] = c * bx + (bx - 1) / 2.0;
                xyz[1][at] = r * by + (by - 1) / 2.0;
                xyz[2][at] = sum / count;
                if (Double.isFinite(xyz[2][at])) {
                    lo = Math.min(lo, xyz[2][at]);
                    hi = Math.max(hi, xyz[2][at]);
                }
            }
        }
        if (!(lo < hi)) {
            lo = Double.isFinite(lo) ? lo - 0.5 : 0;
            hi = lo + 1;
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("m", xyz);
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setBlockWidth(bx);
        renderer.setBlockHeight(by);
        Viridis scale = new Viridis(lo, hi);
        renderer.setPaintScale(scale);
        NumberAxis x = new NumberAxis(xLabel);
        x.setRange(-0.5, cols - 0.5);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        NumberAxis y = new NumberAxis(yLabel);
        y.setRange(-0.5, rows - 0.5);
        y.setInverted(true);
        y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.GRAY);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        String shown = by == 1 && bx == 1 ? "" : " (means of " + by + "x" + bx + " blocks)";
        JFreeChart chart = new JFreeChart(title + shown, new Font("SansSerif", Font.BOLD, 16), plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        NumberAxis bar = new NumberAxis();
        bar.setRange(lo, hi);
        bar.setTickUnit((org.jfree.chart.axis.NumberTickUnit) NumberAxis.createStandardTickUnits()
                .getCeilingTickUnit((hi - lo) / 8));
        PaintScaleLegend legend = new PaintScaleLegend(scale, bar);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setStripWidth(16);
        legend.setMargin(8, 8, 40, 8);
        legend.setSubdivisionCount(256);
        chart.addSubtitle(legend);
        int side = 720;
        int w = cols >= rows ? side : Math.max(360, side * cols / rows);
        int h = rows >= cols ? side : Math.max(300, side * rows / cols);
        return chart.createBufferedImage(w + 150, h + 90);
    }

    /** Viridis from lo to hi; NaN shows as white. */
    private record Viridis(double lo, double hi) implements PaintScale {
        @Override
        public double getLowerBound() {
            return lo;
        }

        @Override
        public double getUpperBound() {
            return hi;
        }

        @Override
        public Paint getPaint(double value) {
            if (Double.isNaN(value)) {
                return Color.WHITE;
            }
            double t = Math.max(0, Math.min(1, (value - lo) / (hi - lo))) * (VIRIDIS.length - 1);
            int i = Math.min(VIRIDIS.length - 2, (int) t);
            double f = t - i;
            return new Color(mix(VIRIDIS[i] >> 16, VIRIDIS[i + 1] >> 16, f), mix(VIRIDIS[i] >> 8, VIRIDIS[i + 1] >> 8, f),
                    mix(VIRIDIS[i], VIRIDIS[i + 1], f));
        }

        private static int mix(int a, int b, double f) {
            return (int) Math.round((a & 0xff) * (1 - f) + (b & 0xff) * f);
        }
    }
}
