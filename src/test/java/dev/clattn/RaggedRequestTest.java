package dev.clattn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.clattn.testing.Data;
import dev.clattn.testing.Naive;
import dev.clattn.testing.Tolerance;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Ragged batches on both backends: each sequence's rows of the packed output are the naive float64 answer of
 * that sequence alone (packed data read here into a dense [1, H, N, D] request of the test's own), with GQA,
 * both causal alignments, a sequence without keys (exactly 0) and one without queries.
 */
class RaggedRequestTest {
    private static final int HQ = 4;
    private static final int HK = 2;
    private static final int D = 6;
    private static final int DV = 5;

    /** Rows [from, to) of packed [total, H, W] data, as [1, H, to - from, W]. */
    private static float[] dense(float[] packed, int from, int to, int heads, int w) {
        float[] out = new float[(to - from) * heads * w];
        for (int t = from; t < to; t++) {
            for (int h = 0; h < heads; h++) {
                System.arraycopy(packed, (t * heads + h) * w, out, (h * (to - from) + t - from) * w, w);
            }
        }
        return out;
    }

    @Test
    void everySequenceGetsItsOwnDenseAnswer() {
        int[] cuQ = {0, 5, 5, 6, 23, 26};
        int[] cuK = {0, 9, 13, 13, 30, 33};
        Random rnd = new Random(21);
        float[] q = Data.gaussian(rnd, (long) cuQ[5] * HQ * D, 1);
        float[] k = Data.gaussian(rnd, (long) cuK[5] * HK * D, 1);
        float[] v = Data.gaussian(rnd, (long) cuK[5] * HK * DV, 1);
        for (BackendKind kind : new BackendKind[] {BackendKind.CPU, BackendKind.AUTO}) {
            for (Causal causal : Causal.values()) {
                try (Attention engine = Attention.open(Config.builderFromEnvironment().backend(kind).build())) {
                    float[] out = engine.computeRagged(RaggedRequest.builder(HQ, HK, D, DV).q(q).k(k).v(v)
                            .cuSeqlensQ(cuQ).cuSeqlensK(cuK).causal(causal).scale(0.4f).build());
                    for (int b = 0; b < 5; b++) {
                        int nq = cuQ[b + 1] - cuQ[b];
                        int nk = cuK[b + 1] - cuK[b];
                        float[] got = dense(out, cuQ[b], cuQ[b + 1], HQ, DV);
                        String at = kind + " " + causal + " sequence " + b;
                        if (nk == 0) {
                            assertEquals(nq * HQ * DV, got.length);
                            for (float x : got) {
                                assertEquals(0f, x, at + ": no key, exactly 0");
                            }
                            continue;
                        }
                        if (nq == 0) {
                            continue;
                        }
                        AttentionRequest r = AttentionRequest.builder(new Shape(1, HQ, HK, nq, nk, D, DV))
                                .q(dense(q, cuQ[b], cuQ[b + 1], HQ, D)).k(dense(k, cuK[b], cuK[b + 1], HK, D))
                                .v(dense(v, cuK[b], cuK[b + 1], HK, DV)).causal(causal).scale(0.4f).build();
                        Tolerance.check(at, got, new Naive(r, Naive.Precision.F64).attention().out(),
                                new Naive(r, Naive.Precision.F32).attention().out());
                    }
                }
            }
        }
    }

    @Test
    void badOffsetsAreNamed() {
        RaggedRequest.Builder b = RaggedRequest.builder(HQ, HK, D, DV).q(new float[3 * HQ * D])
                .k(new float[3 * HK * D]).v(new float[3 * HK * DV]);
        assertEquals("cuSeqlensQ: expected offsets starting at 0, got a first offset of 1", assertThrows(
                InvalidRequestException.class, () -> b.cuSeqlensQ(new int[] {1, 3}).cuSeqlensK(new int[] {0, 3})
                        .build()).getMessage());
        assertEquals("cuSeqlensK: expected non-decreasing offsets, got 2 then 1 at [2]", assertThrows(
                InvalidRequestException.class, () -> b.cuSeqlensQ(new int[] {0, 1, 3}).cuSeqlensK(new int[] {0, 2, 1})
                        .build()).getMessage());
        assertEquals("cuSeqlensK: expected 3 offsets like cuSeqlensQ, got 2", assertThrows(
                InvalidRequestException.class, () -> b.cuSeqlensQ(new int[] {0, 1, 3}).cuSeqlensK(new int[] {0, 3})
                        .build()).getMessage());
        assertEquals("k: expected " + 4 * HK * D + " floats (totalK·Hk·D), got " + 3 * HK * D + " floats",
                assertThrows(InvalidRequestException.class, () -> b.cuSeqlensQ(new int[] {0, 3})
                        .cuSeqlensK(new int[] {0, 4}).build()).getMessage());
    }
}
