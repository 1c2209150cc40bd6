package dev.clattn;

/**
 * The outputs of one call.
 *
 * @param output  O [B,Hq,Nq,Dv]
 * @param weights P [B,Hq,Nq,Nk], or null when not requested
 * @param lse     log-sum-exp per row [B,Hq,Nq] (−∞ for a row with no visible key), or null when not requested
 */
public record AttentionResult(float[] output, float[] weights, float[] lse) {
}
