package dev.clattn.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * attention_fused_vec.cl with ROWS (default 4) as its only tunable, so that tuner tests search a space of six
 * candidates whatever the kernel's real space is.
 */
public final class TuningKernels {
    private TuningKernels() {
    }

    public static String rowsOnly() {
        String text;
        try (var in = TuningKernels.class.getResourceAsStream("/kernels/attention_fused_vec.cl")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String narrowed = text.replaceAll("(?m)^(#define ROWS) \\d+ (//.*)$", "$1 4 $2")
                .replaceAll("(?m)^(#define (?:VW|NV|DVB|SUBS) \\d+ //[^;]*);\\s*tune:[ \\d]+$", "$1");
        assertFalse(narrowed.matches("(?s).*#define (VW|NV|DVB|SUBS) \\d+ //[^\\n]*tune:.*"), "tune lists left");
        assertFalse(narrowed.equals(text));
        return narrowed;
    }
}
