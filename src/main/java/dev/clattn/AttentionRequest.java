package dev.clattn;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * One attention call, O = normalize(s(Q, K) + bias, hidden keys removed) · V, with the score s scale · Q·Kᵀ by
 * default ({@link Score}) and softmax as the normalisation ({@link Normalize}), validated when built: every
 * array length, mask and bias shape, key length and score weight is checked before any backend sees it.
 */
public final class AttentionRequest {
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final Shape shape;
    private final FloatData q;
    private final FloatData k;
    private final FloatData v;
    private final float scale;
    private final Causal causal;
    private final int[] keyLengths;
    private final int windowLeft;
    private final int windowRight;
    private final Edges edges;
    private final Broadcast<byte[]> mask;
    private final Broadcast<float[]> bias;
    private final boolean wantWeights;
    private final boolean wantLse;
    private final Storage storage;
    private final Layout layout;
    /** Rotary positions' base (0: none). */
    private final float rope;
    private final Score score;
    private final Normalize normalize;
    /** Whether Q and K are an additive score's projections ({@link #additiveAsDot}). */
    private final boolean projected;

    private AttentionRequest(Builder b) {
        Shape s = b.shape;
        this.shape = s;
        if (b.layout == Layout.BNHD) {
            this.q = require("q", b.q, s.qElements(), "[B,Nq,Hq,D]", s.batch(), s.queryLen(), s.queryHeads(),
                    s.headDim());
            this.k = require("k", b.k, s.kElements(), "[B,Nk,Hk,D]", s.batch(), s.keyLen(), s.kvHeads(), s.headDim());
            this.v = require("v", b.v, s.vElements(), "[B,Nk,Hk,Dv]", s.batch(), s.keyLen(), s.kvHeads(),
                    s.valueDim());
        } else {
            this.q = require("q", b.q, s.qElements(), "[B,Hq,Nq,D]", s.batch(), s.queryHeads(), s.queryLen(),
                    s.headDim());
            this.k = require("k", b.k, s.kElements(), "[B,Hk,Nk,D]", s.batch(), s.kvHeads(), s.keyLen(), s.headDim());
            this.v = require("v", b.v, s.vElements(), "[B,Hk,Nk,Dv]", s.batch(), s.kvHeads(), s.keyLen(),
                    s.valueDim());
        }
        if (b.scale != null && !Float.isFinite(b.scale)) {
            throw new InvalidRequestException("scale", "a finite number", String.valueOf(b.scale));
        }
        this.score = b.score;
        this.normalize = b.normalize;
        this.projected = false;
        this.scale = b.scale != null ? b.scale : switch (score.kind()) {
            case DOT -> s.defaultScale();
            case NEG_SQ_DIST -> 1f / s.headDim();
            case ADDITIVE -> 1f;
        };
        this.causal = b.causal;
        this.keyLengths = b.keyLengths == null ? null : checkKeyLengths(b.keyLengths, s);
        this.windowLeft = b.windowLeft;
        this.windowRight = b.windowRight;
        this.edges = b.edges;
        if (edges != null) {
            edges.check(s);
        }
        this.mask = b.maskSet ? Broadcast.mask(b.maskData, b.maskDims, s) : null;
        this.bias = b.biasSet ? Broadcast.bias(b.biasData, b.biasDims, s) : null;
        this.wantWeights = b.wantWeights;
        this.wantLse = b.wantLse;
        this.storage = b.storage;
        this.layout = b.layout;
        this.rope = b.rope;
        if (rope != 0) {
            Rope.check(this);
        }
        if (score.kind() == Score.Kind.ADDITIVE) {
            AdditiveProjection.check(this, b.scale != null);
        }
        if (normalize == Normalize.MEAN && wantLse) {
            throw new InvalidRequestException("lse", "no log-sum-exp with normalize MEAN (its weights are no softmax)",
                    "returnLse(true)");
        }
        fitsArray("output", "O [B,Hq,Nq,Dv]", s.outElements());
        if (wantWeights) {
            if (edges != null) {
                fitsArray("weights", "P [B,Hq,E]", (long) s.heads() * edges.count());
            } else {
                fitsArray("weights", "P [B,Hq,Nq,Nk]", s.scoreElements());
            }
        }
    }

