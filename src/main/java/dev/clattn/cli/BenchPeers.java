package dev.clattn.cli;

import dev.clattn.Shape;
import dev.clattn.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * Peers in clattn's bench report: rows of a peer CSV ({@code bench/peers/sdpa.py}'s peer.csv: PyTorch on the
 * same shapes, same FLOP formula, timed with CUDA events), the ONNX Runtime peer's rows ({@link OrtPeer}), and
 * the ratio tables clattn / peer.
 */
final class BenchPeers {
    /** The {@code --peer} value that runs ONNX Runtime in the bench; any other value names a peer CSV. */
    static final String ORT = "ort";
    private static final String HEADER = "path,B,H,Nq,Nk,D,causal,median_ms,min_ms,gflops,max_error,device";

    private BenchPeers() {
    }

    /**
     * Throws unless ONNX Runtime's Java API is on the class path, saying how to get it: it is a provided
     * dependency, in no jar of clattn's. Looks the class up without loading ONNX Runtime.
     */
    static void requireOrt() {
        try {
            Class.forName("ai.onnxruntime.OrtEnvironment", false, BenchPeers.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            String artifact = "com.microsoft.onnxruntime:onnxruntime:" + ortVersion();
            throw new IllegalArgumentException("--peer ort: expected ONNX Runtime's Java API (" + artifact + ") on the "
                    + "class path, got none; ./clattn adds it from the local Maven repository (mvn -q -B "
                    + "dependency:get -Dartifact=" + artifact + " fetches it), or run java -cp CLI_JAR:ONNXRUNTIME_JAR "
                    + Main.class.getName(), e);
        }
    }

    /** The version this build names in pom.xml ({@code onnxruntime.version}). */
    static String ortVersion() {
        Properties p = new Properties();
        try (InputStream in = BenchPeers.class.getResourceAsStream("peers.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("onnxruntime.version", "VERSION");
    }

    /** A {@code --peer} value other than {@link #ORT}, as the CSV file it must name. */
    static Path csv(String value) {
        Path p = Path.of(value);
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("--peer: expected " + ORT + " or a peer CSV file (bench/peers/sdpa.py's "
                    + "peer.csv), got '" + value + "', " + (Files.exists(p) ? "not a regular file" : "no such file"));
        }
        return p;
    }

    static List<BenchRow> read(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IllegalArgumentException("--peer " + csv + ": expected a CSV with header '" + HEADER + "', got '"
                    + (lines.isEmpty() ? "" : lines.get(0)) + "'");
        }
        List<BenchRow> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", 12);
            if (f.length != 12) {
                throw new IllegalArgumentException("--peer " + csv + ": expected 12 fields, got " + f.length + " in '"
                        + line + "'");
            }
            int heads = Integer.parseInt(f[2]);
            int d = Integer.parseInt(f[5]);
            Shape s = new Shape(Integer.parseInt(f[1]), heads, heads, Integer.parseInt(f[3]), Integer.parseInt(f[4]), d,
                    d);
            double median = Double.parseDouble(f[7]);
            rows.add(new BenchRow(f[0], "", "-", s, Boolean.parseBoolean(f[6]) ? "causal" : "none",
                    f[0].endsWith("fp16") ? Storage.F16 : Storage.F32, Double.NaN, Double.NaN, median,
                    Double.parseDouble(f[8]), Double.parseDouble(f[9]), Double.NaN, Double.NaN, Double.NaN,
                    Double.parseDouble(f[10]), 0, f[11].replace("\"", ""), f[0].startsWith("pytorch-")
                            ? "PyTorch scaled_dot_product_attention" : "peer CSV " + csv.getFileName()));
        }
        return rows;
    }

