package dev.clattn.cli;

import dev.clattn.AttentionRequest;
import dev.clattn.AttentionResult;
import dev.clattn.KvCache;
import dev.clattn.Shape;

/**
 * The kv-cache path of {@code clattn bench}: the request's B sequences held in a paged cache of 16-token blocks
 * (their first Nk − 1 tokens appended once, untimed); a step appends one token's K and V to every sequence and
 * attends with the request's query, Nq = 1. The first step attends over exactly the request's Nk keys (checked
 * against float64 like every path); each later step holds one key more.
 */
final class BenchKvCache implements AutoCloseable {
    static final int BLOCK = 16;

    private final KvCache cache;
    private final int[] seqs;
    private final float[] stepK;
    private final float[] stepV;
    private final float[] q;
    private final int queryHeads;

    /** @param steps the steps the cache must hold room for */
    BenchKvCache(dev.clattn.Attention attention, AttentionRequest r, int steps) {
        Shape s = r.shape();
        if (s.queryLen() != 1) {
            throw new IllegalArgumentException("--paths kv-cache: expected decode shapes (Nq = 1), got " + s);
        }
        int perSeq = (s.keyLen() + steps + BLOCK - 1) / BLOCK;
        cache = attention.kvCache(new KvCache.Layout(s.kvHeads(), s.headDim(), s.valueDim(), BLOCK,
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
    AttentionResult step() {
        cache.append(seqs, stepK, stepV);
        return cache.attend(seqs, q, queryHeads, 1);
    }

    long bytesHeld() {
        return cache.bytesHeld();
    }

    @Override
    public void close() {
        cache.close();
    }
}
