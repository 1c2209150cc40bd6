package dev.clattn;

/**
 * The problem shape: Q [B,Hq,Nq,D], K [B,Hk,Nk,D], V [B,Hk,Nk,Dv], O [B,Hq,Nq,Dv].
 * Query head h reads key/value head h / (Hq / Hk), which covers multi-head, grouped-query and multi-query attention.
 */
public record Shape(int batch, int queryHeads, int kvHeads, int queryLen, int keyLen, int headDim, int valueDim) {

    public Shape {
        positive("batch (B)", batch);
        positive("queryHeads (Hq)", queryHeads);
        positive("kvHeads (Hk)", kvHeads);
        positive("queryLen (Nq)", queryLen);
        positive("keyLen (Nk)", keyLen);
        positive("headDim (D)", headDim);
        positive("valueDim (Dv)", valueDim);
        if (queryHeads % kvHeads != 0) {
            throw new IllegalArgumentException("kvHeads: Hq=" + queryHeads
                    + " must be a multiple of Hk=" + kvHeads);
        }
    }

    /** Self-attention: one head count, one sequence length, Dv = D. */
    public static Shape of(int batch, int heads, int seqLen, int headDim) {
        return new Shape(batch, heads, heads, seqLen, seqLen, headDim, headDim);
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": expected >= 1, got " + value);
        }
    }

    /** Query heads sharing one key/value head. */
    public int group() {
        return queryHeads / kvHeads;
    }

    /** Number of (batch, query head) pairs. */
    public int heads() {
        return batch * queryHeads;
    }

    public long qElements() {
        return (long) batch * queryHeads * queryLen * headDim;
    }

    public long kElements() {
        return (long) batch * kvHeads * keyLen * headDim;
    }

    public long vElements() {
        return (long) batch * kvHeads * keyLen * valueDim;
    }

    public long outElements() {
        return (long) batch * queryHeads * queryLen * valueDim;
    }

    public long scoreElements() {
        return (long) batch * queryHeads * queryLen * keyLen;
    }

    public long lseElements() {
        return (long) batch * queryHeads * queryLen;
    }

    /** Floating-point operations of the unmasked forward pass: 4·B·Hq·Nq·Nk·D (Q·Kᵀ and P·V, Dv = D). */
    public double flops() {
        return 2.0 * batch * queryHeads * queryLen * keyLen * ((double) headDim + valueDim);
    }

    /** Default softmax scale 1/√D. */
    public float defaultScale() {
        return (float) (1.0 / Math.sqrt(headDim));
    }

    @Override
    public String toString() {
        return "B=" + batch + " Hq=" + queryHeads + " Hk=" + kvHeads + " Nq=" + queryLen + " Nk=" + keyLen
                + " D=" + headDim + " Dv=" + valueDim;
    }
}
