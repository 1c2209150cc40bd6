package dev.clattn;

import java.util.Locale;

/** Which OpenCL path computes attention. */
public enum AttentionPath {
    /** Fused, unless the request asks for the weights P (only the three-kernel path materialises them). */
    AUTO,
    /** The fused online-softmax kernel: O(N) memory. */
    FUSED,
    /** qkt, softmax_rows and av over the score matrix (in chunks). */
    THREE_KERNEL;

    public static AttentionPath parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "fused" -> FUSED;
            case "three-kernel" -> THREE_KERNEL;
            default -> throw new InvalidRequestException("path", "auto, fused or three-kernel", "'" + text
                    + "'");
        };
    }
}
