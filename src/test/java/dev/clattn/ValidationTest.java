package dev.clattn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.clattn.cpu.CpuBackend;
import java.nio.FloatBuffer;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Every validation error, with the message that names the argument and the expected vs actual shape. */
class ValidationTest {
    private static final Shape S = new Shape(2, 4, 2, 5, 7, 3, 6);

    private static AttentionRequest.Builder valid() {
        return AttentionRequest.builder(S).q(new float[2 * 4 * 5 * 3]).k(new float[2 * 2 * 7 * 3])
                .v(new float[2 * 2 * 7 * 6]);
    }

    private static void rejects(String message, Consumer<AttentionRequest.Builder> change) {
        AttentionRequest.Builder b = valid();
        change.accept(b);
        InvalidRequestException e = assertThrows(InvalidRequestException.class, b::build);
        assertEquals(message, e.getMessage());
        assertEquals(message, e.argument() + ": expected " + e.expected() + ", got " + e.actual());
    }

    /** A graph is checked against Nq = 5 and Nk = 7: every way a CSR pair can be wrong, by name. */
    @Test
    void aGraphThatIsNotAValidCsrOverTheShapeIsRefused() {
        rejects("indptr: expected Nq + 1 = 6 entries, got 5 entries",
                b -> b.edges(Edges.of(new int[] {0, 0, 0, 0, 0}, new int[0])));
        rejects("indptr: expected 0 as its first entry, got 1",
                b -> b.edges(Edges.of(new int[] {1, 1, 1, 1, 1, 1}, new int[] {0})));
        rejects("indptr: expected entries that never decrease, got 1 after 2 at [2]",
                b -> b.edges(Edges.of(new int[] {0, 2, 1, 2, 2, 2}, new int[] {0, 1})));
        rejects("indices: expected indptr[Nq] = 2 entries, got 3 entries",
                b -> b.edges(Edges.of(new int[] {0, 1, 2, 2, 2, 2}, new int[] {0, 1, 2})));
        rejects("indices: expected keys in [0, 7) (Nk), got 7 at [1]",
                b -> b.edges(Edges.of(new int[] {0, 2, 2, 2, 2, 2}, new int[] {0, 7})));
        rejects("indices: expected keys in [0, 7) (Nk), got -1 at [0]",
                b -> b.edges(Edges.of(new int[] {0, 1, 1, 1, 1, 1}, new int[] {-1})));
        rejects("indices: expected no key twice within a row, got key 3 twice in row 1 (at [3])",
                b -> b.edges(Edges.of(new int[] {0, 1, 4, 4, 4, 4}, new int[] {3, 3, 2, 3})));
        assertEquals(3, valid().edges(Edges.of(new int[] {0, 1, 2, 2, 3, 3}, new int[] {6, 6, 0})).build().edges()
                .count(), "the same key in different rows is an ordinary graph");
        assertEquals("edges: expected no graph in the qkt stage (attention over edges is one call, with no Nq x Nk "
                + "matrix), got a graph of 1 edges", assertThrows(InvalidRequestException.class, () -> {
                    try (CpuBackend b = new CpuBackend(1)) {
                        b.qkt(valid().edges(Edges.of(new int[] {0, 1, 1, 1, 1, 1}, new int[] {2})).build());
                    }
                }).getMessage());
    }

    /** S has D = 3 and Hq = 4: additive weights of another shape, a scale, half storage, an LSE under mean. */
    @Test
    void scoreAndNormalisationMisuseIsRefused() {
        Score shared = Score.additive(new float[6], 2, 3);
        rejects("additive: expected weights [2, D] = [2, 3] or [Hq, 2, D] = [4, 2, 3], got [2, 4]",
                b -> b.score(Score.additive(new float[8], 2, 4)));
        rejects("additive: expected weights [2, D] = [2, 3] or [Hq, 2, D] = [4, 2, 3], got [3, 2, 3]",
                b -> b.score(Score.additive(new float[18], 3, 2, 3)));
        rejects("scale: expected no scale with the additive score (it has none), got a scale",
                b -> b.score(shared).scale(0.5f));
        rejects("storage: expected F32 with the additive score, got F16_KV", b -> b.score(shared).storage(Storage.F16_KV));
        rejects("lse: expected no log-sum-exp with normalize MEAN (its weights are no softmax), got returnLse(true)",
                b -> b.normalize(Normalize.MEAN).returnLse(true));
        assertEquals("additive: expected dims [2, D] or [Hq, 2, D], got [3, 2]", assertThrows(
                InvalidRequestException.class, () -> Score.additive(new float[6], 3, 2)).getMessage());
        assertEquals("additive: expected [2, 3] = 6 floats, got 5", assertThrows(InvalidRequestException.class,
                () -> Score.additive(new float[5], 2, 3)).getMessage());
        assertEquals("additive: expected finite weights, got NaN at [1]", assertThrows(InvalidRequestException.class,
                () -> Score.additive(new float[] {0, Float.NaN}, 2, 1)).getMessage());
        assertEquals("activation: expected the additive score, got NEG_SQ_DIST", assertThrows(
                InvalidRequestException.class, () -> Score.negSqDist().leakyRelu(0.1f)).getMessage());
        AttentionRequest mean = valid().normalize(Normalize.MEAN).build();
        try (CpuBackend b = new CpuBackend(1)) {
            assertEquals("lse: expected no log-sum-exp with normalize MEAN (its weights are no softmax), got an lse "
                    + "array", assertThrows(InvalidRequestException.class, () -> b.softmaxRows(mean,
                    new float[(int) S.scoreElements()], new float[(int) S.lseElements()])).getMessage());
        }
        assertEquals(1f / 3, valid().score(Score.negSqDist()).build().scale(), "neg-sq-dist's scale is 1/D");
        assertEquals(1f, valid().score(shared).build().scale(), "the additive score has no scale");
    }

