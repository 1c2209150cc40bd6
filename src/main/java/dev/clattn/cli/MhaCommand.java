package dev.clattn.cli;

import dev.clattn.Attention;
import dev.clattn.BackendKind;
import dev.clattn.Config;
import dev.clattn.MhaOptions;
import dev.clattn.MultiHeadAttention;
import dev.clattn.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code clattn mha}: a PyTorch-layout multi-head attention layer over .npy files ({@link MultiHeadAttention}). */
@Command(name = "mha", mixinStandardHelpOptions = true, description = "Run a multi-head attention layer over .npy files.")
final class MhaCommand implements Callable<Integer>, ArgumentOptions {
    @Option(names = "--query", required = true, paramLabel = "X.npy", description = "float32 [B,Nq,E] or [Nq,E]")
    Path query;
    @Option(names = "--key", paramLabel = "K.npy", description = "[B,Nk,E] (default: --query, self-attention)")
    Path key;
    @Option(names = "--value", paramLabel = "V.npy", description = "[B,Nk,E] (default: --key)")
    Path value;
    @Option(names = "--in-proj-weight", required = true, paramLabel = "W.npy", description = "[3E,E]: Q, K, V rows")
    Path inWeight;
    @Option(names = "--in-proj-bias", paramLabel = "B.npy", description = "[3E]")
    Path inBias;
    @Option(names = "--out-proj-weight", required = true, paramLabel = "WO.npy", description = "[E,E]")
    Path outWeight;
    @Option(names = "--out-proj-bias", paramLabel = "BO.npy", description = "[E]")
    Path outBias;
    @Option(names = "--heads", required = true, paramLabel = "H")
    int heads;
    @Option(names = "--causal", description = "is_causal: query i sees keys j <= i")
    boolean causal;
    @Option(names = "--key-padding-mask", paramLabel = "M.npy", description = "bool/uint8 [B,Nk], true = ignore")
    Path padding;
    @Option(names = "--positional", paramLabel = "sinusoidal|rope[=BASE]", description = "sinusoidal: added to "
            + "each input at its positions 0..N-1; rope: rotary positions on Q and K (base 10000 unless given)")
    String positional;
    @Option(names = "--out", required = true, paramLabel = "Y.npy", description = "[B,Nq,E]")
    Path out;
    @Option(names = "--weights", paramLabel = "A.npy", description = "also the weights averaged over heads, [B,Nq,Nk]")
    Path weights;
    @Option(names = "--backend", defaultValue = "auto", paramLabel = "auto|opencl|cpu")
    String backend;

    private static final Map<String, String> OPTIONS = Map.ofEntries(Map.entry("num_heads", "--heads"),
            Map.entry("in_proj_weight", "--in-proj-weight"), Map.entry("in_proj_bias", "--in-proj-bias"),
            Map.entry("out_proj.weight", "--out-proj-weight"), Map.entry("out_proj.bias", "--out-proj-bias"),
            Map.entry("key_padding_mask", "--key-padding-mask"), Map.entry("rope", "--positional"),
            Map.entry("query", "--query"), Map.entry("key", "--key"), Map.entry("value", "--value"),
            Map.entry("backend", "--backend"));

    @Override
    public Map<String, String> optionsByArgument() {
        return OPTIONS;
    }

