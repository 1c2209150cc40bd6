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
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertEquals(message, e.getMessage());
    }

    @Test
    void validRequestBuilds() {
        assertEquals(S, valid().build().shape());
    }

    @Test
    void shapeDimensionsMustBePositive() {
        assertEquals("queryLen (Nq): expected >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new Shape(1, 1, 1, 0, 1, 1, 1)).getMessage());
        assertEquals("headDim (D): expected >= 1, got -3",
                assertThrows(IllegalArgumentException.class, () -> new Shape(1, 1, 1, 1, 1, -3, 1)).getMessage());
    }

    @Test
    void queryHeadsMustBeAMultipleOfKvHeads() {
        assertEquals("kvHeads: Hq=8 must be a multiple of Hk=3",
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
        assertEquals("v: missing, expected [B,Hk,Nk,Dv]=[2, 2, 7, 6]", e.getMessage());
    }

    @Test
    void scaleMustBeFinite() {
        rejects("scale: expected a finite number, got NaN", b -> b.scale(Float.NaN));
        rejects("scale: expected a finite number, got Infinity", b -> b.scale(Float.POSITIVE_INFINITY));
    }

    @Test
    void keyLengthsMustHaveOneEntryPerBatchWithinRange() {
        rejects("keyLengths: expected [B]=[2], got [3]", b -> b.keyLengths(new int[] {1, 2, 3}));
        rejects("keyLengths[1]: expected 0..7 (Nk), got 8", b -> b.keyLengths(new int[] {7, 8}));
        rejects("keyLengths[0]: expected 0..7 (Nk), got -1", b -> b.keyLengths(new int[] {-1, 2}));
    }

    @Test
    void maskMustBroadcast() {
        rejects("mask: expected shape broadcastable to [B,Hq,Nq,Nk]=[2, 4, 5, 7], got [5, 6]",
                b -> b.mask(new boolean[30], 5, 6));
        rejects("mask: expected rank <= 4 broadcastable to [B,Hq,Nq,Nk]=[2, 4, 5, 7], got shape [1, 2, 4, 5, 7]",
                b -> b.mask(new boolean[280], 1, 2, 4, 5, 7));
        rejects("mask: shape [5, 7] needs 35 elements, got 34", b -> b.mask(new boolean[34], 5, 7));
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
        assertEquals("weights P [B,Hq,Nq,Nk]: 2500000000 elements do not fit a Java array (max 2147483639)",
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
