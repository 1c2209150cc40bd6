package dev.clattn.cli;

import com.google.gson.GsonBuilder;
import java.awt.BasicStroke;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Writes benchmark rows as CSV, Markdown, JSON (with the run's metadata) and a PNG chart of GFLOP/s against N. */
final class BenchReport {
    private BenchReport() {
    }

    static void write(Path out, List<BenchCommand.Row> rows) throws IOException {
        Files.createDirectories(out);
        StringBuilder csv = new StringBuilder("path,B,H,Nq,Nk,D,causal,median_ms,min_ms,gflops,max_error,device_bytes,"
                + "device,params\n");
        StringBuilder md = new StringBuilder("| path | B | H | Nq | Nk | D | causal | median ms | GFLOP/s |\n"
                + "|---|---|---|---|---|---|---|---|---|\n");
        for (BenchCommand.Row r : rows) {
            var s = r.shape();
            csv.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%d,%d,%b,%.3f,%.3f,%.2f,%.2e,%d,\"%s\",\"%s\"%n",
                    r.path(), s.batch(), s.queryHeads(), s.queryLen(), s.keyLen(), s.headDim(), r.causal(), r.medianMs(), r.minMs(),
                    r.gflops(), r.error(), r.deviceBytes(), r.device(), r.params()));
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %s | %.2f | %.1f |%n", r.path(),
                    s.batch(), s.queryHeads(), s.queryLen(), s.keyLen(), s.headDim(), r.causal() ? "yes" : "no", r.medianMs(),
                    r.gflops()));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("clattnVersion", version());
        json.put("gitCommit", gitCommit());
        json.put("date", Instant.now().toString());
        json.put("device", rows.isEmpty() ? "" : rows.get(0).device());
        json.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        json.put("rows", rows);
        md.append("\n").append(json.get("date")).append(", clattn ").append(json.get("clattnVersion")).append(" (")
                .append(json.get("gitCommit")).append(")\n");
        Files.writeString(out.resolve("bench.csv"), csv);
        Files.writeString(out.resolve("bench.md"), md);
        Files.writeString(out.resolve("bench.json"), new GsonBuilder().setPrettyPrinting()
                .serializeSpecialFloatingPointValues().create().toJson(json));
        chart(out.resolve("bench.png"), rows);
    }

    private static void chart(Path file, List<BenchCommand.Row> rows) throws IOException {
        Map<String, XYSeries> series = new LinkedHashMap<>();
        for (BenchCommand.Row r : rows) {
            String key = r.path() + (r.causal() ? " causal" : "") + " D=" + r.shape().headDim();
            series.computeIfAbsent(key, XYSeries::new).add(r.shape().keyLen(), r.gflops());
        }
        XYSeriesCollection data = new XYSeriesCollection();
        series.values().forEach(data::addSeries);
        JFreeChart chart = ChartFactory.createXYLineChart("clattn bench: " + (rows.isEmpty() ? "" : rows.get(0)
                .device()), "key length Nk", "GFLOP/s", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(java.awt.Color.WHITE);
        plot.setDomainGridlinePaint(java.awt.Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(java.awt.Color.LIGHT_GRAY);
        LogAxis x = new LogAxis("key length Nk");
        x.setBase(2);
        x.setTickUnit(new NumberTickUnit(1));
        x.setNumberFormatOverride(new java.text.DecimalFormat("0"));
        plot.setDomainAxis(x);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 1000, 600);
    }

    private static String version() {
        String v = BenchReport.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    private static String gitCommit() {
        try {
            ProcessBuilder pb = new ProcessBuilder("git", "rev-parse", "--short", "HEAD");
            pb.environment().remove("LD_PRELOAD"); // the launcher's libjsig is for the JVM, not for git
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 && !out.isEmpty() ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
