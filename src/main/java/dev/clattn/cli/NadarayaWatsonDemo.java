package dev.clattn.cli;

import dev.clattn.Attention;
import dev.clattn.AttentionResult;
import dev.clattn.BackendKind;
import dev.clattn.Config;
import dev.clattn.NadarayaWatson;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clattn demo nadaraya-watson}: the classic kernel-regression example computed by the engine. 50 sorted
 * training inputs x ~ U[0, 5), targets y = 2 sin x + x^0.8 + N(0, 0.5²), test inputs 0, 0.1, …, 4.9, a Gaussian
 * kernel of bandwidths {@link #SIGMAS}; fit.png (truth, samples, one fit per bandwidth) and weights.png (the
 * test × training weights at σ = 1), each fit checked against float64.
 */
@Command(name = "nadaraya-watson", mixinStandardHelpOptions = true,
        description = "Nadaraya-Watson kernel regression on the engine: fit.png and weights.png.")
final class NadarayaWatsonDemo implements Callable<Integer>, ArgumentOptions {
    static final double[] SIGMAS = {0.1, 0.3, 1, 3};
    private static final Color[] COLOURS = {new Color(0xd62728), new Color(0x2ca02c), new Color(0x1f77b4),
        new Color(0x9467bd)};

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where fit.png and weights.png go")
    Path out;
    @Option(names = "--backend", defaultValue = "auto", paramLabel = "auto|opencl|cpu")
    String backend;
    @Option(names = "--seed", defaultValue = "1", description = "the training sample's random seed")
    long seed;
    @Spec
    CommandSpec spec;

    @Override
    public Map<String, String> optionsByArgument() {
        return Map.of("backend", "--backend");
    }

    static double truth(double x) {
        return 2 * Math.sin(x) + Math.pow(x, 0.8);
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter w = spec.commandLine().getOut();
        Files.createDirectories(out);
        OutputFiles files = new OutputFiles().output("fit.png", out.resolve("fit.png"))
                .output("weights.png", out.resolve("weights.png"));
        Random rnd = new Random(seed);
        float[] x = new float[50];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (5 * rnd.nextDouble());
        }
        Arrays.sort(x);
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (float) (truth(x[i]) + 0.5 * rnd.nextGaussian());
        }
        float[] at = new float[50];
        for (int i = 0; i < at.length; i++) {
            at[i] = i / 10f;
        }
        NadarayaWatson model = new NadarayaWatson(x, y, 1, 1);
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries truth = new XYSeries("truth 2 sin x + x^0.8");
        XYSeries samples = new XYSeries("training samples (noise sd 0.5)");
        for (int i = 0; i <= 490; i++) {
            truth.add(i / 100.0, truth(i / 100.0));
        }
        for (int i = 0; i < x.length; i++) {
            samples.add(x[i], y[i]);
        }
        data.addSeries(truth);
        data.addSeries(samples);
        float[] weights = null;
        Config config = Config.builderFromEnvironment().backend(BackendKind.parse(backend)).build();
        try (Attention engine = Attention.open(config)) {
            w.println("device:  " + engine.backendKind().name().toLowerCase(Locale.ROOT) + " - " + engine.device());
            for (double sigma : SIGMAS) {
                AttentionResult r = model.predict(engine, at, (float) sigma, sigma == 1);
                weights = sigma == 1 ? r.weights() : weights;
                XYSeries fit = new XYSeries(String.format(Locale.ROOT, "fit, sigma = %.1f", sigma));
                double err = 0;
                double sq = 0;
                for (int i = 0; i < at.length; i++) {
                    fit.add(at[i], r.output()[i]);
                    err = Math.max(err, Math.abs(r.output()[i] - exact(x, y, at[i], sigma)));
                    sq += Math.pow(r.output()[i] - truth(at[i]), 2);
                }
                data.addSeries(fit);
                w.printf(Locale.ROOT, "sigma %.1f: RMSE against the truth %.4f; max |fit - float64| %.2g%n", sigma,
                        Math.sqrt(sq / at.length), err);
            }
        }
        files.writePng("fit.png", fitChart(data).createBufferedImage(1000, 640));
        files.writePng("weights.png", Heatmap.render(weights, at.length, x.length,
                "Nadaraya-Watson weights, Gaussian kernel, sigma = 1", "training point j (sorted by x)",
                "test point i (x = i / 10)"));
        files.commit();
        w.println("wrote " + out.resolve("fit.png") + " and " + out.resolve("weights.png"));
        return 0;
    }

    /** The estimate at t from its definition, in float64. */
    static double exact(float[] x, float[] y, double t, double sigma) {
        double max = Double.NEGATIVE_INFINITY;
        for (float xi : x) {
            max = Math.max(max, -(t - xi) * (t - xi) / (2 * sigma * sigma));
        }
        double num = 0;
        double den = 0;
        for (int i = 0; i < x.length; i++) {
            double k = Math.exp(-(t - x[i]) * (t - x[i]) / (2 * sigma * sigma) - max);
            num += k * y[i];
            den += k;
        }
        return num / den;
    }

    private static JFreeChart fitChart(XYSeriesCollection data) {
        JFreeChart chart = ChartFactory.createXYLineChart("Nadaraya-Watson kernel regression on clattn", "x", "y",
                data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer();
        r.setSeriesPaint(0, Color.BLACK);
        r.setSeriesStroke(0, new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {8f, 5f}, 0f));
        r.setSeriesShapesVisible(0, false);
        r.setSeriesLinesVisible(1, false);
        r.setSeriesPaint(1, Color.GRAY);
        r.setSeriesShape(1, new java.awt.geom.Ellipse2D.Double(-3, -3, 6, 6));
        for (int s = 2; s < data.getSeriesCount(); s++) {
            r.setSeriesPaint(s, COLOURS[(s - 2) % COLOURS.length]);
            r.setSeriesStroke(s, new BasicStroke(2f));
            r.setSeriesShapesVisible(s, false);
        }
        plot.setRenderer(r);
        return chart;
    }
}
