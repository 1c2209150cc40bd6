package dev.clattn.cli;

import dev.clattn.Attention;
import dev.clattn.BackendKind;
import dev.clattn.Config;
import dev.clattn.NlMeans;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clattn nlmeans}: non-local means denoising of an 8-bit grayscale or RGB PNG on the engine
 * ({@link NlMeans}), timed, with PSNR against a clean image when there is one.
 */
@Command(name = "nlmeans", mixinStandardHelpOptions = true, description = "Non-local means denoising of a PNG.")
final class NlMeansCommand implements Callable<Integer>, ArgumentOptions {
    @Option(names = "--in", required = true, paramLabel = "IMG.png", description = "8-bit grayscale or RGB")
    Path in;
    @Option(names = "--out", required = true, paramLabel = "OUT.png")
    Path out;
    @Option(names = "--h", defaultValue = "20", description = "filter strength: w = exp(-d^2 / h^2)")
    float h;
    @Option(names = "--patch", defaultValue = "7", description = "patch side (odd; OpenCV's templateWindowSize)")
    int patch;
    @Option(names = "--search", defaultValue = "21", description = "search window side (odd)")
    int search;
    @Option(names = "--reference", paramLabel = "CLEAN.png", description = "report PSNR against this image")
    Path reference;
    @Option(names = "--noise", paramLabel = "SIGMA", description = "first add Gaussian noise of this standard "
            + "deviation to --in (rounded, clipped to 0..255), and take --in as the reference")
    Float noise;
    @Option(names = "--seed", defaultValue = "1", description = "--noise's random seed")
    long seed;
    @Option(names = "--noisy", paramLabel = "NOISY.png", description = "with --noise, also write the noisy image")
    Path noisy;
    @Option(names = "--backend", defaultValue = "auto", paramLabel = "auto|opencl|cpu")
    String backend;
    @Spec
    CommandSpec spec;

    @Override
    public Map<String, String> optionsByArgument() {
        return Map.of("h", "--h", "patch", "--patch", "search", "--search", "backend", "--backend", "image", "--in");
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter w = spec.commandLine().getOut();
        OutputFiles files = new OutputFiles().input("--in", in).input("--reference", reference).output("--out", out)
                .output("--noisy", noisy);
        if (noisy != null && noise == null) {
            throw new IllegalArgumentException("--noisy: expected --noise SIGMA, got no --noise");
        }
        if (noise != null && reference != null) {
            throw new IllegalArgumentException("--reference: expected none with --noise (--in is the reference)");
        }
        if (noise != null && !(noise >= 0 && Float.isFinite(noise))) {
            throw new IllegalArgumentException("--noise: expected a finite SIGMA >= 0, got " + noise);
        }
        NlMeans.Image clean = read("--in", in);
        NlMeans.Image input = noise == null ? clean : noisy(clean, noise, seed);
        NlMeans.Image ref = noise != null ? clean : reference == null ? null : read("--reference", reference);
        if (ref != null && (ref.height() != input.height() || ref.width() != input.width()
                || ref.channels() != input.channels())) {
            throw new IllegalArgumentException("--reference: expected " + describe(input) + " like --in, got "
                    + describe(ref));
        }
        Config config = Config.builderFromEnvironment().backend(BackendKind.parse(backend)).build();
        NlMeans.Image result;
        double ms;
        try (Attention engine = Attention.open(config)) {
            w.println("device:  " + engine.backendKind().name().toLowerCase(Locale.ROOT) + " - " + engine.device());
            NlMeans.denoise(engine, shrink(input), h, patch, search);
            long t0 = System.nanoTime();
            result = NlMeans.denoise(engine, input, h, patch, search);
            ms = (System.nanoTime() - t0) / 1e6;
        }
        NlMeans.Image rounded = round(result);
        double pairs = (double) input.height() * input.width() * search * search;
        double flops = pairs * (3.0 * patch * patch * input.channels() + 2.0 * input.channels());
        w.printf(Locale.ROOT, "image:   %s, h %.3g, patch %d, search %d%n", describe(input), h, patch, search);
        w.printf(Locale.ROOT, "time:    %.1f ms (after a warm-up call on a small crop), %.1f GFLOP/s naive-"
                + "equivalent (3 per patch element and pair; the box filters do fewer)%n", ms, flops / (ms * 1e6));
        if (ref != null) {
            w.printf(Locale.ROOT, "PSNR:    %.2f dB noisy, %.2f dB denoised%n", psnr(input, ref), psnr(rounded, ref));
        }
        files.writePng("--out", image(rounded));
        if (noisy != null) {
            files.writePng("--noisy", image(input));
        }
        files.commit();
        return 0;
    }

