package dev.clattn.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Kernel files narrowed to one tunable, so that tuner tests search a small space whatever the kernel's real space
 * is: attention_fused_vec.cl with ROWS (default 4, six candidates), or any kernel with one named tunable.
 */
public final class TuningKernels {
    private TuningKernels() {
    }

    public static String rowsOnly() {
        String text = only("attention_fused_vec", "ROWS");
        String narrowed = text.replaceAll("(?m)^(#define ROWS) \\d+ (//.*)$", "$1 4 $2");
        assertFalse(narrowed.equals(text));
        return narrowed;
    }

    /** The jar's {@code kernel}.cl with every tune list dropped but {@code keep}'s. */
    public static String only(String kernel, String keep) {
        String text;
        try (var in = TuningKernels.class.getResourceAsStream("/kernels/" + kernel + ".cl")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String narrowed = text.replaceAll("(?m)^(#define (?!" + keep + " )\\w+ \\d+ //[^;]*);\\s*tune:[ \\d]+$", "$1");
        assertFalse(narrowed.matches("(?s).*#define (?!" + keep + " )\\w+ \\d+ //[^\\n]*tune:.*"), "tune lists left");
        assertFalse(narrowed.equals(text));
        return narrowed;
    }
}