    /**
     * Markdown: for every fused float32 row, its GFLOP/s beside each peer's on the same shape and mask, and
     * clattn / PyTorch fp32 (TF32 off), the like-for-like ratio.
     */
    static String ratios(List<BenchRow> rows, double nominalGflops) {
        List<String> peers = rows.stream().map(BenchRow::path).filter(p -> p.startsWith("pytorch-")).distinct()
                .toList();
        StringBuilder md = table("clattn fused (f32) against PyTorch SDPA on the same device",
                List.of("B", "H", "N", "D", "mask", "tuning", "clattn GFLOP/s", "% of nominal FP32 peak"), peers,
                "clattn / pytorch-fp32");
        for (BenchRow r : rows) {
            if (!r.path().equals("fused") || !r.kernel().isEmpty() || r.storage() != Storage.F32) {
                continue;
            }
            Shape s = r.shape();
            md.append(String.format(Locale.ROOT, "| %d | %d | %d | %d | %s | %s | %.0f | %s |", s.batch(),
                    s.queryHeads(), s.keyLen(), s.headDim(), r.mask(), r.tuning(), r.gflops(),
                    BenchReport.num("%.1f", 100 * r.gflops() / nominalGflops)));
            for (String p : peers) {
                md.append(peer(rows, p, r).map(x -> String.format(Locale.ROOT, " %.0f |", x.gflops())).orElse(" - |"));
            }
            md.append(peer(rows, "pytorch-fp32", r).map(x -> String.format(Locale.ROOT, " %.2f |", r.gflops()
                    / x.gflops())).orElse(" - |")).append('\n');
        }
        return md.toString();
    }

    static boolean isOrt(BenchRow r) {
        return r.path().startsWith("ort-");
    }

    /**
     * Markdown: every clattn float32 path row beside each ONNX Runtime route on the same shape and mask, and
     * clattn / the best route. ONNX Runtime is timed end to end from Java arrays, so clattn's figure here is
     * its end-to-end one (transfers included), not kernel time.
     */
    static String ortRatios(List<BenchRow> rows) {
        List<String> routes = rows.stream().filter(BenchPeers::isOrt).map(BenchRow::path).distinct().toList();
        StringBuilder md = table("clattn against ONNX Runtime (CPU, same inputs, end to end from Java arrays, GFLOP/s)",
                List.of("B", "Hq", "Hk", "Nq", "Nk", "D", "mask", "clattn path", "tuning", "clattn e2e"), routes,
                "clattn / best ORT");
        for (BenchRow r : rows) {
            if (isOrt(r) || r.path().startsWith("pytorch-") || !r.kernel().isEmpty() || r.storage() != Storage.F32) {
                continue;
            }
            Shape s = r.shape();
            md.append(String.format(Locale.ROOT, "| %d | %d | %d | %d | %d | %d | %s | %s | %s | %.1f |", s.batch(),
                    s.queryHeads(), s.kvHeads(), s.queryLen(), s.keyLen(), s.headDim(), r.mask(), r.path(),
                    r.tuning(), r.gflopsEndToEnd()));
            double best = Double.NaN;
            for (String p : routes) {
                Optional<BenchRow> x = peer(rows, p, r);
                md.append(x.map(y -> String.format(Locale.ROOT, " %.1f |", y.gflops())).orElse(" - |"));
                if (x.isPresent() && !(x.get().gflops() <= best)) {
                    best = x.get().gflops();
                }
            }
            md.append(' ').append(BenchReport.num("%.2f", r.gflopsEndToEnd() / best)).append(" |\n");
        }
        return md.toString();
    }

    /** A Markdown section title and table header: the fixed columns, one per peer, then the ratio column. */
    private static StringBuilder table(String title, List<String> columns, List<String> peers, String ratio) {
        List<String> all = new java.util.ArrayList<>(columns);
        all.addAll(peers);
        all.add(ratio);
        return new StringBuilder("\n## " + title + "\n\n| " + String.join(" | ", all) + " |\n|"
                + "---|".repeat(all.size()) + "\n");
    }

    private static Optional<BenchRow> peer(List<BenchRow> rows, String path, BenchRow like) {
        return rows.stream().filter(x -> x.path().equals(path) && x.kernel().isEmpty()
                && x.shape().equals(like.shape()) && x.mask().equals(like.mask())).findFirst();
    }
}