    /** A corner of the image, for the warm-up call that builds the programs. */
    private static NlMeans.Image shrink(NlMeans.Image u) {
        int hh = Math.min(u.height(), 16);
        int ww = Math.min(u.width(), 16);
        float[] p = new float[hh * ww * u.channels()];
        for (int y = 0; y < hh; y++) {
            System.arraycopy(u.pixels(), y * u.width() * u.channels(), p, y * ww * u.channels(), ww * u.channels());
        }
        return new NlMeans.Image(hh, ww, u.channels(), p);
    }

    static NlMeans.Image noisy(NlMeans.Image u, float sigma, long seed) {
        Random rnd = new Random(seed);
        float[] p = new float[u.pixels().length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) Math.max(0, Math.min(255, Math.rint(u.pixels()[i] + sigma * rnd.nextGaussian())));
        }
        return new NlMeans.Image(u.height(), u.width(), u.channels(), p);
    }

    static NlMeans.Image round(NlMeans.Image u) {
        float[] p = new float[u.pixels().length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) Math.max(0, Math.min(255, Math.rint(u.pixels()[i])));
        }
        return new NlMeans.Image(u.height(), u.width(), u.channels(), p);
    }

    static double psnr(NlMeans.Image a, NlMeans.Image b) {
        double sq = 0;
        for (int i = 0; i < a.pixels().length; i++) {
            double e = a.pixels()[i] - b.pixels()[i];
            sq += e * e;
        }
        return 10 * Math.log10(255.0 * 255.0 / (sq / a.pixels().length));
    }

    private static String describe(NlMeans.Image u) {
        return u.width() + "x" + u.height() + (u.channels() == 1 ? " grayscale" : " RGB");
    }

    /** An 8-bit grayscale or RGB PNG (alpha dropped), refused naming the option otherwise. */
    static NlMeans.Image read(String option, Path file) throws IOException {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + file + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (img == null) {
            throw new IllegalArgumentException(option + " " + file + ": expected a PNG image, got a file ImageIO "
                    + "cannot decode");
        }
        int bits = img.getColorModel().getComponentSize(0);
        boolean gray = img.getColorModel().getNumColorComponents() == 1;
        if (bits != 8 || img.getColorModel().hasAlpha() && gray) {
            throw new IllegalArgumentException(option + " " + file + ": expected 8-bit grayscale or RGB, got "
                    + img.getColorModel().getNumComponents() + " components of " + bits + " bits");
        }
        int c = gray ? 1 : 3;
        float[] p = new float[img.getWidth() * img.getHeight() * c];
        java.awt.image.Raster raster = img.getRaster();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if (gray) {
                    p[y * img.getWidth() + x] = raster.getSample(x, y, 0);
                } else {
                    int rgb = img.getRGB(x, y);
                    int at = (y * img.getWidth() + x) * 3;
                    p[at] = (rgb >> 16) & 0xff;
                    p[at + 1] = (rgb >> 8) & 0xff;
                    p[at + 2] = rgb & 0xff;
                }
            }
        }
        return new NlMeans.Image(img.getHeight(), img.getWidth(), c, p);
    }

    static BufferedImage image(NlMeans.Image u) {
        BufferedImage img = new BufferedImage(u.width(), u.height(), u.channels() == 1 ? BufferedImage.TYPE_BYTE_GRAY
                : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < u.height(); y++) {
            for (int x = 0; x < u.width(); x++) {
                int at = (y * u.width() + x) * u.channels();
                if (u.channels() == 1) {
                    img.getRaster().setSample(x, y, 0, (int) u.pixels()[at]);
                } else {
                    img.setRGB(x, y, ((int) u.pixels()[at] << 16) | ((int) u.pixels()[at + 1] << 8)
                            | (int) u.pixels()[at + 2]);
                }
            }
        }
        return img;
    }
}
