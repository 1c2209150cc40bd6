package dev.clattn;

/** Causal masking and how the Nq queries line up against the Nk keys when Nq differs from Nk. */
public enum Causal {
    /** No causal mask. */
    NONE,
    /** Query i sees keys j &le; i (PyTorch's {@code is_causal}). */
    TOP_LEFT,
    /** Query i sees keys j &le; i + Nk &minus; Nq (FlashAttention's alignment: the last query sees every key). */
    BOTTOM_RIGHT;

    /** The offset c such that query i sees keys j &le; i + c; meaningless for {@link #NONE}. */
    public int offset(int queryLen, int keyLen) {
        return this == BOTTOM_RIGHT ? keyLen - queryLen : 0;
    }

    /** Parses the CLI and configuration spelling: none, top-left, bottom-right. */
    public static Causal parse(String text) {
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "none", "false" -> NONE;
            case "top-left", "true", "" -> TOP_LEFT;
            case "bottom-right" -> BOTTOM_RIGHT;
            default -> throw new InvalidRequestException("causal", "none, top-left or bottom-right", "'" + text + "'");
        };
    }
}
