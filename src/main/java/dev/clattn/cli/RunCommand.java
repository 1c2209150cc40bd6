package dev.clattn.cli;

import dev.clattn.Attention;
import dev.clattn.AttentionPath;
import dev.clattn.AttentionRequest;
import dev.clattn.AttentionResult;
import dev.clattn.BackendKind;
import dev.clattn.Causal;
import dev.clattn.Layout;
import dev.clattn.Config;
import dev.clattn.Shape;
import dev.clattn.Storage;
import dev.clattn.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code clattn run}: attention over .npy tensors. Q, K, V of rank 4 [B,H,N,D], 3 [B,N,D] (H = 1) or 2 [N,D]
 * (B = H = 1); outputs have Q's leading rank. Every output path is checked before any input is read, and every
 * input read and checked and every output computed before any output file appears.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Compute attention over .npy files.")
final class RunCommand implements Callable<Integer>, ArgumentOptions {
    @Option(names = "--q", required = true, paramLabel = "Q.npy", description = "queries, float32 [B,Hq,Nq,D]")
    Path q;
    @Option(names = "--k", required = true, paramLabel = "K.npy", description = "keys, float32 [B,Hk,Nk,D]")
    Path k;
    @Option(names = "--v", required = true, paramLabel = "V.npy", description = "values, float32 [B,Hk,Nk,Dv]")
    Path v;
    @Option(names = "--out", required = true, paramLabel = "O.npy", description = "output [B,Hq,Nq,Dv]")
    Path out;
    @Option(names = "--scale", paramLabel = "S", description = "the score's scale (default 1/sqrt(D) for dot, 1/D for "
            + "neg-sq-dist; none for additive)")
    Float scale;
    @Mixin
    ScoreOptions scoreOptions = new ScoreOptions();
    @Option(names = "--rope", arity = "0..1", fallbackValue = "10000", paramLabel = "BASE", description = "rotary "
            + "positions on Q and K (rotate half, base 10000 unless given); query i at i+Nk-Nq")
    Float rope;
    @Option(names = "--causal", arity = "0..1", fallbackValue = "top-left", paramLabel = "ALIGN",
            description = "causal mask: top-left (default) or bottom-right")
    String causal;
    @Option(names = "--window", paramLabel = "LEFT,RIGHT", description = "sliding window: key j visible to query i "
            + "only if i+(Nk-Nq)-LEFT <= j <= i+(Nk-Nq)+RIGHT; -1 = unbounded on that side")
    String window;
    @Option(names = "--edges", paramLabel = "INDPTR.npy,INDICES.npy", description = "a CSR graph (int32/int64): "
            + "query i sees only keys INDICES[INDPTR[i]..INDPTR[i+1]); --weights is then per edge, [B,Hq,E]")
    String edges;
    @Option(names = "--key-lengths", paramLabel = "L.npy", description = "int32/int64 [B] valid keys per batch")
    Path keyLengths;
    @Option(names = "--mask", paramLabel = "M.npy", description = "bool/uint8 mask (true = attend), broadcastable")
    Path mask;
    @Option(names = "--bias", paramLabel = "A.npy", description = "float32 additive bias, broadcastable")
    Path bias;
    @Option(names = "--weights", paramLabel = "P.npy", description = "also write the attention weights")
    Path weights;
    @Option(names = "--weights-png", paramLabel = "P.png", description = "also draw the weights of batch 0, head 0 "
            + "as a heatmap (dense weights: not with --edges)")
    Path weightsPng;
    @Option(names = "--lse", paramLabel = "LSE.npy", description = "also write each row's log-sum-exp")
    Path lse;
    @Option(names = "--layout", defaultValue = "bhnd", paramLabel = "bhnd|bnhd", description = "bnhd: --q, --k, --v "
            + "and --out as [B,N,H,D] (rank 4); --weights and --lse stay [B,Hq,Nq,..]")
    String layout;
    @Option(names = "--backend", defaultValue = "auto", paramLabel = "auto|opencl|cpu")
    String backend;
    @Option(names = "--path", defaultValue = "auto", paramLabel = "auto|fused|three-kernel",
            description = "OpenCL path: fused unless --weights is asked for (auto)")
    String path;
    @Option(names = "--storage", defaultValue = "f32", paramLabel = "f32|f16|f16-kv",
            description = "device storage of Q, K, V on the fused path (f16-kv: K and V only)")
    String storage;

