package dev.clattn;

import java.nio.FloatBuffer;

/**
 * Attention over a batch of sequences of different lengths packed without padding, FlashAttention's varlen
 * form: Q [totalQ, Hq, D], K [totalK, Hk, D] and V [totalK, Hk, Dv], token-major, with sequence b's queries at
 * rows [cuQ[b], cuQ[b+1]) and its keys at [cuK[b], cuK[b+1]); O is [totalQ, Hq, Dv]. Each sequence attends only
 * to its own keys, with the causal alignment given (bottom-right, FlashAttention's, for prefill with a cached
 * prefix). Built by {@link #builder}; {@link Attention#computeRagged} runs it.
 */
public final class RaggedRequest {
    private final int queryHeads;
    private final int kvHeads;
    private final int headDim;
    private final int valueDim;
    private final FloatBuffer q;
    private final FloatBuffer k;
    private final FloatBuffer v;
    private final int[] cuQ;
    private final int[] cuK;
    private final Causal causal;
    private final Float scale;

    private RaggedRequest(Builder b) {
        if (b.queryHeads < 1 || b.kvHeads < 1 || b.queryHeads % b.kvHeads != 0) {
            throw new InvalidRequestException("kvHeads", "a divisor of Hq=" + b.queryHeads + ", both >= 1",
                    "Hq=" + b.queryHeads + " Hk=" + b.kvHeads);
        }
        if (b.headDim < 1 || b.valueDim < 1) {
            throw new InvalidRequestException("headDim", "D and Dv >= 1", "D=" + b.headDim + " Dv=" + b.valueDim);
        }
        this.queryHeads = b.queryHeads;
        this.kvHeads = b.kvHeads;
        this.headDim = b.headDim;
        this.valueDim = b.valueDim;
        this.cuQ = offsets("cuSeqlensQ", b.cuQ, -1);
        this.cuK = offsets("cuSeqlensK", b.cuK, cuQ.length);
        this.q = data("q", b.q, (long) cuQ[cuQ.length - 1] * queryHeads * headDim, "totalQ·Hq·D");
        this.k = data("k", b.k, (long) cuK[cuK.length - 1] * kvHeads * headDim, "totalK·Hk·D");
        this.v = data("v", b.v, (long) cuK[cuK.length - 1] * kvHeads * valueDim, "totalK·Hk·Dv");
        this.causal = b.causal;
        this.scale = b.scale;
    }

    private static int[] offsets(String name, int[] cu, int length) {
        if (cu == null || cu.length < 2) {
            throw new InvalidRequestException(name, "B + 1 >= 2 offsets", cu == null ? "null" : cu.length + "");
        }
        if (length >= 0 && cu.length != length) {
            throw new InvalidRequestException(name, length + " offsets like cuSeqlensQ", cu.length + "");
        }
        if (cu[0] != 0) {
            throw new InvalidRequestException(name, "offsets starting at 0", "a first offset of " + cu[0]);
        }
        for (int b = 1; b < cu.length; b++) {
            if (cu[b] < cu[b - 1]) {
                throw new InvalidRequestException(name, "non-decreasing offsets", cu[b - 1] + " then " + cu[b]
                        + " at [" + b + "]");
            }
        }
        return cu.clone();
    }

    private static FloatBuffer data(String name, FloatBuffer data, long expected, String what) {
        if (data == null || data.remaining() != expected) {
            throw new InvalidRequestException(name, expected + " floats (" + what + ")", data == null ? "none"
                    : data.remaining() + " floats");
        }
        return data.slice();
    }

    public static Builder builder(int queryHeads, int kvHeads, int headDim, int valueDim) {
        return new Builder(queryHeads, kvHeads, headDim, valueDim);
    }

    /** Sequences in the batch. */
    public int batch() {
        return cuQ.length - 1;
    }

    public int totalQueries() {
        return cuQ[cuQ.length - 1];
    }

    public int queryHeads() {
        return queryHeads;
    }

    public int valueDim() {
        return valueDim;
    }

    /** Sequence b as a dense [1, N, H, D] request over views of the packed data; null when it has no query. */
    AttentionRequest sequence(int b) {
        int nq = cuQ[b + 1] - cuQ[b];
        int nk = cuK[b + 1] - cuK[b];
        if (nq == 0 || nk == 0) {
            return null;
        }
        AttentionRequest.Builder r = AttentionRequest.builder(new Shape(1, queryHeads, kvHeads, nq, nk, headDim,
                valueDim)).layout(Layout.BNHD).causal(causal)
                .q(view(q, (long) cuQ[b] * queryHeads * headDim, (long) nq * queryHeads * headDim))
                .k(view(k, (long) cuK[b] * kvHeads * headDim, (long) nk * kvHeads * headDim))
                .v(view(v, (long) cuK[b] * kvHeads * valueDim, (long) nk * kvHeads * valueDim));
        if (scale != null) {
            r.scale(scale);
        }
        return r.build();
    }

    /** Rows [cuQ[b], cuQ[b+1]) of O, as floats of the packed output. */
    long outputOffset(int b) {
        return (long) cuQ[b] * queryHeads * valueDim;
    }

    long outputLength(int b) {
        return (long) (cuQ[b + 1] - cuQ[b]) * queryHeads * valueDim;
    }

    static FloatBuffer view(FloatBuffer data, long from, long count) {
        FloatBuffer d = data.duplicate();
        d.position(Math.toIntExact(from));
        d.limit(Math.toIntExact(from + count));
        return d.slice();
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private final int queryHeads;
        private final int kvHeads;
        private final int headDim;
        private final int valueDim;
        private FloatBuffer q;
        private FloatBuffer k;
        private FloatBuffer v;
        private int[] cuQ;
        private int[] cuK;
        private Causal causal = Causal.NONE;
        private Float scale;

        private Builder(int queryHeads, int kvHeads, int headDim, int valueDim) {
            this.queryHeads = queryHeads;
            this.kvHeads = kvHeads;
            this.headDim = headDim;
            this.valueDim = valueDim;
        }

        public Builder q(float[] packed) {
            this.q = packed == null ? null : FloatBuffer.wrap(packed);
            return this;
        }

        public Builder k(float[] packed) {
            this.k = packed == null ? null : FloatBuffer.wrap(packed);
            return this;
        }

        public Builder v(float[] packed) {
            this.v = packed == null ? null : FloatBuffer.wrap(packed);
            return this;
        }

        /** Query offsets per sequence, B + 1 of them from 0 (FlashAttention's cu_seqlens_q). */
        public Builder cuSeqlensQ(int[] offsets) {
            this.cuQ = offsets;
            return this;
        }

        /** Key offsets per sequence, B + 1 of them from 0 (FlashAttention's cu_seqlens_k). */
        public Builder cuSeqlensK(int[] offsets) {
            this.cuK = offsets;
            return this;
        }

        public Builder causal(Causal causal) {
            this.causal = causal == null ? Causal.NONE : causal;
            return this;
        }

        public Builder scale(float scale) {
            this.scale = scale;
            return this;
        }

        public RaggedRequest build() {
            return new RaggedRequest(this);
        }
    }
}
