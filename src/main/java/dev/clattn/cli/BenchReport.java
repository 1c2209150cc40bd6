package dev.clattn.cli;

import com.google.gson.GsonBuilder;
import dev.clattn.Shape;
import dev.clattn.opencl.DevicePeak;
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

/**
 * Benchmark output: the terminal table, and CSV, Markdown, JSON (with the run's metadata and the device's peak)
 * and a PNG chart of GFLOP/s against N, one line per path.
 */
final class BenchReport {
    /** Tableau 10, dark enough on white: JFreeChart's default sequence has yellow and pale cyan lines. */
    private static final java.awt.Color[] PALETTE = java.util.stream.IntStream.of(0x1f77b4, 0xff7f0e, 0x2ca02c,
            0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf).mapToObj(java.awt.Color::new)
            .toArray(java.awt.Color[]::new);
    private static final String COLUMNS = "%-22s %-8s %3s %4s %6s %6s %4s %-12s %-6s %10s %10s %9s %9s %8s %6s %8s";

    private BenchReport() {
    }

    static String header() {
        return String.format(Locale.ROOT, COLUMNS, "path / kernel", "tuning", "B", "H", "Nq", "Nk", "D", "mask",
                "store", "e2e ms", "kernel ms", "GFLOP/s", "e2e GF/s", "GB/s", "%peak", "err");
    }

    static String line(BenchRow r) {
        Shape s = r.shape();
        return String.format(Locale.ROOT, COLUMNS, r.label(), r.tuning(), s.batch(), s.queryHeads(), s.queryLen(),
                s.keyLen(), s.headDim(), r.mask(), storage(r), num("%.2f", r.hostMedianMs()),
                num("%.2f", r.kernelMedianMs()), num("%.1f", r.gflops()), num("%.1f", r.gflopsEndToEnd()),
                num("%.1f", r.gbPerS()), num("%.1f", 100 * r.peakFraction()), num("%.1e", r.error()));
    }

    private static String storage(BenchRow r) {
        return r.storage().name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static String num(String format, double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v);
    }