    /** Where run's options come from: its own options, and the shape dimensions read from Q, K and V. */
    private static final Map<String, String> RUN_OPTIONS = Map.ofEntries(Map.entry("q", "--q"), Map.entry("k", "--k"),
            Map.entry("v", "--v"), Map.entry("mask", "--mask"), Map.entry("bias", "--bias"),
            Map.entry("keyLengths", "--key-lengths"), Map.entry("scale", "--scale"), Map.entry("weights", "--weights"),
            Map.entry("output", "--out"), Map.entry("lse", "--lse"), Map.entry("storage", "--storage"),
            Map.entry("causal", "--causal"), Map.entry("backend", "--backend"), Map.entry("path", "--path"),
            Map.entry("layout", "--layout"), Map.entry("window", "--window"), Map.entry("edges", "--edges"),
            Map.entry("rope", "--rope"),
            Map.entry("indptr", "--edges INDPTR"), Map.entry("indices", "--edges INDICES"),
            Map.entry("batch", "--q"), Map.entry("queryHeads", "--q"), Map.entry("queryLen", "--q"),
            Map.entry("headDim", "--q"), Map.entry("kvHeads", "--k"), Map.entry("keyLen", "--k"),
            Map.entry("valueDim", "--v"));
    private static final Map<String, String> OPTIONS = merged(RUN_OPTIONS, ScoreOptions.OPTIONS);

    private static Map<String, String> merged(Map<String, String> a, Map<String, String> b) {
        Map<String, String> m = new java.util.HashMap<>(a);
        m.putAll(b);
        return Map.copyOf(m);
    }

    @Override
    public Map<String, String> optionsByArgument() {
        return OPTIONS;
    }

    @Override
    public Integer call() throws IOException {
        Path[] graph = edges == null ? null : edgeFiles(edges);
        OutputFiles files = new OutputFiles().input("--q", q).input("--k", k).input("--v", v).input("--mask", mask)
                .input("--edges", graph == null ? null : graph[0]).input("--edges", graph == null ? null : graph[1])
                .input("--bias", bias).input("--key-lengths", keyLengths).input("--additive", scoreOptions.additive)
                .output("--out", out).output("--weights", weights).output("--weights-png", weightsPng)
                .output("--lse", lse);
        Causal causalMask = causal == null ? Causal.NONE : Causal.parse(causal);
        Storage storageKind = Storage.parse(storage);
        Config config = Config.builderFromEnvironment().backend(BackendKind.parse(backend)).path(AttentionPath.parse(path)).build();
        Npy.Array qa = Npy.read("--q " + q, q);
        Npy.Array ka = Npy.read("--k " + k, k);
        Npy.Array va = Npy.read("--v " + v, v);
        int rank = qa.shape().length;
        if (rank < 2 || rank > 4) {
            throw new IllegalArgumentException("--q: expected rank 2, 3 or 4 ([N,D], [B,N,D] or [B,H,N,D]), got shape "
                    + Arrays.toString(qa.shape()));
        }
        Layout order = Layout.parse(layout);
        if (order == Layout.BNHD && rank != 4) {
            throw new IllegalArgumentException("--q: expected rank 4 [B,N,H,D] with --layout bnhd, got shape "
                    + Arrays.toString(qa.shape()));
        }
        int[] qs = heads(as4d(qa, rank), order);
        int[] ks = heads(as4d(ka, rank), order);
        int[] vs = heads(as4d(va, rank), order);
        same("--k", "batch B", ks[0], "--q", qs[0]);
        same("--q", "head dim D", qs[3], "--k", ks[3]);
        same("--v", "batch B", vs[0], "--q", qs[0]);
        same("--v", "heads Hk", vs[1], "--k", ks[1]);
        same("--v", "keys Nk", vs[2], "--k", ks[2]);
        Shape shape = new Shape(qs[0], qs[1], ks[1], qs[2], ks[2], qs[3], vs[3]);
        // The mapped files go to the engine as they are: a large input is never copied onto the heap here.
        AttentionRequest.Builder b = AttentionRequest.builder(shape).q(qa.floatBuffer()).k(ka.floatBuffer())
                .v(va.floatBuffer()).causal(causalMask).returnWeights(weights != null || weightsPng != null).returnLse(lse != null)
                .storage(storageKind).layout(order);
        if (scale != null) {
            b.scale(scale);
        }
        scoreOptions.apply(b);
        if (rope != null) {
            b.rope(rope);
        }
        if (window != null) {
            int[] lr = window(window);
            b.window(lr[0], lr[1]);
        }
        if (graph != null) {
            Npy.Array ptr = Npy.read("--edges " + graph[0], graph[0]);
            Npy.Array idx = Npy.read("--edges " + graph[1], graph[1]);
            if (ptr.shape().length != 1 || idx.shape().length != 1) {
                throw new IllegalArgumentException("--edges: expected INDPTR [Nq + 1] and INDICES [E] of rank 1, got "
                        + Arrays.toString(ptr.shape()) + " and " + Arrays.toString(idx.shape()));
            }
            b.edges(dev.clattn.Edges.of(ptr.ints(), idx.ints()));
        }
        if (keyLengths != null) {
            Npy.Array l = Npy.read("--key-lengths " + keyLengths, keyLengths);
            if (l.shape().length != 1) {
                throw new IllegalArgumentException("--key-lengths: expected shape [B]=[" + shape.batch() + "], got "
                        + Arrays.toString(l.shape()));
            }
            b.keyLengths(l.ints());
        }
        if (mask != null) {
            Npy.Array m = Npy.read("--mask " + mask, mask);
            b.maskBytes(m.bytes(), m.shape());
        }
        if (bias != null) {
            Npy.Array a = Npy.read("--bias " + bias, bias);
            b.bias(a.floats(), a.shape());
        }
        AttentionRequest request = b.build();
        if (weightsPng != null && request.edges() != null) {
            throw new IllegalArgumentException("--weights-png: expected dense weights [Nq,Nk], got weights per edge "
                    + "(--edges)");
        }
        AttentionResult result;
        try (Attention engine = Attention.open(config)) {
            result = engine.compute(request);
        }
        int[] lead = order == Layout.BNHD ? new int[] {shape.batch(), shape.queryHeads()}
                : Arrays.copyOf(qa.shape(), rank - 2);
        files.write("--out", order == Layout.BNHD ? new int[] {shape.batch(), shape.queryLen(), shape.queryHeads(),
                shape.valueDim()} : dims(lead, shape.queryLen(), shape.valueDim()), result.output());
        if (weights != null) {
            files.write("--weights", request.edges() != null ? dims(lead, request.edges().count())
                    : dims(lead, shape.queryLen(), shape.keyLen()), result.weights());
        }
        if (weightsPng != null) {
            float[] head0 = Arrays.copyOf(result.weights(), shape.queryLen() * shape.keyLen());
            files.writePng("--weights-png", Heatmap.render(head0, shape.queryLen(), shape.keyLen(),
                    "attention weights, batch 0, head 0", "key j", "query i"));
        }
        if (lse != null) {
            files.write("--lse", dims(lead, shape.queryLen()), result.lse());
        }
        files.commit();
        return 0;
    }

