package dev.clattn;

/** How Q, K, V and O are laid out in memory, row-major. */
public enum Layout {
    /** [B, H, N, D]: each head's rows together (PyTorch's SDPA, FlashAttention's default here). */
    BHND,
    /** [B, N, H, D]: each token's heads together, as a fused QKV projection writes them. */
    BNHD;

    /** Parses the CLI spelling: bhnd or bnhd. */
    public static Layout parse(String text) {
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "bhnd" -> BHND;
            case "bnhd" -> BNHD;
            default -> throw new InvalidRequestException("layout", "bhnd or bnhd", "'" + text + "'");
        };
    }
}
