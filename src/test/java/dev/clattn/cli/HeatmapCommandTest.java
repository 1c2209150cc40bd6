package dev.clattn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.cli.Cli.Outcome;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Heatmaps of attention weights: the picture's orientation and colours, the options' misuse, the demo's files. */
class HeatmapCommandTest {
    private static final int VIRIDIS_HIGH = 0xfde725;
    private static final int VIRIDIS_LOW = 0x440154;

    @TempDir
    Path dir;

    private Path floats(String name, int[] shape, float[] data) throws Exception {
        return Cli.npy(dir, name, shape, data);
    }

    /**
     * Batch 1, head 1 of [2, 2, 2, 2] weights is [[0, 1], [1, 1]]: the plot's cells are the high colour but for
     * row 0, column 0, the top-left quarter (row 0 at the top, as the matrix reads).
     */
    @Test
    void theSelectedHeadIsDrawnRowZeroAtTheTop() throws Exception {
        float[] p = new float[16];
        java.util.Arrays.fill(p, 0.5f);
        p[12] = 0;
        p[13] = 1;
        p[14] = 1;
        p[15] = 1;
        floats("p.npy", new int[] {2, 2, 2, 2}, p);
        Outcome o = Cli.clattn("heatmap", "--weights", dir.resolve("p.npy").toString(), "--out",
                dir.resolve("p.png").toString(), "--batch", "1", "--head", "1");
        assertEquals(0, o.code(), o.err());
        BufferedImage img = ImageIO.read(dir.resolve("p.png").toFile());
        int x0 = Integer.MAX_VALUE;
        int y0 = Integer.MAX_VALUE;
        int x1 = -1;
        int y1 = -1;
        long high = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) == VIRIDIS_HIGH) {
                    high++;
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x);
                    y1 = Math.max(y1, y);
                }
            }
        }
        assertTrue(high > 100_000, "three cells of the high colour, got " + high + " pixels");
        int qx = x0 + (x1 - x0) / 4;
        int qy = y0 + (y1 - y0) / 4;
        assertEquals(VIRIDIS_LOW, img.getRGB(qx, qy) & 0xffffff, "row 0, column 0 is the low colour");
        assertEquals(VIRIDIS_HIGH, img.getRGB(x1 - (x1 - x0) / 4, qy) & 0xffffff, "row 0, column 1 is high");
        assertEquals(VIRIDIS_HIGH, img.getRGB(qx, y1 - (y1 - y0) / 4) & 0xffffff, "row 1, column 0 is high");
    }

    private void refused(String line, String... args) throws Exception {
        Cli.refused(dir, f -> f.endsWith(".png"), line, args);
    }

    @Test
    void misuseIsOneLineExitTwoAndNoPicture() throws Exception {
        String p = floats("p.npy", new int[] {2, 3, 4}, new float[24]).toString();
        String out = dir.resolve("p.png").toString();
        refused("--batch: expected 0..1 (of weights [2, 3, 4]), got 2", "heatmap", "--weights", p, "--out", out,
                "--batch", "2");
        refused("--head: expected 0..0 (of weights [2, 3, 4]), got 1", "heatmap", "--weights", p, "--out", out,
                "--head", "1");
        String flat = floats("flat.npy", new int[] {5}, new float[5]).toString();
        refused("--weights: expected rank 2, 3 or 4 ([Nq,Nk], [B,Nq,Nk] or [B,H,Nq,Nk]), got shape [5]", "heatmap",
                "--weights", flat, "--out", out);
        floats("q.npy", new int[] {3, 2}, new float[6]);
        floats("k.npy", new int[] {4, 2}, new float[8]);
        floats("v.npy", new int[] {4, 2}, new float[8]);
        dev.clattn.io.NpyTestAccess.write(dir.resolve("ptr.npy"), "<i4", "4,", new byte[16]);
        dev.clattn.io.NpyTestAccess.write(dir.resolve("idx.npy"), "<i4", "0,", new byte[0]);
        refused("--weights-png: expected dense weights [Nq,Nk], got weights per edge (--edges)", "run", "--q",
                dir.resolve("q.npy").toString(), "--k", dir.resolve("k.npy").toString(), "--v",
                dir.resolve("v.npy").toString(), "--out", dir.resolve("o.npy").toString(), "--edges",
                dir.resolve("ptr.npy") + "," + dir.resolve("idx.npy"), "--weights-png", out);
    }

    @Test
    void runDrawsItsWeightsAndTheDemoItsTwoPictures() throws Exception {
        floats("q.npy", new int[] {3, 2}, new float[] {1, 0, 0, 1, 1, 1});
        floats("k.npy", new int[] {4, 2}, new float[8]);
        floats("v.npy", new int[] {4, 2}, new float[8]);
        Outcome o = Cli.clattn("run", "--q", dir.resolve("q.npy").toString(), "--k", dir.resolve("k.npy").toString(),
                "--v", dir.resolve("v.npy").toString(), "--out", dir.resolve("o.npy").toString(), "--weights-png",
                dir.resolve("w.png").toString(), "--backend", "cpu");
        assertEquals(0, o.code(), o.err());
        assertTrue(ImageIO.read(dir.resolve("w.png").toFile()).getWidth() > 300);
        Path demo = dir.resolve("nw");
        Outcome d = Cli.clattn("demo", "nadaraya-watson", "--out", demo.toString(), "--backend", "cpu");
        assertEquals(0, d.code(), d.err());
        for (String f : List.of("fit.png", "weights.png")) {
            assertTrue(ImageIO.read(demo.resolve(f).toFile()).getHeight() > 300, f);
        }
        List<String> fits = d.out().lines().filter(l -> l.startsWith("sigma")).toList();
        assertEquals(NadarayaWatsonDemo.SIGMAS.length, fits.size(), d.out());
        for (String l : fits) {
            double err = Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
            assertTrue(err < 1e-5, "each fit within 1e-5 of float64: " + l);
        }
    }
}
