package dev.clattn.tune;

import dev.clattn.AttentionRequest;
import dev.clattn.AttentionResult;
import dev.clattn.KvCache;
import dev.clattn.Shape;

/**
 * Decode steps from a paged KV cache, for {@code clattn bench --paths kv-cache} and for tuning attention_paged:
 * the request's B sequences held in a cache of {@code block}-token blocks (their first Nk − 1 tokens appended
 * once, untimed); a step appends one token's K and V to every sequence in one append and attends with the
 * request's query, Nq = 1. The first step attends over exactly the request's Nk keys (check it against
 * float64); each later step holds one key more.
 */
public final class DecodeSteps implements AutoCloseable {
    /** The bench's block size. */
    public static final int BLOCK = 16;

    private final KvCache cache;
    private final int[] seqs;
    private final float[] stepK;
    private final float[] stepV;
    private final float[] q;
    private final int queryHeads;

    /** @param steps the steps the cache must hold room for */
    public DecodeSteps(dev.clattn.Attention attention, AttentionRequest r, int steps, int block) {
        Shape s = r.shape();
        if (s.queryLen() != 1) {
            throw new IllegalArgumentException("decode steps: expected decode shapes (Nq = 1), got " + s);
        }
        int perSeq = (s.keyLen() + steps + block - 1) / block;
        cache = attention.kvCache(new KvCache.Layout(s.kvHeads(), s.headDim(), s.valueDim(), block,
                perSeq * s.batch()));
        float[] k = r.k().toArray();
        float[] v = r.v().toArray();
        int nk = s.keyLen();
        seqs = new int[s.batch()];
        stepK = new float[s.batch() * s.kvHeads() * s.headDim()];
        stepV = new float[s.batch() * s.kvHeads() * s.valueDim()];
        for (int b = 0; b < s.batch(); b++) {
            seqs[b] = cache.create();
            float[][] prefix = tokens(k, v, s, b, 0, nk - 1);
            if (nk > 1) {
                cache.append(seqs[b], prefix[0], prefix[1]);
            }
            float[][] last = tokens(k, v, s, b, nk - 1, 1);
            System.arraycopy(last[0], 0, stepK, b * last[0].length, last[0].length);
            System.arraycopy(last[1], 0, stepV, b * last[1].length, last[1].length);
        }
        q = r.q().toArray();
        queryHeads = s.queryHeads();
    }

    /** Tokens [t0, t0 + n) of sequence b, as [Hk][n][D] and [Hk][n][Dv]. */
    private static float[][] tokens(float[] k, float[] v, Shape s, int b, int t0, int n) {
        float[] kk = new float[s.kvHeads() * n * s.headDim()];
        float[] vv = new float[s.kvHeads() * n * s.valueDim()];
        for (int h = 0; h < s.kvHeads(); h++) {
            long row = (long) (b * s.kvHeads() + h) * s.keyLen() + t0;
            System.arraycopy(k, (int) (row * s.headDim()), kk, h * n * s.headDim(), n * s.headDim());
            System.arraycopy(v, (int) (row * s.valueDim()), vv, h * n * s.valueDim(), n * s.valueDim());
        }
        return new float[][] {kk, vv};
    }

    /** One decode step: a token appended to every sequence in one append, then attention with one query each. */
    public AttentionResult step() {
        cache.append(seqs, stepK, stepV);
        return cache.attend(seqs, q, queryHeads, 1);
    }

    public long bytesHeld() {
        return cache.bytesHeld();
    }

    @Override
    public void close() {
        cache.close();
    }
}