    /** The request with Q and K replaced by an additive score's projections, of head dimension d. */
    private AttentionRequest(AttentionRequest base, int d, FloatData q, FloatData k) {
        Shape s = base.shape;
        this.shape = new Shape(s.batch(), s.queryHeads(), s.kvHeads(), s.queryLen(), s.keyLen(), d, s.valueDim());
        this.q = q;
        this.k = k;
        this.v = base.v;
        this.scale = 1f;
        this.causal = base.causal;
        this.keyLengths = base.keyLengths;
        this.windowLeft = base.windowLeft;
        this.windowRight = base.windowRight;
        this.edges = base.edges;
        this.mask = base.mask;
        this.bias = base.bias;
        this.wantWeights = base.wantWeights;
        this.wantLse = base.wantLse;
        this.storage = base.storage;
        this.layout = base.layout;
        this.rope = base.rope;
        this.score = base.score;
        this.normalize = base.normalize;
        this.projected = true;
    }

    public static Builder builder(Shape shape) {
        if (shape == null) {
            throw new InvalidRequestException("shape", "a Shape", "null");
        }
        return new Builder(shape);
    }

    /** A builder whose shape is read from the tensors' dimensions, with Q, K and V set. */
    public static Builder builder(Tensor q, Tensor k, Tensor v) {
        Builder b = new Builder(Tensor.shape(q, k, v));
        b.q = q.data();
        b.k = k.data();
        b.v = v.data();
        return b;
    }

    private static FloatData require(String name, FloatData data, long expected, String layout, int... dims) {
        if (data == null || data.length() != expected) {
            throw new InvalidRequestException(name, layout + "=" + Arrays.toString(dims) + " = " + expected
                    + " floats", data == null ? "none (null or not set)" : String.valueOf(data.length()));
        }
        return data;
    }