    /** INDPTR.npy,INDICES.npy as two paths. */
    private static Path[] edgeFiles(String text) {
        String[] parts = text.split(",", -1);
        if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
            throw new IllegalArgumentException("--edges: expected INDPTR.npy,INDICES.npy, got '" + text + "'");
        }
        return new Path[] {Path.of(parts[0].strip()), Path.of(parts[1].strip())};
    }

    /** LEFT,RIGHT as two integers; the request checks that each is at least -1. */
    static int[] window(String text) {
        String[] parts = text.split(",", -1);
        try {
            if (parts.length == 2) {
                return new int[] {Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip())};
            }
        } catch (NumberFormatException e) {
            // reported below, with the whole value
        }
        throw new IllegalArgumentException("--window: expected LEFT,RIGHT, two integers >= -1 (-1 = unbounded), got '"
                + text + "'");
    }

    /** [B, H, N, D] dimensions from an input's own, which are [B, N, H, D] in the token-major layout. */
    private static int[] heads(int[] d, Layout order) {
        return order == Layout.BNHD ? new int[] {d[0], d[2], d[1], d[3]} : d;
    }

    private static int[] as4d(Npy.Array a, int rank) {
        int[] s = a.shape();
        if (s.length != rank) {
            throw new IllegalArgumentException(a.name() + ": expected rank " + rank + " like --q, got shape "
                    + Arrays.toString(s));
        }
        return switch (rank) {
            case 2 -> new int[] {1, 1, s[0], s[1]};
            case 3 -> new int[] {s[0], 1, s[1], s[2]};
            default -> s.clone();
        };
    }

    /** {@code arg}'s dimension {@code what} must equal the one {@code source} gave. */
    private static void same(String arg, String what, int got, String source, int expected) {
        if (got != expected) {
            throw new IllegalArgumentException(arg + ": expected " + what + "=" + expected + " (as in " + source
                    + "), got " + got);
        }
    }

    private static int[] dims(int[] lead, int... tail) {
        int[] d = Arrays.copyOf(lead, lead.length + tail.length);
        System.arraycopy(tail, 0, d, lead.length, tail.length);
        return d;
    }
}
