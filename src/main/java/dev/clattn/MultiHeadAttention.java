package dev.clattn;

/**
 * A multi-head attention layer with the semantics and weight layout of PyTorch's
 * {@code nn.MultiheadAttention(embed_dim, num_heads, batch_first=True)} at inference (no dropout): Q = query·W_qᵀ
 * + b_q, K = key·W_kᵀ + b_k, V = value·W_vᵀ + b_v, split into heads of E/H, attention with scale 1/√(E/H), heads
 * concatenated, then out_proj. W_q, W_k, W_v are the rows [0, E), [E, 2E) and [2E, 3E) of {@code in_proj_weight}
 * [3E, E] (and likewise {@code in_proj_bias}), or separate weights when kdim or vdim differ from E. Beyond
 * PyTorch: fewer key/value heads (grouped-query attention), with W_k [Hk·E/H, kdim]. A row with no key to attend
 * to outputs 0 (PyTorch gives NaN). Immutable; the weights are copied. Every product runs on the engine.
 */
public final class MultiHeadAttention {
    private final int embed;
    private final int heads;
    private final int kvHeads;
    private final int kdim;
    private final int vdim;
    private final float[] wq;
    private final float[] bq;
    private final float[] wk;
    private final float[] bk;
    private final float[] wv;
    private final float[] bv;
    private final float[] wo;
    private final float[] bo;

    private MultiHeadAttention(Builder b) {
        this.embed = b.embed;
        this.heads = b.heads;
        this.kvHeads = b.kvHeads;
        this.kdim = b.kdim;
        this.vdim = b.vdim;
        int kv = kvHeads * (embed / heads);
        if (b.inProj != null) {
            if (b.wk != null || b.wv != null || b.wq != null) {
                throw new InvalidRequestException("in_proj_weight", "either in_proj_weight or q/k/v_proj_weight",
                        "both");
            }
            if (kdim != embed || vdim != embed || kvHeads != heads) {
                throw new InvalidRequestException("in_proj_weight", "kdim = vdim = embed_dim and as many key/value "
                        + "heads as heads (else separate q/k/v_proj_weight)", "kdim " + kdim + ", vdim " + vdim
                        + ", " + kvHeads + " key/value heads");
            }
            float[] w = check("in_proj_weight", b.inProj, 3 * embed * embed);
            float[] bias = b.inBias == null ? new float[3 * embed] : check("in_proj_bias", b.inBias, 3 * embed);
            int block = embed * embed;
            this.wq = java.util.Arrays.copyOfRange(w, 0, block);
            this.wk = java.util.Arrays.copyOfRange(w, block, 2 * block);
            this.wv = java.util.Arrays.copyOfRange(w, 2 * block, 3 * block);
            this.bq = java.util.Arrays.copyOfRange(bias, 0, embed);
            this.bk = java.util.Arrays.copyOfRange(bias, embed, 2 * embed);
            this.bv = java.util.Arrays.copyOfRange(bias, 2 * embed, 3 * embed);
        } else {
            this.wq = check("q_proj_weight", b.wq, embed * embed);
            this.wk = check("k_proj_weight", b.wk, kv * kdim);
            this.wv = check("v_proj_weight", b.wv, kv * vdim);
            this.bq = b.bq == null ? new float[embed] : check("q_proj_bias", b.bq, embed);
            this.bk = b.bk == null ? new float[kv] : check("k_proj_bias", b.bk, kv);
            this.bv = b.bv == null ? new float[kv] : check("v_proj_bias", b.bv, kv);
        }
        this.wo = check("out_proj.weight", b.wo, embed * embed);
        this.bo = b.bo == null ? new float[embed] : check("out_proj.bias", b.bo, embed);
    }

    /** A copy of weights of this length, all finite. */
    private static float[] check(String name, float[] a, long n) {
        checkInput(name, a, n);
        return a.clone();
    }

