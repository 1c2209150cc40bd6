package dev.clattn;

/**
 * The per-call options of {@link MultiHeadAttention#forward}, in PyTorch's conventions: {@code key_padding_mask}
 * [B, Nk] with true = ignore the key; {@code attn_mask} [Nq, Nk] or [B·H, Nq, Nk], boolean with true = not allowed
 * to attend, or float and added to the scores; {@code is_causal} (query i sees keys j ≤ i); {@code need_weights}
 * (averaged over the heads). Immutable; arrays are copied.
 */
public final class MhaOptions {
    private static final MhaOptions NONE = new MhaOptions(null, null, null, null, false, false, 0f);

    private final boolean[] keyPadding;
    private final boolean[] attnMask;
    private final float[] attnBias;
    private final int[] attnDims;
    private final boolean causal;
    private final boolean needWeights;
    private final float rope;

    private MhaOptions(boolean[] keyPadding, boolean[] attnMask, float[] attnBias, int[] attnDims, boolean causal,
            boolean needWeights, float rope) {
        this.rope = rope;
        this.keyPadding = keyPadding;
        this.attnMask = attnMask;
        this.attnBias = attnBias;
        this.attnDims = attnDims;
        this.causal = causal;
        this.needWeights = needWeights;
    }

    /** No masks, no weights. */
    public static MhaOptions none() {
        return NONE;
    }

    /** key_padding_mask [B, Nk]: true = ignore that key. */
    public MhaOptions keyPaddingMask(boolean[] mask) {
        return new MhaOptions(mask == null ? null : mask.clone(), attnMask, attnBias, attnDims, causal, needWeights,
                rope);
    }

    /** A boolean attn_mask of dims [Nq, Nk] or [B·H, Nq, Nk]: true = not allowed to attend. */
    public MhaOptions attnMask(boolean[] mask, int... dims) {
        return new MhaOptions(keyPadding, mask.clone(), null, dims(dims), causal, needWeights, rope);
    }

    /** A float attn_mask of dims [Nq, Nk] or [B·H, Nq, Nk], added to the scores (−∞ hides a key). */
    public MhaOptions attnMask(float[] mask, int... dims) {
        return new MhaOptions(keyPadding, null, mask.clone(), dims(dims), causal, needWeights, rope);
    }

    private static int[] dims(int[] dims) {
        if (dims == null || dims.length < 2 || dims.length > 3) {
            throw new InvalidRequestException("attn_mask", "dims [Nq, Nk] or [B*H, Nq, Nk]",
                    java.util.Arrays.toString(dims));
        }
        return dims.clone();
    }

    /** is_causal: query i sees keys j ≤ i (PyTorch's top-left alignment). */
    public MhaOptions causal(boolean on) {
        return new MhaOptions(keyPadding, attnMask, attnBias, attnDims, on, needWeights, rope);
    }

    /** need_weights: also return the weights averaged over the heads, [B, Nq, Nk]. */
    public MhaOptions needWeights(boolean on) {
        return new MhaOptions(keyPadding, attnMask, attnBias, attnDims, causal, on, rope);
    }

    /** Rotary positions on each head's Q and K inside the attention call, with this base (0: none); see {@link Rope}. */
    public MhaOptions rope(float base) {
        return new MhaOptions(keyPadding, attnMask, attnBias, attnDims, causal, needWeights, base);
    }

    float rope() {
        return rope;
    }

    boolean causal() {
        return causal;
    }

    boolean needWeights() {
        return needWeights;
    }

    /** The masks as the engine's: one boolean mask (1 = attend) for padding and a boolean attn_mask, a bias for a float one. */
    void applyMasks(AttentionRequest.Builder b, int batch, int heads, int nq, int nk) {
        if (keyPadding != null && keyPadding.length != batch * nk) {
            throw new InvalidRequestException("key_padding_mask", "[B, Nk] = " + batch * nk + " values",
                    keyPadding.length + " values");
        }
        int[] full = null;
        if (attnDims != null) {
            boolean perHead = attnDims.length == 3;
            int[] want = perHead ? new int[] {batch * heads, nq, nk} : new int[] {nq, nk};
            int n = attnMask != null ? attnMask.length : attnBias.length;
            if (!java.util.Arrays.equals(attnDims, want) || n != java.util.Arrays.stream(want).reduce(1, (x, y) -> x * y)) {
                throw new InvalidRequestException("attn_mask", "dims " + java.util.Arrays.toString(want) + " ([Nq, Nk] "
                        + "or [B*H, Nq, Nk])", java.util.Arrays.toString(attnDims) + " of " + n + " values");
            }
            full = perHead ? new int[] {batch, heads, nq, nk} : new int[] {1, 1, nq, nk};
        }
        if (attnBias != null) {
            b.bias(attnBias, full);
        }
        if (keyPadding == null && attnMask == null) {
            return;
        }
        boolean perHead = attnMask != null && attnDims.length == 3;
        int hs = perHead ? heads : 1;
        int rows = attnMask != null ? nq : 1;
        byte[] m = new byte[batch * hs * rows * nk];
        for (int bb = 0; bb < batch; bb++) {
            for (int h = 0; h < hs; h++) {
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < nk; j++) {
                        boolean hidden = keyPadding != null && keyPadding[bb * nk + j]
                                || attnMask != null && attnMask[((perHead ? bb * heads + h : 0) * nq + i) * nk + j];
                        m[((bb * hs + h) * rows + i) * nk + j] = (byte) (hidden ? 0 : 1);
                    }
                }
            }
        }
        b.maskBytes(m, batch, hs, rows, nk);
    }
}
