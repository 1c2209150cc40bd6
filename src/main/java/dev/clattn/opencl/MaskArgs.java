package dev.clattn.opencl;

/**
 * The structural mask as kernels take it (STRUCT_MASK_PARAMS): row i sees keys [i + lowerOffset, i + upperOffset]
 * where the bounds are present (a window's left edge; causality and a window's right edge, folded by
 * {@link dev.clattn.AttentionRequest#upperOffset()}), and the key-length buffer (0/1).
 */
record MaskArgs(int upper, int upperOffset, int lower, int lowerOffset, ClBuffer keyLengths, int hasKeyLengths) {
    static MaskArgs of(dev.clattn.AttentionRequest r, ClBuffer keyLengths, int hasKeyLengths) {
        return new MaskArgs(r.hasUpperBound() ? 1 : 0, r.upperOffset(), r.hasLowerBound() ? 1 : 0, r.lowerOffset(),
                keyLengths, hasKeyLengths);
    }
}
