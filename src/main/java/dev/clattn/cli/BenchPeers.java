package dev.clattn.cli;

import dev.clattn.Shape;
import dev.clattn.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Rows of a peer benchmark ({@code bench/peers/sdpa.py}'s peer.csv: PyTorch on the same shapes, same FLOP
 * formula, timed with CUDA events) brought into clattn's report, and the ratio table clattn / peer.
 */
final class BenchPeers {
    private static final String HEADER = "path,B,H,Nq,Nk,D,causal,median_ms,min_ms,gflops,max_error,device";

    private BenchPeers() {
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
                    Double.parseDouble(f[10]), 0, f[11].replace("\"", ""), "PyTorch scaled_dot_product_attention"));
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
        StringBuilder md = new StringBuilder("\n## clattn fused (f32) against PyTorch SDPA on the same device\n\n"
                + "| B | H | N | D | mask | tuning | clattn GFLOP/s | % of nominal FP32 peak |");
        peers.forEach(p -> md.append(' ').append(p).append(" |"));
        md.append(" clattn / pytorch-fp32 |\n|---|---|---|---|---|---|---|---|");
        peers.forEach(p -> md.append("---|"));
        md.append("---|\n");
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

    private static Optional<BenchRow> peer(List<BenchRow> rows, String path, BenchRow like) {
        return rows.stream().filter(x -> x.path().equals(path) && x.shape().equals(like.shape())
                && x.mask().equals(like.mask())).findFirst();
    }
}
