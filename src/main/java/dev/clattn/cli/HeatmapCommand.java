package dev.clattn.cli;

import dev.clattn.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code clattn heatmap}: one head's attention weights from a .npy file as a PNG heatmap. */
@Command(name = "heatmap", mixinStandardHelpOptions = true, description = "Draw attention weights as a heatmap.")
final class HeatmapCommand implements Callable<Integer>, ArgumentOptions {
    @Option(names = "--weights", required = true, paramLabel = "P.npy",
            description = "float32 weights [Nq,Nk], [B,Nq,Nk] or [B,H,Nq,Nk] (as clattn run writes them)")
    Path weights;
    @Option(names = "--out", required = true, paramLabel = "P.png")
    Path out;
    @Option(names = "--batch", defaultValue = "0", paramLabel = "b", description = "the batch to draw (rank 3 and 4)")
    int batch;
    @Option(names = "--head", defaultValue = "0", paramLabel = "h", description = "the head to draw (rank 4)")
    int head;

    @Override
    public Map<String, String> optionsByArgument() {
        return Map.of();
    }

    @Override
    public Integer call() throws IOException {
        OutputFiles files = new OutputFiles().input("--weights", weights).output("--out", out);
        Npy.Array p = Npy.read("--weights " + weights, weights);
        int[] s = p.shape();
        if (s.length < 2 || s.length > 4) {
            throw new IllegalArgumentException("--weights: expected rank 2, 3 or 4 ([Nq,Nk], [B,Nq,Nk] or "
                    + "[B,H,Nq,Nk]), got shape " + Arrays.toString(s));
        }
        int batches = s.length >= 3 ? s[0] : 1;
        int heads = s.length == 4 ? s[1] : 1;
        check("--batch", batch, batches, s);
        check("--head", head, heads, s);
        int rows = s[s.length - 2];
        int cols = s[s.length - 1];
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("--weights: expected Nq and Nk >= 1, got shape " + Arrays.toString(s));
        }
        float[] all = p.floats();
        int from = (batch * heads + head) * rows * cols;
        float[] m = Arrays.copyOfRange(all, from, from + rows * cols);
        String title = "attention weights" + (s.length >= 3 ? ", batch " + batch : "") + (s.length == 4 ? ", head "
                + head : "");
        files.writePng("--out", Heatmap.render(m, rows, cols, title, "key j", "query i"));
        files.commit();
        return 0;
    }

    private static void check(String option, int value, int count, int[] shape) {
        if (value < 0 || value >= count) {
            throw new IllegalArgumentException(option + ": expected 0.." + (count - 1) + " (of weights "
                    + Arrays.toString(shape) + "), got " + value);
        }
    }
}
