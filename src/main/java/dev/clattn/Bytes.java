package dev.clattn;

import java.util.Locale;

/** Byte counts in words, for messages. */
public final class Bytes {
    private Bytes() {
    }

    /** {@code 3.4 GiB}, {@code 12.0 MiB}, {@code 512 bytes}. */
    public static String describe(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        return bytes + " bytes";
    }
}