    /** Refuses an array of another length or with a non-finite value; read where it is, not copied. */
    private static void checkInput(String name, float[] a, long n) {
        if (a == null || a.length != n) {
            throw new InvalidRequestException(name, n + " floats", a == null ? "null" : a.length + " floats");
        }
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i])) {
                throw new InvalidRequestException(name, "finite weights", a[i] + " at [" + i + "]");
            }
        }
    }

    /**
     * Vaswani et al.'s sinusoidal positional encoding [len, E] to add to the inputs: PE(p, 2i) = sin(p / 10000^(2i/E))
     * and PE(p, 2i + 1) = cos(p / 10000^(2i/E)), computed in float64 and rounded once.
     */
    public static float[] sinusoidal(int len, int embedDim) {
        if (len < 1 || embedDim < 1) {
            throw new InvalidRequestException("len", "len and embed_dim >= 1", len + " and " + embedDim);
        }
        float[] pe = HostMemory.floats("positional encoding", (long) len * embedDim);
        for (int p = 0; p < len; p++) {
            for (int e = 0; e < embedDim; e++) {
                double angle = p / Math.pow(10000, (double) (e - e % 2) / embedDim);
                pe[p * embedDim + e] = (float) (e % 2 == 0 ? Math.sin(angle) : Math.cos(angle));
            }
        }
        return pe;
    }

    /** A layer of embed_dim E and H heads (E a multiple of H). */
    public static Builder builder(int embedDim, int numHeads) {
        return new Builder(embedDim, numHeads);
    }

    public int embedDim() {
        return embed;
    }

    public int numHeads() {
        return heads;
    }

    /** The layer's output [B, Nq, E] and, when asked, the weights averaged over heads [B, Nq, Nk]. */
    public record Result(float[] output, float[] weights) {
    }

    /**
     * One call: query [B, Nq, E], key [B, Nk, kdim] and value [B, Nk, vdim] (batch first; self-attention passes
     * the same array thrice). {@code options} carries the masks and whether to return the weights.
     */
    public Result forward(Attention engine, float[] query, float[] key, float[] value, int batch, int queryLen,
            int keyLen, MhaOptions options) {
        MhaOptions o = options == null ? MhaOptions.none() : options;
        if (batch < 1 || queryLen < 1 || keyLen < 1) {
            throw new InvalidRequestException("shape", "B, Nq, Nk >= 1", batch + ", " + queryLen + ", " + keyLen);
        }
        checkInput("query", query, (long) batch * queryLen * embed);
        checkInput("key", key, (long) batch * keyLen * kdim);
        checkInput("value", value, (long) batch * keyLen * vdim);
        int dh = embed / heads;
        float[] q = engine.computeLinear(new Linear(query, batch * queryLen, embed, wq, embed, bq));
        float[] k = engine.computeLinear(new Linear(key, batch * keyLen, kdim, wk, kvHeads * dh, bk));
        float[] v = engine.computeLinear(new Linear(value, batch * keyLen, vdim, wv, kvHeads * dh, bv));
        Shape s = new Shape(batch, heads, kvHeads, queryLen, keyLen, dh, dh);
        AttentionRequest.Builder b = AttentionRequest.builder(s).q(q).k(k).v(v).layout(Layout.BNHD)
                .causal(o.causal() ? Causal.TOP_LEFT : Causal.NONE).returnWeights(o.needWeights()).rope(o.rope());
        o.applyMasks(b, batch, heads, queryLen, keyLen);
        AttentionResult r = engine.compute(b.build());
        float[] out = engine.computeLinear(new Linear(r.output(), batch * queryLen, embed, wo, embed, bo));
        float[] avg = null;
        if (o.needWeights()) {
            avg = new float[batch * queryLen * keyLen];
            for (int bb = 0; bb < batch; bb++) {
                for (int h = 0; h < heads; h++) {
                    int from = (bb * heads + h) * queryLen * keyLen;
                    for (int x = 0; x < queryLen * keyLen; x++) {
                        avg[bb * queryLen * keyLen + x] += r.weights()[from + x] / heads;
                    }
                }
            }
        }
        return new Result(out, avg);
    }

    /** Builder; {@link #build()} checks every weight's length. */
    public static final class Builder {
        private final int embed;
        private final int heads;
        private int kvHeads;
        private int kdim;
        private int vdim;
        private float[] inProj;
        private float[] inBias;
        private float[] wq;
        private float[] bq;
        private float[] wk;
        private float[] bk;
        private float[] wv;
        private float[] bv;
        private float[] wo;
        private float[] bo;

        private Builder(int embed, int heads) {
            if (embed < 1 || heads < 1 || embed % heads != 0) {
                throw new InvalidRequestException("num_heads", "a divisor of embed_dim = " + embed, String.valueOf(
                        heads));
            }
            this.embed = embed;
            this.heads = heads;
            this.kvHeads = heads;
            this.kdim = embed;
            this.vdim = embed;
        }

        /** Key/value heads (default H): a divisor of H, for grouped-query attention. */
        public Builder kvHeads(int n) {
            if (n < 1 || heads % n != 0) {
                throw new InvalidRequestException("kv_heads", "a divisor of num_heads = " + heads, String.valueOf(n));
            }
            this.kvHeads = n;
            return this;
        }

        /** The key's and value's feature sizes (default E). */
        public Builder kdim(int kdim, int vdim) {
            if (kdim < 1 || vdim < 1) {
                throw new InvalidRequestException("kdim", "kdim and vdim >= 1", kdim + " and " + vdim);
            }
            this.kdim = kdim;
            this.vdim = vdim;
            return this;
        }

        /** in_proj_weight [3E, E] and in_proj_bias [3E] (null: none). */
        public Builder inProj(float[] weight, float[] bias) {
            this.inProj = weight;
            this.inBias = bias;
            return this;
        }

        /** q_proj_weight [E, E], k_proj_weight [Hk·E/H, kdim], v_proj_weight [Hk·E/H, vdim] and their biases. */
        public Builder separateProj(float[] q, float[] qBias, float[] k, float[] kBias, float[] v, float[] vBias) {
            this.wq = q;
            this.bq = qBias;
            this.wk = k;
            this.bk = kBias;
            this.wv = v;
            this.bv = vBias;
            return this;
        }

        /** out_proj.weight [E, E] and out_proj.bias [E] (null: none). */
        public Builder outProj(float[] weight, float[] bias) {
            this.wo = weight;
            this.bo = bias;
            return this;
        }

        public MultiHeadAttention build() {
            return new MultiHeadAttention(this);
        }
    }
}