    private static int[] checkKeyLengths(int[] lengths, Shape s) {
        if (lengths.length != s.batch()) {
            throw new InvalidRequestException("keyLengths", "[B]=[" + s.batch() + "]", "[" + lengths.length + "]");
        }
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] < 0 || lengths[b] > s.keyLen()) {
                throw new InvalidRequestException("keyLengths", "0.." + s.keyLen() + " (Nk) for every batch",
                        lengths[b] + " at [" + b + "]");
            }
        }
        return lengths.clone();
    }

    private static void fitsArray(String name, String layout, long elements) {
        if (elements > MAX_ARRAY) {
            throw new InvalidRequestException(name, layout + " within a Java array's " + MAX_ARRAY + " elements",
                    elements + " elements");
        }
    }

    public Shape shape() {
        return shape;
    }

    public FloatData q() {
        return q;
    }

    public FloatData k() {
        return k;
    }

    public FloatData v() {
        return v;
    }

    public float scale() {
        return scale;
    }

    public Causal causal() {
        return causal;
    }

    /** Per-batch key lengths, or null when every key is valid. */
    public int[] keyLengths() {
        return keyLengths;
    }

    public Broadcast<byte[]> mask() {
        return mask;
    }

    public Broadcast<float[]> bias() {
        return bias;
    }

    public boolean wantWeights() {
        return wantWeights;
    }

    public boolean wantLse() {
        return wantLse;
    }

    public Storage storage() {
        return storage;
    }

    /** The layout of Q, K, V and O; the weights and LSE are always [B, Hq, Nq, ..]. */
    public Layout layout() {
        return layout;
    }

    /** The rotary positions' base, or 0 for none ({@link Builder#rope}). */
    public float rope() {
        return rope;
    }

    /** The score function (default {@link Score#dot()}). */
    public Score score() {
        return score;
    }

    /** How scores become weights (default {@link Normalize#SOFTMAX}). */
    public Normalize normalize() {
        return normalize;
    }

    /**
     * For backends: an additive score as the dot product it is, act(Q'·K'ᵀ) with scale 1, where
     * Q' = [a_q·q, e_g] and K' = [1, a_k·k for each query head g of the key's group] (one column for shared
     * weights), the projections computed in float64 and rounded once; the activation ({@link Score#slope()})
     * is left to apply to the product. This request itself for the other scores, and once projected.
     */
    public AttentionRequest additiveAsDot() {
        if (score.kind() != Score.Kind.ADDITIVE || projected) {
            return this;
        }
        AdditiveProjection p = new AdditiveProjection(this);
        return new AttentionRequest(this, p.width(), FloatData.of(p.queries()), FloatData.of(p.keys()));
    }

    /** Refuses a graph in one of the three stages: attention over edges is one call, with no Nq × Nk matrix. */
    public void checkNoEdges(String stage) {
        if (edges != null) {
            throw new InvalidRequestException("edges", "no graph in the " + stage + " stage (attention over edges is "
                    + "one call, with no Nq x Nk matrix)", "a graph of " + edges.count() + " edges");
        }
    }

    /** Checks a score or weight matrix given to a single stage: [B,Hq,Nq,Nk] floats. */
    public void checkScores(String name, float[] data) {
        if (data == null || data.length != shape.scoreElements()) {
            throw new InvalidRequestException(name, "[B,Hq,Nq,Nk]=[" + shape.batch() + ", " + shape.queryHeads()
                    + ", " + shape.queryLen() + ", " + shape.keyLen() + "] = " + shape.scoreElements() + " floats",
                    data == null ? "null" : String.valueOf(data.length));
        }
    }

    /** Checks an LSE output array given to a single stage: null, or [B,Hq,Nq] floats (null under MEAN). */
    public void checkLse(float[] lse) {
        if (lse != null && normalize == Normalize.MEAN) {
            throw new InvalidRequestException("lse", "no log-sum-exp with normalize MEAN (its weights are no softmax)",
                    "an lse array");
        }
        if (lse != null && lse.length != shape.lseElements()) {
            throw new InvalidRequestException("lse", "[B,Hq,Nq] = " + shape.lseElements() + " floats",
                    String.valueOf(lse.length));
        }
    }

    /** Length of a [B,Hq,Nq,Nk] array for this shape, or an exception when a Java array cannot hold it. */
    public int scoreArrayLength(String name) {
        fitsArray(name, "[B,Hq,Nq,Nk]", shape.scoreElements());
        return (int) shape.scoreElements();
    }

    /** The graph whose edges alone a row may see, or null for every key ({@link Edges}). */
    public Edges edges() {
        return edges;
    }

    /** The sliding window's keys before the diagonal (−1: unbounded), FlashAttention's window_size[0]. */
    public int windowLeft() {
        return windowLeft;
    }

    /** The sliding window's keys after the diagonal (−1: unbounded), FlashAttention's window_size[1]. */
    public int windowRight() {
        return windowRight;
    }

    /** Whether some key is hidden from a row for lying after it: causality, or a window's right edge. */
    public boolean hasUpperBound() {
        return causal != Causal.NONE || windowRight >= 0;
    }

    /**
     * Row i sees keys j &le; i + upperOffset() (with {@link #hasUpperBound()}): the tighter of causality and the
     * window's right edge, clamped to [−Nq, Nk] so that no layer's i + offset can overflow.
     */
    public int upperOffset() {
        long off = Long.MAX_VALUE;
        if (causal != Causal.NONE) {
            off = causal.offset(shape.queryLen(), shape.keyLen());
        }
        if (windowRight >= 0) {
            off = Math.min(off, (long) shape.keyLen() - shape.queryLen() + windowRight);
        }
        return (int) Math.max(-shape.queryLen(), Math.min(shape.keyLen(), off));
    }

    /** Whether some key is hidden from a row for lying too far before it: a window's left edge. */
    public boolean hasLowerBound() {
        return windowLeft >= 0 && lowerOffset() > -shape.queryLen() + 1;
    }

    /** Row i sees keys j &ge; i + lowerOffset() (with {@link #hasLowerBound()}), clamped to [−Nq, Nk]. */
    public int lowerOffset() {
        long off = (long) shape.keyLen() - shape.queryLen() - windowLeft;
        return (int) Math.max(-shape.queryLen(), Math.min(shape.keyLen(), off));
    }

    /**
     * The first key query row i of batch b can see: 0, or the window's left edge. With {@link #visibleKeys} it
     * bounds the row's keys to [first, n) before the boolean mask and bias. Every layer uses this one rule.
     */
    public int firstVisibleKey(int b, int i) {
        return hasLowerBound() ? (int) Math.max(0, Math.min(shape.keyLen(), (long) i + lowerOffset())) : 0;
    }

    /**
     * The end of the keys query row i of batch b can see before the boolean mask and bias: keys [0, n) minus
     * those hidden by causality, the window's right edge and the key length (and, from below,
     * {@link #firstVisibleKey}). Every layer uses this one rule.
     */
    public int visibleKeys(int b, int i) {
        int n = keyLengths == null ? shape.keyLen() : keyLengths[b];
        if (hasUpperBound()) {
            n = (int) Math.max(0, Math.min(n, (long) i + upperOffset() + 1));
        }
        return n;
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private final Shape shape;
        private FloatData q;
        private FloatData k;
        private FloatData v;
        private Float scale;
        private Causal causal = Causal.NONE;
        private int[] keyLengths;
        private int windowLeft = -1;
        private int windowRight = -1;
        private Edges edges;
        private byte[] maskData;
        private int[] maskDims;
        private boolean maskSet;
        private float[] biasData;
        private int[] biasDims;
        private boolean biasSet;
        private boolean wantWeights;
        private boolean wantLse;
        private Storage storage = Storage.F32;
        private Layout layout = Layout.BHND;
        private float rope;
        private Score score = Score.dot();
        private Normalize normalize = Normalize.SOFTMAX;

        private Builder(Shape shape) {
            this.shape = shape;
        }

        public Builder q(float[] data) {
            this.q = data == null ? null : FloatData.of(data);
            return this;
        }

        /** A tensor the engine holds ({@link Attention#upload}) in place of host data. */
        public Builder q(DeviceTensor data) {
            this.q = data == null ? null : FloatData.of(data);
            return this;
        }

        public Builder q(FloatBuffer data) {
            this.q = data == null ? null : FloatData.of(data);
            return this;
        }

        public Builder k(float[] data) {
            this.k = data == null ? null : FloatData.of(data);
            return this;
        }

        /** A tensor the engine holds ({@link Attention#upload}) in place of host data. */
        public Builder k(DeviceTensor data) {
            this.k = data == null ? null : FloatData.of(data);
            return this;
        }

        public Builder k(FloatBuffer data) {
            this.k = data == null ? null : FloatData.of(data);
            return this;
        }

        public Builder v(float[] data) {
            this.v = data == null ? null : FloatData.of(data);
            return this;
        }

        /** A tensor the engine holds ({@link Attention#upload}) in place of host data. */
        public Builder v(DeviceTensor data) {
            this.v = data == null ? null : FloatData.of(data);
            return this;
        }

        public Builder v(FloatBuffer data) {
            this.v = data == null ? null : FloatData.of(data);
            return this;
        }

        /** The score function (default {@link Score#dot()}); null restores the default. */
        public Builder score(Score score) {
            this.score = score == null ? Score.dot() : score;
            return this;
        }

        /** How scores become weights (default {@link Normalize#SOFTMAX}); null restores the default. */
        public Builder normalize(Normalize normalize) {
            this.normalize = normalize == null ? Normalize.SOFTMAX : normalize;
            return this;
        }

        /** The score's scale; defaults to 1/√D for {@link Score#dot()}, 1/D for {@link Score#negSqDist()}. */
        public Builder scale(float scale) {
            this.scale = scale;
            return this;
        }

        public Builder causal(Causal causal) {
            this.causal = causal == null ? Causal.NONE : causal;
            return this;
        }

        /**
         * A sliding window (local attention): key j is visible to query i only if i + (Nk − Nq) − left &le; j &le;
         * i + (Nk − Nq) + right, aligned bottom-right as FlashAttention's {@code window_size}; −1 leaves that side
         * unbounded. It combines (AND) with causality, key lengths, the mask and the bias; key tiles outside
         * every row's band are never read.
         */
        public Builder window(int left, int right) {
            if (left < -1 || right < -1) {
                throw new InvalidRequestException("window", "LEFT,RIGHT each >= -1 (-1 = unbounded)",
                        left + "," + right);
            }
            this.windowLeft = left;
            this.windowRight = right;
            return this;
        }

        /**
         * Only the keys of each query row's edges are visible (AND the other masks); with
         * {@link #returnWeights}, P is per edge, [B, Hq, E] in the graph's order. Null for every key.
         */
        public Builder edges(Edges graph) {
            this.edges = graph;
            return this;
        }

        /** Keys at index &ge; lengths[b] are ignored for batch b. */
        public Builder keyLengths(int[] lengths) {
            this.keyLengths = lengths;
            return this;
        }

        /** Boolean mask (true = attend), broadcastable to [B,Hq,Nq,Nk]; null data is refused at build. */
        public Builder mask(boolean[] data, int... dims) {
            if (data == null) {
                return maskBytes(null, dims);
            }
            byte[] bytes = new byte[data.length];
            for (int i = 0; i < data.length; i++) {
                bytes[i] = (byte) (data[i] ? 1 : 0);
            }
            return maskBytes(bytes, dims);
        }

        /** Boolean mask as bytes (non-zero = attend), broadcastable to [B,Hq,Nq,Nk]. */
        public Builder maskBytes(byte[] data, int... dims) {
            this.maskData = data;
            this.maskDims = dims;
            this.maskSet = true;
            return this;
        }

        /** Additive float bias, broadcastable to [B,Hq,Nq,Nk]; −∞ hides a key. */
        public Builder bias(float[] data, int... dims) {
            this.biasData = data;
            this.biasDims = dims;
            this.biasSet = true;
            return this;
        }

        /** Also return the attention weights P [B,Hq,Nq,Nk]. */
        public Builder returnWeights(boolean want) {
            this.wantWeights = want;
            return this;
        }

        /** Also return the log-sum-exp of each row's scaled, masked scores [B,Hq,Nq]. */
        public Builder returnLse(boolean want) {
            this.wantLse = want;
            return this;
        }

        /** Device storage of the inputs on the fused path (default float32); arithmetic is always float. */
        public Builder storage(Storage storage) {
            this.storage = storage == null ? Storage.F32 : storage;
            return this;
        }

        /**
         * Q, K, V and O as [B, N, H, D] (each token's heads together, as a QKV projection writes them) instead of
         * [B, H, N, D]; the weights and LSE keep [B, Hq, Nq, ..]. OpenCL transposes on the device.
         */
        public Builder layout(Layout layout) {
            this.layout = layout == null ? Layout.BHND : layout;
            return this;
        }

        /**
         * Rotary position embeddings (RoPE, the "rotate half" convention of GPT-NeoX and LLaMA) applied to Q and K
         * inside the call, with this base (10000 in those models; 0: none): key j at position j, query i at
         * i + Nk − Nq (bottom-right, as in decoding). See {@link Rope}.
         */
        public Builder rope(float base) {
            this.rope = base;
            return this;
        }

        public AttentionRequest build() {
            return new AttentionRequest(this);
        }
    }
}
