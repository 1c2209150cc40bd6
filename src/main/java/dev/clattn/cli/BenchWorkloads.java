package dev.clattn.cli;

import dev.clattn.AttentionRequest;
import dev.clattn.Causal;
import dev.clattn.InvalidRequestException;
import dev.clattn.Shape;
import dev.clattn.Storage;
import dev.clattn.tune.Float64Check;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** The shapes {@code clattn bench} runs: a preset's sweep, or workloads named by their dimensions. */
final class BenchWorkloads {
    static final String PRESETS = "cpu: B=1 H=8 D=64 N=512..4096 (sized for a 2-core CPU); "
            + "flash (or gpu): the FlashAttention benchmark convention, B*N=16k, hidden 2048, D=64 and 128, "
            + "N=512..16k; decode: Nq=1, B=4 H=8 D=64, Nk=1k..32k (not causal)";

    static final List<String> MASKS = List.of("none", "causal", "padding", "bias", "window", "edges");

    private BenchWorkloads() {
    }

    /**
     * Self-attention with standard normal inputs and one kind of mask: none; causal (top-left); padding (batch
     * b keeps the first Nk − (b + 1)·Nk / 4B keys, as a padded batch would); bias (an additive N(0, 1) bias per
     * key, broadcast [1, 1, 1, Nk]); window (a sliding window of {@code window} = LEFT, RIGHT keys); edges (a
     * random graph of {@code degree} distinct keys per query row).
     */
    static AttentionRequest request(Shape s, String mask, int[] window, int degree) {
        Random rnd = new Random(1);
        AttentionRequest plain = Float64Check.selfAttention(s, mask.equals("causal") ? Causal.TOP_LEFT : Causal.NONE,
                rnd);
        switch (mask) {
            case "none", "causal" -> {
                return plain;
            }
            case "padding" -> {
                return copy(plain, Storage.F32).keyLengths(keyLengths(s)).build();
            }
            case "window" -> {
                return copy(plain, Storage.F32).window(window[0], window[1]).build();
            }
            case "edges" -> {
                return copy(plain, Storage.F32).edges(randomGraph(s, degree, rnd)).build();
            }
            case "bias" -> {
                float[] bias = new float[s.keyLen()];
                for (int j = 0; j < bias.length; j++) {
                    bias[j] = (float) rnd.nextGaussian();
                }
                return copy(plain, Storage.F32).bias(bias, 1, 1, 1, s.keyLen()).build();
            }
            default -> throw new IllegalArgumentException("--mask: expected some of " + String.join(", ", MASKS)
                    + ", got '" + mask + "'");
        }
    }

    /** Checks a --score entry: dot, neg-sq-dist or additive, optionally with /mean. */
    static void checkScore(String spec) {
        String[] p = spec.split("/", -1);
        if (!List.of("dot", "neg-sq-dist", "additive").contains(p[0]) || p.length > 2
                || p.length == 2 && !p[1].equals("mean")) {
            throw new IllegalArgumentException("--score: expected dot, neg-sq-dist or additive, each optionally "
                    + "with /mean, got '" + spec + "'");
        }
    }

    /** A row's workload: the mask, with the score after a '+' unless it is dot under softmax. */
    static String label(String mask, String score) {
        return score.equals("dot") ? mask : mask + "+" + score;
    }

    /**
     * The request (its arrays, not copies) with a --score entry's score function at its default scale and its
     * normalisation; additive weights are N(0, 1/D), shared by the heads, with a ReLU.
     */
    static AttentionRequest withScore(AttentionRequest r, String spec) {
        if (spec.equals("dot")) {
            return r;
        }
        String[] p = spec.split("/", -1);
        Shape s = r.shape();
        Random rnd = new Random(3);
        float[] a = new float[2 * s.headDim()];
        for (int x = 0; x < a.length; x++) {
            a[x] = (float) (rnd.nextGaussian() / Math.sqrt(s.headDim()));
        }
        AttentionRequest.Builder b = AttentionRequest.builder(s).q(r.q().array()).k(r.k().array()).v(r.v().array())
                .causal(r.causal()).window(r.windowLeft(), r.windowRight()).edges(r.edges()).keyLengths(r.keyLengths())
                .score(switch (p[0]) {
                    case "neg-sq-dist" -> dev.clattn.Score.negSqDist();
                    case "additive" -> dev.clattn.Score.additive(a, 2, s.headDim());
                    default -> dev.clattn.Score.dot();
                })
                .normalize(p.length == 2 ? dev.clattn.Normalize.MEAN : dev.clattn.Normalize.SOFTMAX);
        if (r.bias() != null) {
            b.bias(r.bias().data(), r.bias().dims());
        }
        return b.build();
    }

    /** The same request (the same arrays, not copies) with another device storage. */
    static AttentionRequest withStorage(AttentionRequest r, Storage storage) {
        AttentionRequest.Builder b = copy(r, storage).keyLengths(r.keyLengths());
        if (r.bias() != null) {
            b.bias(r.bias().data(), r.bias().dims());
        }
        return b.build();
    }

    private static AttentionRequest.Builder copy(AttentionRequest r, Storage storage) {
        AttentionRequest.Builder b = AttentionRequest.builder(r.shape()).q(r.q().toArray()).k(r.k().toArray())
                .v(r.v().toArray()).causal(r.causal()).storage(storage).window(r.windowLeft(), r.windowRight())
                .score(r.score()).normalize(r.normalize());
        return r.score().kind() == dev.clattn.Score.Kind.ADDITIVE ? b : b.scale(r.scale());
    }

