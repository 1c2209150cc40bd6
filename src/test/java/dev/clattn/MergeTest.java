package dev.clattn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.clattn.testing.Case;
import dev.clattn.testing.Naive;
import dev.clattn.testing.Naive.Precision;
import dev.clattn.testing.Tolerance;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Attention#merge}: partial results over key blocks combine to the single-pass answer. */
class MergeTest {
    /** Keys [j0, j1) of a [B,Hk,Nk,width] tensor. */
    private static float[] keys(float[] x, Shape s, int width, int j0, int j1) {
        float[] out = new float[s.batch() * s.kvHeads() * (j1 - j0) * width];
        int o = 0;
        for (int bh = 0; bh < s.batch() * s.kvHeads(); bh++) {
            int from = (bh * s.keyLen() + j0) * width;
            System.arraycopy(x, from, out, o, (j1 - j0) * width);
            o += (j1 - j0) * width;
        }
        return out;
    }

    @Test
    void blocksMergeToTheSinglePass() {
        Shape s = new Shape(2, 4, 2, 13, 97, 16, 12);
        int[] lengths = {97, 30};
        AttentionRequest whole = Case.of("merge", s).keyLengths(lengths).request(false, true);
        int[] cuts = {0, 40, 41, 97};
        List<AttentionResult> parts = new ArrayList<>();
        try (Attention engine = Attention.open()) {
            for (int z = 0; z + 1 < cuts.length; z++) {
                int j0 = cuts[z];
                int j1 = cuts[z + 1];
                Shape block = new Shape(2, 4, 2, 13, j1 - j0, 16, 12);
                int[] blockLengths = new int[2];
                for (int b = 0; b < 2; b++) {
                    blockLengths[b] = Math.max(0, Math.min(lengths[b], j1) - j0);
                }
                parts.add(engine.compute(AttentionRequest.builder(block).q(whole.q().array())
                        .k(keys(whole.k().array(), s, 16, j0, j1)).v(keys(whole.v().array(), s, 12, j0, j1))
                        .scale(whole.scale()).keyLengths(blockLengths).returnLse(true).build()));
            }
        }
        assertEquals(Float.NEGATIVE_INFINITY, parts.get(1).lse()[4 * 13], "batch 1 sees no key of block 1");
        AttentionResult merged = Attention.merge(parts);
        Naive.Result f64 = new Naive(whole, Precision.F64).attention();
        Naive.Result f32 = new Naive(whole, Precision.F32).attention();
        Tolerance.check("merged O", merged.output(), f64.out(), f32.out());
        Tolerance.check("merged LSE", merged.lse(), f64.lse(), f32.lse());
    }

    @Test
    void partsMustCarryLseAndAgree() {
        assertEquals("parts: expected at least one partial result, got none",
                assertThrows(IllegalArgumentException.class, () -> Attention.merge(List.of())).getMessage());
        assertEquals("parts[0]: expected an LSE (compute it with returnLse(true)), got no LSE",
                assertThrows(IllegalArgumentException.class,
                        () -> Attention.merge(List.of(new AttentionResult(new float[4], null, null)))).getMessage());
        AttentionResult a = new AttentionResult(new float[6], null, new float[2]);
        AttentionResult b = new AttentionResult(new float[6], null, new float[3]);
        assertEquals("parts[1]: expected 2 rows of 3 outputs like parts[0], got 3 rows and 6 outputs",
                assertThrows(IllegalArgumentException.class, () -> Attention.merge(List.of(a, b))).getMessage());
    }

    @Test
    void aPartWithAnEmptyLseIsNamedNotDividedBy() {
        AttentionResult good = new AttentionResult(new float[6], null, new float[2]);
        InvalidRequestException first = assertThrows(InvalidRequestException.class,
                () -> Attention.merge(List.of(new AttentionResult(new float[0], null, new float[0]), good)));
        assertEquals("parts[0]", first.argument());
        assertEquals("0 LSE rows and 0 outputs", first.actual());
        InvalidRequestException second = assertThrows(InvalidRequestException.class,
                () -> Attention.merge(List.of(good, new AttentionResult(new float[0], null, new float[0]))));
        assertEquals("parts[1]", second.argument());
        assertEquals("parts[2]", assertThrows(InvalidRequestException.class,
                () -> Attention.merge(java.util.Arrays.asList(good, good, null))).argument());
    }

    @Test
    void emptyAndNaNParts() {
        float ninf = Float.NEGATIVE_INFINITY;
        AttentionResult empty = new AttentionResult(new float[] {0, 0}, null, new float[] {ninf});
        AttentionResult one = new AttentionResult(new float[] {1, 2}, null, new float[] {0.5f});
        AttentionResult merged = Attention.merge(List.of(empty, one, empty));
        assertEquals(1f, merged.output()[0]);
        assertEquals(2f, merged.output()[1]);
        assertEquals(0.5f, merged.lse()[0]);
        assertEquals(ninf, Attention.merge(List.of(empty, empty)).lse()[0]);
        AttentionResult nan = new AttentionResult(new float[] {Float.NaN, 0}, null, new float[] {Float.NaN});
        assertEquals(Float.NaN, Attention.merge(List.of(one, nan)).output()[1]);
    }
}
