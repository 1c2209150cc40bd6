package dev.clattn;

import dev.clattn.spi.Backend;
import dev.clattn.testing.Case;
import dev.clattn.testing.Data;
import dev.clattn.testing.Naive;
import dev.clattn.testing.TestCases;
import dev.clattn.testing.Tolerance;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The score functions and the mean normalisation, on every backend that implements this: on the fused path
 * (O, and the LSE under softmax) and with the weights, each against the naive reference, which computes every
 * score from its definition (the additive one from the weights A, never from projections).
 */
public interface ScoreContract {
    Backend scoreBackend();

    /** One score function with one normalisation. */
    record Variant(String name, Score score, Normalize normalize) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Every score with each normalisation but the default pair, with additive weights for this shape. */
    static List<Variant> variants(Shape s, long seed) {
        Random rnd = new Random(seed);
        float a = (float) (1 / Math.sqrt(s.headDim()));
        Score shared = Score.additive(Data.gaussian(rnd, 2L * s.headDim(), a), 2, s.headDim());
        Score perHead = Score.additive(Data.gaussian(rnd, 2L * s.queryHeads() * s.headDim(), a), s.queryHeads(), 2,
                s.headDim()).leakyRelu(Score.DEFAULT_LEAKY_SLOPE);
        return List.of(
                new Variant("dot/mean", Score.dot(), Normalize.MEAN),
                new Variant("neg-sq-dist/softmax", Score.negSqDist(), Normalize.SOFTMAX),
                new Variant("neg-sq-dist/mean", Score.negSqDist(), Normalize.MEAN),
                new Variant("additive-relu/mean", shared, Normalize.MEAN),
                new Variant("additive-leaky-per-head/softmax", perHead, Normalize.SOFTMAX));
    }

    /** The request's data, masks and structure with this score and normalisation. */
    static AttentionRequest with(AttentionRequest r, Variant v, boolean weights, Edges graph) {
        AttentionRequest.Builder b = AttentionRequest.builder(r.shape()).q(r.q().array()).k(r.k().array())
                .v(r.v().array()).causal(r.causal()).keyLengths(r.keyLengths()).window(r.windowLeft(), r.windowRight())
                .returnWeights(weights).returnLse(v.normalize() == Normalize.SOFTMAX).edges(graph)
                .score(v.score()).normalize(v.normalize());
        if (r.mask() != null) {
            b.maskBytes(r.mask().data(), r.mask().dims());
        }
        if (r.bias() != null) {
            b.bias(r.bias().data(), r.bias().dims());
        }
        return b.build();
    }

    /** O, the LSE under softmax and, when asked, the weights against the reference. */
    static void check(Backend backend, String what, AttentionRequest r) {
        Naive.Result f64 = new Naive(r, Naive.Precision.F64).attention();
        Naive.Result f32 = new Naive(r, Naive.Precision.F32).attention();
        AttentionResult got = backend.attention(r);
        Tolerance.check(what + " O", got.output(), f64.out(), f32.out());
        if (r.wantLse()) {
            Tolerance.check(what + " LSE", got.lse(), f64.lse(), f32.lse());
        }
        if (r.wantWeights()) {
            Tolerance.check(what + " P", got.weights(), f64.weights(), f32.weights());
        }
    }

    @Test
    default void everyScoreAndNormalisationMatchesTheReference() {
        for (Case c : TestCases.scores()) {
            AttentionRequest base = c.request(false, false);
            for (Variant v : variants(c.shape(), c.seed())) {
                for (boolean weights : new boolean[] {false, true}) {
                    check(scoreBackend(), c + " " + v + (weights ? " with weights" : ""), with(base, v, weights, null));
                }
            }
        }
    }

    /**
     * Q and K sharing an offset, as image patches do (values 100–200), and at larger magnitudes: the squared
     * distance expanded as ‖q‖² + ‖k‖² − 2q·k in float32 loses the digits the tolerance asks for.
     */
    @Test
    default void squaredDistancesKeepTheirDigitsUnderAnOffset() {
        Shape s = new Shape(1, 2, 1, 97, 150, 49, 3);
        for (float offset : new float[] {150f, 3000f}) {
            Random rnd = new Random((long) offset);
            float[] q = Data.gaussian(rnd, s.qElements(), 20);
            float[] k = Data.gaussian(rnd, s.kElements(), 20);
            for (int x = 0; x < q.length; x++) {
                q[x] += offset;
            }
            for (int x = 0; x < k.length; x++) {
                k[x] += offset;
            }
            float[] v = Data.gaussian(rnd, s.vElements(), 1);
            for (Normalize n : Normalize.values()) {
                for (boolean weights : new boolean[] {false, true}) {
                    AttentionRequest r = AttentionRequest.builder(s).q(q).k(k).v(v).score(Score.negSqDist())
                            .scale(1f / 400).normalize(n).returnWeights(weights)
                            .returnLse(n == Normalize.SOFTMAX).build();
                    check(scoreBackend(), "offset " + offset + " " + n + (weights ? " with weights" : ""), r);
                }
            }
        }
    }

