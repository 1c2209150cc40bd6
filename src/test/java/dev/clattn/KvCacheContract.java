package dev.clattn;

import dev.clattn.spi.Backend;
import dev.clattn.spi.KvStore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.testing.Data;
import dev.clattn.testing.Naive;
import dev.clattn.testing.Tolerance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The paged KV cache, on every backend that implements this with its own backend: through appends of awkward
 * lengths, forks, copy-on-write and frees, attention over the cache must be what one dense call over each
 * sequence's tokens gives (bottom-right causal for the new queries), against the naive float64 reference.
 */
public interface KvCacheContract {
    Backend kvBackend();

    private KvCache open(KvCache.Layout layout) {
        return new KvCache(layout, kvBackend().kvStore(layout));
    }

    /** The tokens a sequence holds, kept densely by the test: [Hk][L][D] and [Hk][L][Dv] as lists per head. */
    final class Dense {
        final List<List<float[]>> k = new ArrayList<>();
        final List<List<float[]>> v = new ArrayList<>();

        Dense(int heads) {
            for (int h = 0; h < heads; h++) {
                k.add(new ArrayList<>());
                v.add(new ArrayList<>());
            }
        }

        Dense copy() {
            Dense d = new Dense(k.size());
            for (int h = 0; h < k.size(); h++) {
                d.k.get(h).addAll(k.get(h));
                d.v.get(h).addAll(v.get(h));
            }
            return d;
        }

        int length() {
            return k.get(0).size();
        }

        void append(float[] kk, float[] vv, int d, int dv) {
            int heads = k.size();
            int tokens = kk.length / (heads * d);
            for (int h = 0; h < heads; h++) {
                for (int t = 0; t < tokens; t++) {
                    k.get(h).add(java.util.Arrays.copyOfRange(kk, (h * tokens + t) * d, (h * tokens + t + 1) * d));
                    v.get(h).add(java.util.Arrays.copyOfRange(vv, (h * tokens + t) * dv, (h * tokens + t + 1) * dv));
                }
            }
        }

        static float[] flat(List<List<float[]>> rows, int width) {
            int len = rows.get(0).size();
            float[] out = new float[rows.size() * len * width];
            for (int h = 0; h < rows.size(); h++) {
                for (int t = 0; t < len; t++) {
                    System.arraycopy(rows.get(h).get(t), 0, out, (h * len + t) * width, width);
                }
            }
            return out;
        }
    }

    /** Attends every sequence in one call and checks each against a dense naive call of its own. */
    private static void check(String what, KvCache cache, Map<Integer, Dense> model, int[] seqs, int hq, int nq,
            Random rnd) {
        KvCache.Layout l = cache.layout();
        float[] q = Data.gaussian(rnd, (long) seqs.length * hq * nq * l.headDim(), 1f);
        AttentionResult got = cache.attend(seqs, q, hq, nq, 0.3f, true);
        int rowOut = hq * nq * l.valueDim();
        for (int b = 0; b < seqs.length; b++) {
            Dense d = model.get(seqs[b]);
            Shape s = new Shape(1, hq, l.kvHeads(), nq, d.length(), l.headDim(), l.valueDim());
            AttentionRequest r = AttentionRequest.builder(s)
                    .q(java.util.Arrays.copyOfRange(q, b * hq * nq * l.headDim(), (b + 1) * hq * nq * l.headDim()))
                    .k(Dense.flat(d.k, l.headDim())).v(Dense.flat(d.v, l.valueDim())).scale(0.3f)
                    .causal(Causal.BOTTOM_RIGHT).returnLse(true).build();
            Naive.Result f64 = new Naive(r, Naive.Precision.F64).attention();
            Naive.Result f32 = new Naive(r, Naive.Precision.F32).attention();
            String at = what + ", sequence " + seqs[b] + " (L=" + d.length() + ")";
            Tolerance.check(at + " output", java.util.Arrays.copyOfRange(got.output(), b * rowOut, (b + 1) * rowOut),
                    f64.out(), f32.out());
            Tolerance.check(at + " lse", java.util.Arrays.copyOfRange(got.lse(), b * hq * nq, (b + 1) * hq * nq),
                    f64.lse(), f32.lse());
        }
    }

    private static void append(KvCache cache, Map<Integer, Dense> model, int seq, int tokens, Random rnd) {
        KvCache.Layout l = cache.layout();
        float[] k = Data.gaussian(rnd, (long) l.kvHeads() * tokens * l.headDim(), 1f);
        float[] v = Data.gaussian(rnd, (long) l.kvHeads() * tokens * l.valueDim(), 1f);
        cache.append(seq, k, v);
        model.get(seq).append(k, v, l.headDim(), l.valueDim());
    }