    @Override
    public Integer call() throws IOException {
        OutputFiles files = new OutputFiles().input("--query", query).input("--key", key).input("--value", value)
                .input("--in-proj-weight", inWeight).input("--in-proj-bias", inBias)
                .input("--out-proj-weight", outWeight).input("--out-proj-bias", outBias)
                .input("--key-padding-mask", padding).output("--out", out).output("--weights", weights);
        float rope = 0;
        boolean sinusoidal = false;
        if (positional != null) {
            String p = positional.strip().toLowerCase(Locale.ROOT);
            if (p.equals("sinusoidal")) {
                sinusoidal = true;
            } else if (p.equals("rope")) {
                rope = 10000f;
            } else if (p.startsWith("rope=")) {
                try {
                    rope = Float.parseFloat(p.substring(5));
                } catch (NumberFormatException e) {
                    rope = Float.NaN;
                }
            } else {
                throw new IllegalArgumentException("--positional: expected sinusoidal, rope or rope=BASE, got '"
                        + positional + "'");
            }
        }
        Npy.Array q = Npy.read("--query " + query, query);
        int[] qs = batchFirst("--query", q.shape());
        Npy.Array k = key == null ? q : Npy.read("--key " + key, key);
        Npy.Array v = value == null ? k : Npy.read("--value " + value, value);
        int[] ks = batchFirst("--key", k.shape());
        int[] vs = batchFirst("--value", v.shape());
        int e = qs[2];
        if (ks[0] != qs[0] || ks[2] != e) {
            throw new IllegalArgumentException("--key: expected [B, Nk, E] = [" + qs[0] + ", Nk, " + e + "], got "
                    + Arrays.toString(k.shape()));
        }
        if (vs[0] != ks[0] || vs[1] != ks[1] || vs[2] != e) {
            throw new IllegalArgumentException("--value: expected [B, Nk, E] = " + Arrays.toString(ks) + ", got "
                    + Arrays.toString(v.shape()));
        }
        MultiHeadAttention layer = MultiHeadAttention.builder(e, heads)
                .inProj(floats("--in-proj-weight", inWeight), inBias == null ? null : floats("--in-proj-bias", inBias))
                .outProj(floats("--out-proj-weight", outWeight), outBias == null ? null : floats("--out-proj-bias",
                        outBias))
                .build();
        MhaOptions o = MhaOptions.none().causal(causal).needWeights(weights != null).rope(rope);
        if (padding != null) {
            Npy.Array m = Npy.read("--key-padding-mask " + padding, padding);
            if (!Arrays.equals(m.shape(), new int[] {ks[0], ks[1]})) {
                throw new IllegalArgumentException("--key-padding-mask: expected [B, Nk] = [" + ks[0] + ", " + ks[1]
                        + "], got " + Arrays.toString(m.shape()));
            }
            byte[] bytes = m.bytes();
            boolean[] ignore = new boolean[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                ignore[i] = bytes[i] != 0;
            }
            o = o.keyPaddingMask(ignore);
        }
        float[] qx = q.floats();
        float[] kx = key == null ? qx : k.floats();
        float[] vx = value == null ? kx : v.floats();
        if (sinusoidal) {
            qx = positioned(qx, qs);
            kx = key == null ? qx : positioned(kx, ks);
            vx = value == null ? kx : positioned(vx, vs);
        }
        MultiHeadAttention.Result r;
        try (Attention engine = Attention.open(Config.builderFromEnvironment().backend(BackendKind.parse(backend))
                .build())) {
            r = layer.forward(engine, qx, kx, vx, qs[0], qs[1], ks[1], o);
        }
        boolean rank2 = q.shape().length == 2;
        files.write("--out", rank2 ? new int[] {qs[1], e} : qs, r.output());
        if (weights != null) {
            files.write("--weights", rank2 ? new int[] {qs[1], ks[1]} : new int[] {qs[0], qs[1], ks[1]}, r.weights());
        }
        files.commit();
        return 0;
    }

    /** x [B, N, E] plus the sinusoidal encoding of positions 0..N-1, a copy. */
    private static float[] positioned(float[] x, int[] s) {
        float[] pe = MultiHeadAttention.sinusoidal(s[1], s[2]);
        float[] y = x.clone();
        for (int i = 0; i < y.length; i++) {
            y[i] += pe[i % pe.length];
        }
        return y;
    }

    private static int[] batchFirst(String option, int[] s) {
        if (s.length == 2) {
            return new int[] {1, s[0], s[1]};
        }
        if (s.length == 3) {
            return s;
        }
        throw new IllegalArgumentException(option + ": expected rank 3 [B, N, E] or 2 [N, E], got shape "
                + Arrays.toString(s));
    }

    private static float[] floats(String option, Path p) {
        return Npy.read(option + " " + p, p).floats();
    }
}