    static void write(Path out, List<BenchRow> rows, DevicePeak peak) throws IOException {
        Files.createDirectories(out);
        StringBuilder csv = new StringBuilder("path,kernel,tuning,B,Hq,Hk,Nq,Nk,D,Dv,mask,storage,e2e_median_ms,"
                + "e2e_min_ms,kernel_median_ms,kernel_min_ms,gflops,gflops_e2e,gb_per_s,peak_fraction,max_error,"
                + "device_bytes,device,params\n");
        StringBuilder md = new StringBuilder("| path / kernel | tuning | B | H | Nq | Nk | D | mask | storage "
                + "| e2e ms | kernel ms | GFLOP/s | e2e GFLOP/s | GB/s | % of peak |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (BenchRow r : rows) {
            Shape s = r.shape();
            csv.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%d,%d,%d,%d,%d,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%d,"
                    + "\"%s\",\"%s\"%n", r.path(), r.kernel(), r.tuning(), s.batch(), s.queryHeads(), s.kvHeads(),
                    s.queryLen(), s.keyLen(), s.headDim(), s.valueDim(), r.mask(), storage(r),
                    num("%.4f", r.hostMedianMs()), num("%.4f", r.hostMinMs()), num("%.4f", r.kernelMedianMs()),
                    num("%.4f", r.kernelMinMs()), num("%.2f", r.gflops()), num("%.2f", r.gflopsEndToEnd()),
                    num("%.2f", r.gbPerS()), num("%.4f", r.peakFraction()), num("%.2e", r.error()), r.deviceBytes(),
                    r.device(), r.params()));
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s "
                    + "| %s |%n", r.kernel().isEmpty() ? r.path() : "&nbsp;&nbsp;" + r.kernel(), r.tuning(), s.batch(),
                    s.queryHeads(), s.queryLen(), s.keyLen(), s.headDim(), r.mask(), storage(r),
                    num("%.2f", r.hostMedianMs()), num("%.3f", r.kernelMedianMs()), num("%.1f", r.gflops()),
                    num("%.1f", r.gflopsEndToEnd()), num("%.1f", r.gbPerS()), num("%.1f", 100 * r.peakFraction())));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("clattnVersion", version());
        json.put("gitCommit", gitCommit());
        json.put("date", Instant.now().toString());
        json.put("device", rows.isEmpty() ? "" : rows.get(0).device());
        json.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        json.put("peak", peak);
        json.put("rows", rows);
        md.append("\n").append(json.get("date")).append(", clattn ").append(json.get("clattnVersion")).append(" (")
                .append(json.get("gitCommit")).append("), ").append(json.get("device")).append("\n");
        if (rows.stream().anyMatch(r -> r.path().startsWith("pytorch-"))) {
            md.append(BenchPeers.ratios(rows, peak == null ? Double.NaN : peak.nominal().gflops()));
        }
        if (rows.stream().anyMatch(BenchPeers::isOrt)) {
            md.append(BenchPeers.ortRatios(rows));
        }
        if (peak != null) {
            md.append("\nPeak: ").append(peak.describe()).append(". GFLOP/s over kernel time (profiling events); "
                    + "e2e includes transfers.\n");
        }
        Files.writeString(out.resolve("bench.csv"), csv);
        Files.writeString(out.resolve("bench.md"), md);
        Files.writeString(out.resolve("bench.json"), new GsonBuilder().setPrettyPrinting()
                .serializeSpecialFloatingPointValues().create().toJson(json));
        chart(out.resolve("bench.png"), rows.stream().filter(r -> r.kernel().isEmpty()).toList());
    }

    /**
     * GFLOP/s against Nk, one line per path, mask and head shape. A path and mask keep one colour across head
     * shapes (told apart by the marker), so that a sweep over D reads as pairs of like lines; peers are dashed.
     * With ONNX Runtime rows (timed end to end from Java arrays) every line is end to end, so that the lines
     * compare like with like; otherwise OpenCL rows show kernel time.
     */
    private static void chart(Path file, List<BenchRow> rows) throws IOException {
        boolean endToEnd = rows.stream().anyMatch(BenchPeers::isOrt);
        boolean tunings = rows.stream().map(BenchRow::tuning).filter(t -> !t.equals("-")).distinct().count() > 1;
        boolean heads = rows.stream().map(r -> r.shape().batch() + "x" + r.shape().queryHeads()).distinct().count() > 1;
        Map<String, XYSeries> series = new LinkedHashMap<>();
        Map<String, String> colourKey = new LinkedHashMap<>();
        Map<String, String> markerKey = new LinkedHashMap<>();
        Map<String, Boolean> peer = new LinkedHashMap<>();
        for (BenchRow r : rows) {
            String line = r.path() + (r.mask().equals("none") ? "" : " " + r.mask())
                    + (r.storage() == dev.clattn.Storage.F32 ? "" : " " + storage(r))
                    + (tunings && !r.tuning().equals("-") ? " " + r.tuning() : "");
            String shape = "D=" + r.shape().headDim()
                    + (heads ? " B=" + r.shape().batch() + " H=" + r.shape().queryHeads() : "");
            String key = line + " " + shape;
            double gflops = endToEnd ? r.gflopsEndToEnd() : r.gflops();
            series.computeIfAbsent(key, XYSeries::new).add(r.shape().keyLen(), gflops);
            colourKey.put(key, line);
            markerKey.put(key, shape);
            peer.put(key, BenchPeers.isOrt(r) || r.path().startsWith("pytorch-"));
        }
        XYSeriesCollection data = new XYSeriesCollection();
        series.values().forEach(data::addSeries);
        String axis = endToEnd ? "GFLOP/s, end to end from Java arrays" : "GFLOP/s (OpenCL: kernel time; others: end to end)";
        JFreeChart chart = ChartFactory.createXYLineChart("clattn bench: " + (rows.isEmpty() ? "" : rows.get(0)
                .device()), "key length Nk", axis, data, PlotOrientation.VERTICAL, true, false, false);
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
        List<String> colours = colourKey.values().stream().distinct().toList();
        List<String> markers = markerKey.values().stream().distinct().toList();
        java.awt.Shape[] shapes = org.jfree.chart.plot.DefaultDrawingSupplier.createStandardSeriesShapes();
        List<String> keys = List.copyOf(series.keySet());
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            renderer.setSeriesPaint(i, PALETTE[colours.indexOf(colourKey.get(key)) % PALETTE.length]);
            renderer.setSeriesShape(i, shapes[markers.indexOf(markerKey.get(key)) % shapes.length]);
            // Peers dashed, so that they stand apart from clattn's own lines whatever colours they get.
            renderer.setSeriesStroke(i, peer.get(key) ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
                    10f, new float[] {8f, 5f}, 0f) : new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 1100, 700);
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
