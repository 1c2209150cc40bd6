package dev.clattn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.NlMeans;
import dev.clattn.cli.Cli.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code clattn nlmeans} end to end on PNG files, and its misuse. */
class NlMeansCommandTest {
    @TempDir
    Path dir;

    private Path png(String name, int height, int width, int channels, long seed) throws Exception {
        Random rnd = new Random(seed);
        float[] p = new float[height * width * channels];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) Math.max(0, Math.min(255, Math.rint(100 + 2 * (i % 23) + 30 * rnd.nextGaussian())));
        }
        Path f = dir.resolve(name);
        ImageIO.write(NlMeansCommand.image(new NlMeans.Image(height, width, channels, p)), "png", f.toFile());
        return f;
    }

    @Test
    void grayAndRgbAreTheRoundedDefinitionOnBothBackends() throws Exception {
        for (int channels : new int[] {1, 3}) {
            Path in = png("in" + channels + ".png", 13, 21, channels, channels);
            NlMeans.Image u = NlMeansCommand.read("--in", in);
            assertEquals(channels, u.channels());
            double[] want = dev.clattn.testing.NaiveNlMeans.exact(u, 25, 5, 7);
            for (String backend : new String[] {"cpu", "auto"}) {
                Path out = dir.resolve("out.png");
                Outcome o = Cli.clattn("nlmeans", "--in", in.toString(), "--out", out.toString(), "--h", "25",
                        "--patch", "5", "--search", "7", "--backend", backend, "--reference", in.toString());
                assertEquals(0, o.code(), o.err());
                assertTrue(o.out().contains("PSNR:"), o.out());
                float[] got = NlMeansCommand.read("--out", out).pixels();
                for (int i = 0; i < want.length; i++) {
                    boolean tie = Math.abs(want[i] - Math.floor(want[i]) - 0.5) < 1e-3;
                    assertTrue(got[i] == Math.rint(want[i]) || tie && Math.abs(got[i] - want[i]) < 0.51,
                            backend + " C=" + channels + " at " + i + ": " + got[i] + ", expected " + want[i]);
                }
            }
        }
    }

    private void refused(String line, String... args) throws Exception {
        Cli.refused(dir, f -> f.startsWith("out"), line, args);
    }

    @Test
    void misuseIsOneLineExitTwoAndNoOutput() throws Exception {
        String in = png("in.png", 6, 7, 1, 1).toString();
        String out = dir.resolve("out.png").toString();
        refused("--patch: expected an odd size >= 1, got 4", "nlmeans", "--in", in, "--out", out, "--patch", "4",
                "--backend", "cpu");
        refused("--h: expected a finite filter strength > 0, got 0.0", "nlmeans", "--in", in, "--out", out, "--h", "0",
                "--backend", "cpu");
        refused("--noisy: expected --noise SIGMA, got no --noise", "nlmeans", "--in", in, "--out", out, "--noisy",
                dir.resolve("outn.png").toString());
        String other = png("other.png", 6, 8, 1, 2).toString();
        refused("--reference: expected 7x6 grayscale like --in, got 8x6 grayscale", "nlmeans", "--in", in, "--out",
                out, "--reference", other, "--backend", "cpu");
        Path text = Files.writeString(dir.resolve("text.png"), "not a picture");
        refused("--in " + text + ": expected a PNG image, got a file ImageIO cannot decode", "nlmeans", "--in",
                text.toString(), "--out", out);
        refused("--out: expected a file no other option names, got the file of --in (" + dir.toRealPath()
                .resolve("in.png") + ")", "nlmeans", "--in", in, "--out", in);
    }
}