    /** Exactly min(degree, Nk) distinct random keys for every query row. */
    static dev.clattn.Edges randomGraph(Shape s, int degree, Random rnd) {
        int d = Math.min(degree, s.keyLen());
        int[] indptr = new int[s.queryLen() + 1];
        int[] indices = new int[Math.multiplyExact(s.queryLen(), d)];
        for (int i = 0; i < s.queryLen(); i++) {
            int at = i * d;
            for (int x = 0; x < d; x++) {
                int j;
                boolean repeated;
                do {
                    j = rnd.nextInt(s.keyLen());
                    repeated = false;
                    for (int y = at; y < at + x && !repeated; y++) {
                        repeated = indices[y] == j;
                    }
                } while (repeated);
                indices[at + x] = j;
            }
            indptr[i + 1] = at + d;
        }
        return dev.clattn.Edges.of(indptr, indices);
    }

    private static int[] keyLengths(Shape s) {
        int[] lengths = new int[s.batch()];
        for (int b = 0; b < lengths.length; b++) {
            lengths[b] = (int) Math.max(1, s.keyLen() - (long) s.keyLen() * (b + 1) / (4L * s.batch()));
        }
        return lengths;
    }

    /**
     * The share of (query, key) pairs the mask leaves visible, as FLOPs count it (causal: one half; a window: its
     * pairs counted row by row).
     */
    static double visibleFraction(AttentionRequest r, String mask) {
        Shape s = r.shape();
        if (mask.equals("edges")) {
            return (double) r.edges().count() / s.queryLen() / s.keyLen();
        }
        if (!mask.equals("window")) {
            return visibleFraction(s, mask);
        }
        double pairs = 0;
        for (int i = 0; i < s.queryLen(); i++) {
            pairs += Math.max(0, r.visibleKeys(0, i) - r.firstVisibleKey(0, i));
        }
        return pairs / s.queryLen() / s.keyLen();
    }

    /** As {@link #visibleFraction(AttentionRequest, String)} for the masks the shape alone decides. */
    static double visibleFraction(Shape s, String mask) {
        return switch (mask) {
            case "causal" -> 0.5;
            case "padding" -> java.util.Arrays.stream(keyLengths(s)).asDoubleStream().sum() / s.batch() / s.keyLen();
            default -> 1;
        };
    }

    /** The preset's shapes, over {@code lengths} when given, else the preset's own sweep. */
    static List<Shape> preset(String preset, int[] lengths) {
        for (int n : lengths != null ? lengths : new int[0]) {
            if (n < 1) {
                throw new IllegalArgumentException("--n: expected lengths >= 1, got " + n);
            }
        }
        List<Shape> shapes = new ArrayList<>();
        switch (preset) {
            case "flash", "gpu" -> {
                for (int d : new int[] {64, 128}) {
                    for (int n : orElse(lengths, 512, 1024, 2048, 4096, 8192, 16384)) {
                        shapes.add(Shape.of(Math.max(1, 16384 / n), 2048 / d, n, d));
                    }
                }
            }
            case "decode" -> {
                for (int n : orElse(lengths, 1024, 4096, 16384, 32768)) {
                    shapes.add(new Shape(4, 8, 8, 1, n, 64, 64));
                }
            }
            case "cpu" -> {
                for (int n : orElse(lengths, 512, 1024, 2048, 4096)) {
                    shapes.add(Shape.of(1, 8, n, 64));
                }
            }
            default -> throw new IllegalArgumentException("--preset: expected cpu, flash, gpu or decode, got '" + preset
                    + "'");
        }
        return shapes;
    }

    private static int[] orElse(int[] given, int... preset) {
        return given != null ? given : preset;
    }

    /**
     * Parses a workload such as {@code B=2,Hq=32,Hk=8,Nq=1,Nk=8192,D=128}: H sets Hq and Hk, N sets Nq and Nk,
     * Dv defaults to D; B, H (or Hq) and N (or Nq and Nk) are required, D defaults to 64.
     */
    static Shape parse(String spec) {
        Map<String, Integer> v = new LinkedHashMap<>();
        for (String item : spec.split(",")) {
            String[] kv = item.trim().split("=");
            if (kv.length != 2 || !Set.of("B", "H", "Hq", "Hk", "N", "Nq", "Nk", "D", "Dv").contains(kv[0].trim())) {
                throw new IllegalArgumentException("--shape: expected KEY=value items with keys B, H, Hq, Hk, N, Nq, Nk, "
                        + "D, Dv, got '" + item.trim() + "' in '" + spec + "'");
            }
            try {
                v.put(kv[0].trim(), Integer.parseInt(kv[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--shape: " + kv[0].trim() + " expected an integer, got '"
                        + kv[1].trim() + "'", e);
            }
        }
        Integer hq = v.getOrDefault("Hq", v.get("H"));
        Integer nq = v.getOrDefault("Nq", v.get("N"));
        Integer nk = v.getOrDefault("Nk", v.get("N"));
        if (!v.containsKey("B") || hq == null || nq == null || nk == null) {
            throw new IllegalArgumentException("--shape: expected at least B, H (or Hq) and N (or Nq and Nk), got '"
                    + spec + "'");
        }
        int d = v.getOrDefault("D", 64);
        try {
            return new Shape(v.get("B"), hq, v.getOrDefault("Hk", v.getOrDefault("H", hq)), nq, nk, d,
                    v.getOrDefault("Dv", d));
        } catch (InvalidRequestException e) {
            throw new InvalidRequestException(e.argument(), e.expected(), e.actual() + " in '" + spec + "'", e);
        }
    }
}
