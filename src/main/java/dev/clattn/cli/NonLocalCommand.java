package dev.clattn.cli;

import dev.clattn.Attention;
import dev.clattn.BackendKind;
import dev.clattn.Config;
import dev.clattn.NonLocalBlock;
import dev.clattn.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code clattn nonlocal}: Wang et al.'s non-local block over .npy files ({@link NonLocalBlock}). */
@Command(name = "nonlocal", mixinStandardHelpOptions = true, description = "Run a non-local block over .npy files.")
final class NonLocalCommand implements Callable<Integer>, ArgumentOptions {
    @Option(names = "--x", required = true, paramLabel = "X.npy", description = "float32 [B,C,H,W] or [B,C,T,H,W]")
    Path x;
    @Option(names = "--out", required = true, paramLabel = "Z.npy", description = "Z = W_z y + X, X's shape")
    Path out;
    @Option(names = "--pairwise", defaultValue = "embedded-gaussian",
            paramLabel = "gaussian|embedded-gaussian|dot-product|concatenation")
    String pairwise;
    @Option(names = "--subsample", description = "2x2 max-pool phi and g over H and W")
    boolean subsample;
    @Option(names = "--theta", required = true, paramLabel = "W.npy", description = "[C',C]; likewise --phi, --g")
    Path theta;
    @Option(names = "--theta-bias", required = true, paramLabel = "B.npy", description = "[C']")
    Path thetaBias;
    @Option(names = "--phi", required = true, paramLabel = "W.npy")
    Path phi;
    @Option(names = "--phi-bias", required = true, paramLabel = "B.npy")
    Path phiBias;
    @Option(names = "--g", required = true, paramLabel = "W.npy")
    Path g;
    @Option(names = "--g-bias", required = true, paramLabel = "B.npy")
    Path gBias;
    @Option(names = "--wz", required = true, paramLabel = "W.npy", description = "[C,C']")
    Path wz;
    @Option(names = "--wz-bias", required = true, paramLabel = "B.npy", description = "[C]")
    Path wzBias;
    @Option(names = "--concat", paramLabel = "W.npy", description = "[2C']: w = [w_theta, w_phi] (concatenation)")
    Path concat;
    @Option(names = "--backend", defaultValue = "auto", paramLabel = "auto|opencl|cpu")
    String backend;

    private static final Map<String, String> OPTIONS = Map.ofEntries(Map.entry("x", "--x"),
            Map.entry("theta", "--theta"), Map.entry("thetaBias", "--theta-bias"), Map.entry("phi", "--phi"),
            Map.entry("phiBias", "--phi-bias"), Map.entry("g", "--g"), Map.entry("gBias", "--g-bias"),
            Map.entry("wz", "--wz"), Map.entry("wzBias", "--wz-bias"), Map.entry("concat", "--concat"),
            Map.entry("dims", "--x"), Map.entry("channels", "--theta"), Map.entry("backend", "--backend"));

    @Override
    public Map<String, String> optionsByArgument() {
        return OPTIONS;
    }

    @Override
    public Integer call() throws IOException {
        OutputFiles files = new OutputFiles().input("--x", x).input("--theta", theta).input("--theta-bias", thetaBias)
                .input("--phi", phi).input("--phi-bias", phiBias).input("--g", g).input("--g-bias", gBias)
                .input("--wz", wz).input("--wz-bias", wzBias).input("--concat", concat).output("--out", out);
        NonLocalBlock.Pairwise fn = switch (pairwise.strip().toLowerCase(Locale.ROOT)) {
            case "gaussian" -> NonLocalBlock.Pairwise.GAUSSIAN;
            case "embedded-gaussian" -> NonLocalBlock.Pairwise.EMBEDDED_GAUSSIAN;
            case "dot-product" -> NonLocalBlock.Pairwise.DOT_PRODUCT;
            case "concatenation" -> NonLocalBlock.Pairwise.CONCATENATION;
            default -> throw new IllegalArgumentException("--pairwise: expected gaussian, embedded-gaussian, "
                    + "dot-product or concatenation, got '" + pairwise + "'");
        };
        Npy.Array xa = Npy.read("--x " + x, x);
        int[] s = xa.shape();
        if (s.length != 4 && s.length != 5) {
            throw new IllegalArgumentException("--x: expected rank 4 [B,C,H,W] or 5 [B,C,T,H,W], got shape "
                    + Arrays.toString(s));
        }
        Npy.Array ta = Npy.read("--theta " + theta, theta);
        if (ta.shape().length != 2 || ta.shape()[1] != s[1]) {
            throw new IllegalArgumentException("--theta: expected [C', C] with C = " + s[1] + " (as in --x), got shape "
                    + Arrays.toString(ta.shape()));
        }
        int inner = ta.shape()[0];
        NonLocalBlock block = new NonLocalBlock(s[1], inner, fn, subsample, ta.floats(), floats("--theta-bias",
                thetaBias), floats("--phi", phi), floats("--phi-bias", phiBias), floats("--g", g),
                floats("--g-bias", gBias), floats("--wz", wz), floats("--wz-bias", wzBias),
                concat == null ? null : floats("--concat", concat));
        float[] z;
        try (Attention engine = Attention.open(Config.builderFromEnvironment().backend(BackendKind.parse(backend))
                .build())) {
            z = block.forward(engine, xa.floats(), s[0], Arrays.copyOfRange(s, 2, s.length));
        }
        files.write("--out", s, z);
        files.commit();
        return 0;
    }

    private static float[] floats(String option, Path p) {
        return Npy.read(option + " " + p, p).floats();
    }
}