    @Test
    void windowValuesBelowMinusOneAreRefused() {
        assertEquals("window: expected LEFT,RIGHT each >= -1 (-1 = unbounded), got -2,3", assertThrows(
                InvalidRequestException.class, () -> valid().window(-2, 3)).getMessage());
    }

    @Test
    void validRequestBuilds() {
        assertEquals(S, valid().build().shape());
    }

    @Test
    void shapeDimensionsMustBePositive() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> new Shape(1, 1, 1, 0, 1, 1, 1));
        assertEquals("queryLen: expected >= 1, got 0", e.getMessage());
        assertEquals("queryLen", e.argument());
        assertEquals("headDim: expected >= 1, got -3",
                assertThrows(IllegalArgumentException.class, () -> new Shape(1, 1, 1, 1, 1, -3, 1)).getMessage());
    }

    @Test
    void queryHeadsMustBeAMultipleOfKvHeads() {
        assertEquals("kvHeads: expected a divisor of Hq=8, got Hk=3",
                assertThrows(IllegalArgumentException.class, () -> new Shape(1, 8, 3, 4, 4, 4, 4)).getMessage());
    }

    @Test
    void inputLengthsMustMatchTheShape() {
        rejects("q: expected [B,Hq,Nq,D]=[2, 4, 5, 3] = 120 floats, got 119", b -> b.q(new float[119]));
        rejects("k: expected [B,Hk,Nk,D]=[2, 2, 7, 3] = 84 floats, got 85", b -> b.k(new float[85]));
        rejects("v: expected [B,Hk,Nk,Dv]=[2, 2, 7, 6] = 168 floats, got 84", b -> b.v(new float[84]));
        rejects("q: expected [B,Hq,Nq,D]=[2, 4, 5, 3] = 120 floats, got 100",
                b -> b.q(FloatBuffer.allocate(120).position(20)));
    }

    @Test
    void missingInputsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AttentionRequest.builder(S).q(new float[120]).k(new float[84]).build());
        assertEquals("v: expected [B,Hk,Nk,Dv]=[2, 2, 7, 6] = 168 floats, got none (null or not set)", e.getMessage());
    }

    @Test
    void nullInputsNameTheArgument() {
        rejects("q: expected [B,Hq,Nq,D]=[2, 4, 5, 3] = 120 floats, got none (null or not set)",
                b -> b.q((float[]) null));
        rejects("k: expected [B,Hk,Nk,D]=[2, 2, 7, 3] = 84 floats, got none (null or not set)",
                b -> b.k((FloatBuffer) null));
        rejects("v: expected [B,Hk,Nk,Dv]=[2, 2, 7, 6] = 168 floats, got none (null or not set)",
                b -> b.v((float[]) null));
        rejects("mask: expected data and dimensions broadcastable to [B,Hq,Nq,Nk]=[2, 4, 5, 7], got null data",
                b -> b.mask(null, 5, 7));
        rejects("mask: expected data and dimensions broadcastable to [B,Hq,Nq,Nk]=[2, 4, 5, 7], got null data",
                b -> b.maskBytes(null));
        rejects("mask: expected data and dimensions broadcastable to [B,Hq,Nq,Nk]=[2, 4, 5, 7], got null dimensions",
                b -> b.maskBytes(new byte[35], (int[]) null));
        rejects("bias: expected data and dimensions broadcastable to [B,Hq,Nq,Nk]=[2, 4, 5, 7], got null data",
                b -> b.bias(null, 5, 7));
        assertEquals("shape", assertThrows(InvalidRequestException.class, () -> AttentionRequest.builder(null))
                .argument());
    }

    @Test
    void dimensionsWhoseElementCountsOverflowAreRefusedNamingThem() {
        // B * Hq * Nq * D = 2^22 * 2^21 * 2^21 * 2^21 wraps a long to exactly 0, which matched empty arrays.
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> AttentionRequest.builder(new Shape(1 << 22, 1 << 21, 1 << 21, 1 << 21, 1 << 21, 1 << 21, 1 << 21))
                        .q(new float[0]).k(new float[0]).v(new float[0]).build());
        assertEquals("shape", e.argument());
        assertEquals("B=4194304 Hq=2097152 Hk=2097152 Nq=2097152 Nk=2097152 D=2097152 Dv=2097152, whose counts "
                + "overflow 64 bits", e.actual());
        assertThrows(InvalidRequestException.class, () -> new Shape(1 << 22, 1 << 21, 1 << 21, 1 << 21, 1 << 21, 1, 1));
        assertThrows(InvalidRequestException.class, () -> new Shape(1, 1, 1, 1 << 30, 1 << 30, 1 << 30, 1));
        assertEquals(1L << 56, new Shape(1, 1, 1, 1 << 28, 1 << 28, 1, 1).scoreElements());
    }

    @Test
    void scaleMustBeFinite() {
        rejects("scale: expected a finite number, got NaN", b -> b.scale(Float.NaN));
        rejects("scale: expected a finite number, got Infinity", b -> b.scale(Float.POSITIVE_INFINITY));
    }

    @Test
    void keyLengthsMustHaveOneEntryPerBatchWithinRange() {
        rejects("keyLengths: expected [B]=[2], got [3]", b -> b.keyLengths(new int[] {1, 2, 3}));
        rejects("keyLengths: expected 0..7 (Nk) for every batch, got 8 at [1]", b -> b.keyLengths(new int[] {7, 8}));
        rejects("keyLengths: expected 0..7 (Nk) for every batch, got -1 at [0]", b -> b.keyLengths(new int[] {-1, 2}));
    }

    @Test
    void maskMustBroadcast() {
        rejects("mask: expected shape broadcastable to [B,Hq,Nq,Nk]=[2, 4, 5, 7], got [5, 6]",
                b -> b.mask(new boolean[30], 5, 6));
        rejects("mask: expected rank <= 4 broadcastable to [B,Hq,Nq,Nk]=[2, 4, 5, 7], got shape [1, 2, 4, 5, 7]",
                b -> b.mask(new boolean[280], 1, 2, 4, 5, 7));
        rejects("mask: expected 35 elements for shape [5, 7], got 34", b -> b.mask(new boolean[34], 5, 7));
        rejects("mask: expected shape broadcastable to [B,Hq,Nq,Nk]=[2, 4, 5, 7], got [3, 1, 1, 1]",
                b -> b.maskBytes(new byte[3], 3, 1, 1, 1));
    }

    @Test
    void biasMustBroadcast() {
        rejects("bias: expected shape broadcastable to [B,Hq,Nq,Nk]=[2, 4, 5, 7], got [2, 1, 1, 6]",
                b -> b.bias(new float[12], 2, 1, 1, 6));
        rejects("bias: expected shape broadcastable to [B,Hq,Nq,Nk]=[2, 4, 5, 7], got [0]",
                b -> b.bias(new float[0], 0));
    }

    @Test
    void weightsThatDoNotFitAJavaArrayAreRefused() {
        Shape big = new Shape(1, 1, 1, 50_000, 50_000, 1, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AttentionRequest.builder(big).q(new float[50_000]).k(new float[50_000]).v(new float[50_000])
                        .returnWeights(true).build());
        assertEquals("weights: expected P [B,Hq,Nq,Nk] within a Java array's 2147483639 elements, got 2500000000 "
                + "elements",
                e.getMessage());
    }

    @Test
    void stageInputsAreChecked() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            AttentionRequest r = valid().build();
            assertEquals("scores: expected [B,Hq,Nq,Nk]=[2, 4, 5, 7] = 280 floats, got 10",
                    assertThrows(IllegalArgumentException.class, () -> cpu.softmaxRows(r, new float[10], null))
                            .getMessage());
            assertEquals("lse: expected [B,Hq,Nq] = 40 floats, got 3",
                    assertThrows(IllegalArgumentException.class,
                            () -> cpu.softmaxRows(r, new float[280], new float[3])).getMessage());
            assertEquals("weights: expected [B,Hq,Nq,Nk]=[2, 4, 5, 7] = 280 floats, got 281",
                    assertThrows(IllegalArgumentException.class, () -> cpu.av(r, new float[281])).getMessage());
        }
    }

    @Test
    void causalAndBackendSpellings() {
        assertEquals(Causal.BOTTOM_RIGHT, Causal.parse("bottom-right"));
        assertEquals(Causal.TOP_LEFT, Causal.parse("top-left"));
        assertEquals("causal: expected none, top-left or bottom-right, got 'diagonal'",
                assertThrows(IllegalArgumentException.class, () -> Causal.parse("diagonal")).getMessage());
        assertEquals("backend: expected auto, opencl or cpu, got 'gpu'",
                assertThrows(IllegalArgumentException.class, () -> BackendKind.parse("gpu")).getMessage());
    }
}
