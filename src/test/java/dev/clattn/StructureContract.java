package dev.clattn;

import dev.clattn.spi.Backend;
import dev.clattn.testing.Case;
import dev.clattn.testing.Naive;
import dev.clattn.testing.Tolerance;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Attention shaped by structure, on every backend that implements this with its own backend: a sliding window
 * must give what the equivalent boolean mask gives, on the fused path (O, LSE) and with the weights, as the
 * naive reference computes it from the mask alone (it never sees the window).
 */
public interface StructureContract {
    Backend structureBackend();

    private static List<Case> windowCases() {
        return List.of(
                Case.of("w-local", new Shape(1, 2, 2, 97, 97, 64, 64)).window(16, 0),
                Case.of("w-both", new Shape(2, 4, 2, 17, 97, 40, 40)).window(5, 3).causal(Causal.BOTTOM_RIGHT),
                Case.of("w-left-GQA", new Shape(1, 4, 1, 70, 150, 24, 16)).window(40, -1).keyLengths(120),
                Case.of("w-right-top-left", new Shape(1, 1, 1, 33, 33, 3, 5)).window(-1, 2).causal(Causal.TOP_LEFT),
                Case.of("w-empty", new Shape(1, 1, 1, 40, 9, 8, 8)).window(0, 0));
    }

    /** The window as a boolean [Nq, Nk] mask, written from its definition. */
    private static byte[] windowMask(Shape s, int left, int right) {
        byte[] m = new byte[s.queryLen() * s.keyLen()];
        for (int i = 0; i < s.queryLen(); i++) {
            long diagonal = (long) i + s.keyLen() - s.queryLen();
            for (int j = 0; j < s.keyLen(); j++) {
                boolean in = (left < 0 || j >= diagonal - left) && (right < 0 || j <= diagonal + right);
                m[i * s.keyLen() + j] = (byte) (in ? 1 : 0);
            }
        }
        return m;
    }

    @Test
    default void aWindowGivesTheAnswerOfItsBooleanMask() {
        for (Case c : windowCases()) {
            for (boolean weights : new boolean[] {false, true}) {
                AttentionRequest windowed = c.request(weights, true);
                Shape s = windowed.shape();
                AttentionRequest masked = AttentionRequest.builder(s).q(windowed.q().array())
                        .k(windowed.k().array()).v(windowed.v().array()).causal(windowed.causal())
                        .keyLengths(windowed.keyLengths()).returnWeights(weights).returnLse(true)
                        .maskBytes(windowMask(s, c.window()[0], c.window()[1]), s.queryLen(), s.keyLen()).build();
                Naive.Result f64 = new Naive(masked, Naive.Precision.F64).attention();
                Naive.Result f32 = new Naive(masked, Naive.Precision.F32).attention();
                AttentionResult got = structureBackend().attention(windowed);
                String what = c + (weights ? " with weights" : "");
                Tolerance.check(what + " O", got.output(), f64.out(), f32.out());
                Tolerance.check(what + " LSE", got.lse(), f64.lse(), f32.lse());
                if (weights) {
                    Tolerance.check(what + " P", got.weights(), f64.weights(), f32.weights());
                }
            }
        }
    }

    /** A random graph: each row up to {@code degree} distinct keys (a row with none among them). */
    static Edges randomGraph(Shape s, int degree, long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        int[] indptr = new int[s.queryLen() + 1];
        java.util.List<Integer> keys = new java.util.ArrayList<>();
        for (int i = 0; i < s.queryLen(); i++) {
            int n = i % 7 == 3 ? 0 : rnd.nextInt(Math.min(degree, s.keyLen()) + 1);
            java.util.Set<Integer> row = new java.util.LinkedHashSet<>();
            while (row.size() < n) {
                row.add(rnd.nextInt(s.keyLen()));
            }
            keys.addAll(row);
            indptr[i + 1] = keys.size();
        }
        return Edges.of(indptr, keys.stream().mapToInt(Integer::intValue).toArray());
    }