    /** One append for several sequences: [B, Hk, tokens, ..] split per sequence in the test's model. */
    private static void appendBatch(KvCache cache, Map<Integer, Dense> model, int[] seqs, int tokens, Random rnd) {
        KvCache.Layout l = cache.layout();
        int rowK = l.kvHeads() * tokens * l.headDim();
        int rowV = l.kvHeads() * tokens * l.valueDim();
        float[] k = Data.gaussian(rnd, (long) seqs.length * rowK, 1f);
        float[] v = Data.gaussian(rnd, (long) seqs.length * rowV, 1f);
        cache.append(seqs, k, v);
        for (int g = 0; g < seqs.length; g++) {
            model.get(seqs[g]).append(java.util.Arrays.copyOfRange(k, g * rowK, (g + 1) * rowK),
                    java.util.Arrays.copyOfRange(v, g * rowV, (g + 1) * rowV), l.headDim(), l.valueDim());
        }
    }

    /** Batched decode steps over sequences of different lengths, one a fork sharing a partly filled block. */
    @Test
    default void batchedAppendsGiveTheDenseAnswer() {
        Random rnd = new Random(14);
        try (KvCache cache = open(new KvCache.Layout(2, 16, 12, 4, 64))) {
            Map<Integer, Dense> model = new HashMap<>();
            int a = cache.create();
            int b = cache.create();
            model.put(a, new Dense(2));
            model.put(b, new Dense(2));
            append(cache, model, a, 6, rnd);
            append(cache, model, b, 1, rnd);
            int f = cache.fork(a);
            model.put(f, model.get(a).copy());
            for (int step = 0; step < 5; step++) {
                appendBatch(cache, model, new int[] {b, a, f}, 1, rnd);
            }
            appendBatch(cache, model, new int[] {f, b}, 3, rnd);
            check("batched steps", cache, model, new int[] {a, b, f}, 4, 1, rnd);
            assertEquals("seqs: expected distinct sequence ids, got [" + a + ", " + a + "]", assertThrows(
                    InvalidRequestException.class, () -> cache.append(new int[] {a, a}, new float[64], new float[48]))
                    .getMessage());
        }
    }

    /** Prefill, decode steps, a fork that shares a partly filled block, then diverging appends and frees. */
    @Test
    default void appendsForksAndFreesGiveTheDenseAnswer() {
        Random rnd = new Random(11);
        KvCache.Layout layout = new KvCache.Layout(2, 24, 20, 5, 64);
        try (KvCache cache = open(layout)) {
            Map<Integer, Dense> model = new HashMap<>();
            int a = cache.create();
            int b = cache.create();
            model.put(a, new Dense(2));
            model.put(b, new Dense(2));
            append(cache, model, a, 13, rnd);
            append(cache, model, b, 1, rnd);
            check("prefill", cache, model, new int[] {a, b}, 6, 1, rnd);
            for (int step = 0; step < 6; step++) {
                append(cache, model, a, 1, rnd);
                append(cache, model, b, 1, rnd);
            }
            check("decode, GQA 3", cache, model, new int[] {b, a}, 6, 1, rnd);
            int used = cache.blocksInUse();
            int f = cache.fork(a);
            model.put(f, model.get(a).copy());
            assertEquals(used, cache.blocksInUse(), "a fork shares every block");
            append(cache, model, f, 3, rnd);
            append(cache, model, a, 2, rnd);
            assertEquals(19 + 2, cache.length(a));
            check("after the fork, copy on write", cache, model, new int[] {a, f, b}, 2, 3, rnd);
            cache.free(a);
            model.remove(a);
            check("after freeing the original", cache, model, new int[] {f, b}, 4, 2, rnd);
            cache.free(f);
            cache.free(b);
            assertEquals(0, cache.blocksInUse());
        }
    }

    /**
     * Long sequences of different lengths, so that the device splits the keys, and many query rows; blocks of 16
     * (OpenCL on a CPU: attention_paged_vec) and of 7 (attention_paged, the GPU kernel, on every device).
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "block {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {16, 7})
    default void longSequencesAndManyQueriesGiveTheDenseAnswer(int block) {
        Random rnd = new Random(12);
        KvCache.Layout layout = new KvCache.Layout(1, 64, 64, block, 3200 / block + 3);
        try (KvCache cache = open(layout)) {
            Map<Integer, Dense> model = new HashMap<>();
            int[] seqs = new int[3];
            int[] lengths = {1025, 97, 1700};
            for (int x = 0; x < 3; x++) {
                seqs[x] = cache.create();
                model.put(seqs[x], new Dense(1));
                append(cache, model, seqs[x], lengths[x], rnd);
            }
            check("MQA, 8 query heads, 1 query", cache, model, seqs, 8, 1, rnd);
            check("MQA, 2 query heads, 17 queries", cache, model, seqs, 2, 17, rnd);
        }
    }

    /** A NaN in a key a row sees makes that row NaN, on every kernel, whether or not finite keys came first. */
    @Test
    default void aNanKeyMakesTheRowsThatSeeItNan() {
        for (int block : new int[] {16, 5}) {
            try (KvCache cache = open(new KvCache.Layout(1, 4, 4, block, 8))) {
                int a = cache.create();
                float[] k = {Float.NaN, 1, 1, 1, 1, 2, 3, 4};
                cache.append(a, k, new float[] {1, 1, 1, 1, 2, 2, 2, 2});
                float[] out = cache.attend(new int[] {a}, new float[] {1, 1, 1, 1, 1, 1, 1, 1}, 1, 2).output();
                for (int c = 0; c < 8; c++) {
                    assertTrue(Float.isNaN(out[c]), "block " + block + ": both queries see the NaN key, O[" + c
                            + "] = " + out[c]);
                }
            }
        }
    }

