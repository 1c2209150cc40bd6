package dev.clattn.opencl;

import dev.clattn.AttentionRequest;
import dev.clattn.Normalize;
import dev.clattn.Score;

/**
 * The program defines common.cl reads for a request's score function and normalisation: none for the default
 * (scale · q·k under softmax), so that the default programs are the ones every kernel file states. An additive
 * score arrives projected ({@link AttentionRequest#additiveAsDot}): its kernels take a dot product and the
 * activation, the slope written exactly as a hexadecimal float.
 */
final class ScoreDefines {
    private ScoreDefines() {
    }

    /** What qkt and the fused and edge kernels compute the score with. */
    static String score(AttentionRequest r) {
        Score s = r.score();
        return switch (s.kind()) {
            case DOT -> "";
            case NEG_SQ_DIST -> " -DSCORE_NEG_SQ_DIST";
            case ADDITIVE -> " -DSCORE_ACT" + (s.slope() == 0 ? "" : " -DACT_SLOPE=(" + Float.toHexString(s.slope())
                    + "f)");
        };
    }

    /** What softmax_rows and the fused and edge kernels normalise with. */
    static String normalize(AttentionRequest r) {
        return r.normalize() == Normalize.MEAN ? " -DNORMALIZE_MEAN" : "";
    }

    /** Both, for the kernels that compute scores and weights in one. */
    static String of(AttentionRequest r) {
        String s = score(r);
        String n = normalize(r);
        return n.isEmpty() ? s : s.isEmpty() ? n : s + n;
    }
}