    /** Over a graph's edges, with causality, a window, a mask and a bias; keys off the graph hold NaN. */
    @Test
    default void everyScoreOverEdgesMatchesTheReference() {
        List<Case> cases = List.of(
                Case.of("se-D3", new Shape(2, 2, 2, 40, 33, 3, 3)),
                Case.of("se-GQA-window-mask-bias", new Shape(1, 4, 2, 50, 70, 16, 16)).window(20, 5)
                        .causal(Causal.BOTTOM_RIGHT).mask(0.8, 1, 1, 50, 70).bias(1, 4, 1, 70));
        for (Case c : cases) {
            Shape s = c.shape();
            Edges graph = StructureContract.randomGraph(s, 1 + s.keyLen() / 3, s.keyLen() * 17L + s.queryLen());
            AttentionRequest base = c.request(false, false);
            boolean[] used = new boolean[s.keyLen()];
            for (int e = 0; e < graph.count(); e++) {
                used[graph.key(e)] = true;
            }
            for (int row = 0; row < s.batch() * s.kvHeads() * s.keyLen(); row++) {
                if (!used[row % s.keyLen()]) {
                    java.util.Arrays.fill(base.k().array(), row * s.headDim(), (row + 1) * s.headDim(), Float.NaN);
                    java.util.Arrays.fill(base.v().array(), row * s.valueDim(), (row + 1) * s.valueDim(), Float.NaN);
                }
            }
            for (Variant v : variants(s, c.seed())) {
                AttentionRequest r = with(base, v, false, graph);
                Naive.Result f64 = new Naive(r, Naive.Precision.F64).attention();
                Naive.Result f32 = new Naive(r, Naive.Precision.F32).attention();
                String what = c + " " + v + " E=" + graph.count();
                AttentionResult got = scoreBackend().attention(with(base, v, true, graph));
                Tolerance.check(what + " O", got.output(), f64.out(), f32.out());
                Tolerance.check(what + " P", got.weights(), StructureContract.perEdge(s, graph, f64.weights()),
                        StructureContract.perEdge(s, graph, f32.weights()));
                Tolerance.check(what + " O without weights", scoreBackend().attention(r).output(), f64.out(), f32.out());
            }
        }
    }

    /**
     * Rotary positions against the reference's rotation from its definition: decode-like Nq < Nk (bottom-right
     * positions), Nq > Nk (negative positions), D = 2 and 6, GQA, the distance score, with and without the
     * weights; the caller's Q and K are left as they were.
     */
    @Test
    default void rotaryPositionsMatchTheReference() {
        List<Case> cases = List.of(
                Case.of("rope-N1-D2", new Shape(1, 1, 1, 1, 1, 2, 2)),
                Case.of("rope-decode-GQA", new Shape(2, 4, 2, 3, 97, 64, 32)).causal(Causal.BOTTOM_RIGHT),
                Case.of("rope-Nq>Nk-D6", new Shape(1, 2, 2, 97, 17, 6, 5)).causal(Causal.TOP_LEFT),
                Case.of("rope-1025", new Shape(1, 1, 1, 1025, 1025, 16, 16)).window(100, 0));
        for (Case c : cases) {
            AttentionRequest base = c.request(false, false);
            float[] q0 = base.q().array().clone();
            for (Score fn : List.of(Score.dot(), Score.negSqDist())) {
                for (boolean weights : new boolean[] {false, true}) {
                    AttentionRequest.Builder b = AttentionRequest.builder(base.shape()).q(base.q().array())
                            .k(base.k().array()).v(base.v().array()).causal(base.causal())
                            .window(base.windowLeft(), base.windowRight()).score(fn).rope(10000f)
                            .returnWeights(weights).returnLse(true);
                    check(scoreBackend(), c + " " + fn + (weights ? " with weights" : ""), b.build());
                }
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(q0, base.q().array(), "Q untouched by the rotation");
        }
    }

    /** qkt computes each score function, and softmax_rows the mean, as the pipeline does. */
    @Test
    default void theStagesComputeEveryScoreAndTheMean() {
        for (Case c : List.of(TestCases.scores().get(1), TestCases.scores().get(2))) {
            AttentionRequest base = c.request(false, false);
            for (Variant v : variants(c.shape(), c.seed())) {
                AttentionRequest r = with(base, v, false, null);
                String what = c + " " + v;
                double[] f64 = new Naive(r, Naive.Precision.F64).qkt();
                float[] scores = scoreBackend().qkt(r);
                Tolerance.check(what + " qkt", scores, f64, new Naive(r, Naive.Precision.F32).qkt());
                double[] lse = new double[(int) r.shape().lseElements()];
                double[] p64 = new Naive(r, Naive.Precision.F64).softmaxRows(scores, lse);
                double[] p32 = new Naive(r, Naive.Precision.F32).softmaxRows(scores, lse);
                Tolerance.check(what + " softmax_rows", scoreBackend().softmaxRows(r, scores, null), p64, p32);
            }
        }
    }
}
