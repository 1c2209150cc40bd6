package dev.clattn;

import java.util.Locale;

/**
 * How the fused path stores inputs on the device. Half storage halves memory and traffic; arithmetic stays
 * in float, and the result is that of the inputs rounded to fp16 (round to nearest even).
 */
public enum Storage {
    /** Everything float32. */
    F32,
    /** K and V as fp16, Q float32. */
    F16_KV,
    /** Q, K and V as fp16. */
    F16;

    /** Parses f32, f16-kv or f16. */
    public static Storage parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "f32" -> F32;
            case "f16-kv" -> F16_KV;
            case "f16" -> F16;
            default -> throw new InvalidRequestException("storage", "f32, f16-kv or f16", "'" + text + "'");
        };
    }
}