    private static List<Case> graphCases() {
        return List.of(
                Case.of("g-N1-D1", new Shape(1, 1, 1, 1, 1, 1, 1)),
                Case.of("g-D3", new Shape(2, 2, 2, 40, 33, 3, 3)),
                Case.of("g-97-D111", new Shape(1, 2, 2, 97, 97, 111, 111)),
                Case.of("g-GQA-causal", new Shape(2, 4, 2, 37, 53, 24, 20)).causal(Causal.BOTTOM_RIGHT)
                        .keyLengths(53, 30),
                Case.of("g-window-mask-bias", new Shape(1, 2, 1, 50, 70, 16, 16)).window(20, 5)
                        .mask(0.8, 1, 1, 50, 70).bias(1, 2, 1, 70),
                Case.of("g-1025", new Shape(1, 1, 1, 1025, 1025, 64, 64)));
    }

    /** The request's own data with the graph added. */
    private static AttentionRequest withGraph(AttentionRequest r, Edges graph, boolean weights) {
        AttentionRequest.Builder b = AttentionRequest.builder(r.shape()).q(r.q().array()).k(r.k().array())
                .v(r.v().array()).causal(r.causal()).keyLengths(r.keyLengths()).window(r.windowLeft(), r.windowRight())
                .returnWeights(weights).returnLse(true).edges(graph);
        if (r.mask() != null) {
            b.maskBytes(r.mask().data(), r.mask().dims());
        }
        if (r.bias() != null) {
            b.bias(r.bias().data(), r.bias().dims());
        }
        return b.build();
    }

    /**
     * A graph's answer is the reference's for its edges as keys (every other key hidden), combined with causality,
     * key lengths, windows, the mask, the bias and GQA; the weights come per edge; keys off the graph hold NaN.
     */
    @Test
    default void attentionOverEdgesMatchesTheReference() {
        for (Case c : graphCases()) {
            Shape s = c.shape();
            Edges graph = randomGraph(s, 1 + s.keyLen() / 3, s.keyLen() * 31L + s.queryLen());
            for (boolean weights : new boolean[] {false, true}) {
                AttentionRequest r = withGraph(c.request(false, false), graph, weights);
                boolean[] used = new boolean[s.keyLen()];
                for (int e = 0; e < graph.count(); e++) {
                    used[graph.key(e)] = true;
                }
                float[] k = r.k().array();
                float[] v = r.v().array();
                for (int row = 0; row < s.batch() * s.kvHeads() * s.keyLen(); row++) {
                    if (!used[row % s.keyLen()]) {
                        java.util.Arrays.fill(k, row * s.headDim(), (row + 1) * s.headDim(), Float.NaN);
                        java.util.Arrays.fill(v, row * s.valueDim(), (row + 1) * s.valueDim(), Float.NaN);
                    }
                }
                Naive.Result f64 = new Naive(r, Naive.Precision.F64).attention();
                Naive.Result f32 = new Naive(r, Naive.Precision.F32).attention();
                AttentionResult got = structureBackend().attention(r);
                String what = c + " E=" + graph.count() + (weights ? " with weights" : "");
                Tolerance.check(what + " O", got.output(), f64.out(), f32.out());
                Tolerance.check(what + " LSE", got.lse(), f64.lse(), f32.lse());
                if (weights) {
                    Tolerance.check(what + " P", got.weights(), perEdge(s, graph, f64.weights()),
                            perEdge(s, graph, f32.weights()));
                }
            }
        }
    }

    /** Dense [B,Hq,Nq,Nk] weights gathered per edge, [B,Hq,E]. */
    static double[] perEdge(Shape s, Edges graph, double[] dense) {
        double[] p = new double[s.heads() * graph.count()];
        for (int bh = 0; bh < s.heads(); bh++) {
            for (int i = 0; i < s.queryLen(); i++) {
                for (int e = graph.start(i); e < graph.start(i + 1); e++) {
                    p[bh * graph.count() + e] = dense[(int) (((long) bh * s.queryLen() + i) * s.keyLen() + graph.key(e))];
                }
            }
        }
        return p;
    }
}