    /** A store that fails leaves every sequence as it was, and every block where it was. */
    @Test
    default void anAppendWhoseWriteFailsChangesNothing() {
        KvCache.Layout layout = new KvCache.Layout(1, 2, 2, 4, 6);
        KvStore inner = kvBackend().kvStore(layout);
        boolean[] fail = {false};
        KvStore failing = new KvStore() {
            public void write(int[] blocks, int[] slots, float[] k, float[] v, int tokens) {
                if (fail[0]) {
                    throw new IllegalStateException("write refused");
                }
                inner.write(blocks, slots, k, v, tokens);
            }

            public void copy(int from, int to, int slots) {
                inner.copy(from, to, slots);
            }

            public AttentionResult attend(int[] tables, int maxBlocks, int[] lengths, float[] q, int hq, int nq,
                    float scale, boolean lse) {
                return inner.attend(tables, maxBlocks, lengths, q, hq, nq, scale, lse);
            }

            public long bytesHeld() {
                return inner.bytesHeld();
            }

            public void close() {
                inner.close();
            }
        };
        Random rnd = new Random(15);
        try (KvCache cache = new KvCache(layout, failing)) {
            Map<Integer, Dense> model = new HashMap<>();
            int a = cache.create();
            model.put(a, new Dense(1));
            append(cache, model, a, 6, rnd);
            int f = cache.fork(a);
            model.put(f, model.get(a).copy());
            int used = cache.blocksInUse();
            fail[0] = true;
            assertThrows(IllegalStateException.class, () -> cache.append(new int[] {a, f}, new float[2 * 2 * 5],
                    new float[2 * 2 * 5]));
            fail[0] = false;
            assertEquals(6, cache.length(a));
            assertEquals(6, cache.length(f));
            assertEquals(used, cache.blocksInUse(), "the blocks taken for the failed append are back");
            // Both share a half-filled tail: one copy is needed for the two, and the pool has the blocks for it.
            appendBatch(cache, model, new int[] {a, f}, 5, rnd);
            check("after the failed append", cache, model, new int[] {a, f}, 1, 2, rnd);
        }
    }

    @Test
    default void runningOutOfBlocksIsAnErrorThatChangesNothing() {
        Random rnd = new Random(13);
        try (KvCache cache = open(new KvCache.Layout(1, 4, 4, 4, 3))) {
            Map<Integer, Dense> model = new HashMap<>();
            int a = cache.create();
            model.put(a, new Dense(1));
            append(cache, model, a, 10, rnd);
            int f = cache.fork(a);
            model.put(f, model.get(a).copy());
            KvCache.OutOfBlocksException e = assertThrows(KvCache.OutOfBlocksException.class,
                    () -> cache.append(a, new float[4 * 3], new float[4 * 3]));
            assertTrue(e.getMessage().startsWith("KV cache: 2 more blocks needed, 0 of 3 free"), e.getMessage());
            assertEquals(10, cache.length(a));
            assertEquals(3, cache.blocksInUse());
            check("after the refused append", cache, model, new int[] {a, f}, 1, 2, rnd);
        }
    }

    @Test
    default void badCallsNameTheirArgument() {
        try (KvCache cache = open(new KvCache.Layout(2, 4, 3, 4, 8))) {
            int a = cache.create();
            assertEquals("k: expected a positive multiple of Hk·D = 8 floats, got 12 floats",
                    assertThrows(InvalidRequestException.class, () -> cache.append(a, new float[12], new float[6]))
                            .getMessage());
            assertEquals("v: expected 6 floats (Hk·tokens·Dv, tokens = 1), got 8 floats",
                    assertThrows(InvalidRequestException.class, () -> cache.append(a, new float[8], new float[8]))
                            .getMessage());
            cache.append(a, new float[8], new float[6]);
            assertEquals("queries: expected at most the length of sequence " + a + " (1): append the new tokens' keys "
                    + "and values first, got 2", assertThrows(InvalidRequestException.class,
                            () -> cache.attend(new int[] {a}, new float[2 * 2 * 4], 2, 2)).getMessage());
            assertEquals("queryHeads: expected a positive multiple of the cache's Hk = 2, got 3",
                    assertThrows(InvalidRequestException.class,
                            () -> cache.attend(new int[] {a}, new float[3 * 4], 3, 1)).getMessage());
            assertEquals("seq: expected the id of a live sequence of this cache, got 99",
                    assertThrows(InvalidRequestException.class, () -> cache.fork(99)).getMessage());
            assertEquals("blocks: expected >= 1, got 0", assertThrows(InvalidRequestException.class,
                    () -> new KvCache.Layout(1, 1, 1, 1, 0)).getMessage());
        }
    }
}
