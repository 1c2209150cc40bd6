package dev.clattn;

/**
 * The problem shape: Q [B,Hq,Nq,D], K [B,Hk,Nk,D], V [B,Hk,Nk,Dv], O [B,Hq,Nq,Dv].
 * Query head h reads key/value head h / (Hq / Hk), which covers multi-head, grouped-query and multi-query attention.
 * Dimension names in errors ({@link InvalidRequestException#argument()}): batch, queryHeads, kvHeads, queryLen,
 * keyLen, headDim, valueDim; {@code shape} when the dimensions together are too large.
 */
public record Shape(int batch, int queryHeads, int kvHeads, int queryLen, int keyLen, int headDim, int valueDim) {

    public Shape {
        positive("batch", batch);
        positive("queryHeads", queryHeads);
        positive("kvHeads", kvHeads);
        positive("queryLen", queryLen);
        positive("keyLen", keyLen);
        positive("headDim", headDim);
        positive("valueDim", valueDim);
        if (queryHeads % kvHeads != 0) {
            throw new InvalidRequestException("kvHeads", "a divisor of Hq=" + queryHeads, "Hk=" + kvHeads);
        }
        // Every element count below, and its size in bytes, must be exact: a count that wraps (2^64 is 0) would
        // pass every length check and reach the kernels as an empty or negative problem.
        try {
            long qHeads = Math.multiplyExact((long) batch, queryHeads);
            long kHeads = Math.multiplyExact((long) batch, kvHeads);
            long rows = Math.multiplyExact(qHeads, queryLen);
            Math.multiplyExact(Math.multiplyExact(rows, Math.max(Math.max(headDim, valueDim), keyLen)), 8L);
            Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(kHeads, keyLen), Math.max(headDim, valueDim)),
                    8L);
        } catch (ArithmeticException e) {
            throw new InvalidRequestException("shape",
                    "dimensions whose element counts (Q, K, V, O, scores) fit in 64 bits as bytes",
                    "B=" + batch + " Hq=" + queryHeads + " Hk=" + kvHeads + " Nq=" + queryLen + " Nk=" + keyLen
                            + " D=" + headDim + " Dv=" + valueDim + ", whose counts overflow 64 bits");
        }
    }

    /** The shape by name: {@code Shape.builder().queryHeads(32).kvHeads(8).queryLen(1).keyLen(4096).headDim(128)}. */
    public static ShapeBuilder builder() {
        return new ShapeBuilder();
    }

    /** Self-attention: one head count, one sequence length, Dv = D. */
    public static Shape of(int batch, int heads, int seqLen, int headDim) {
        return new Shape(batch, heads, heads, seqLen, seqLen, headDim, headDim);
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new InvalidRequestException(name, ">= 1", String.valueOf(value));
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
