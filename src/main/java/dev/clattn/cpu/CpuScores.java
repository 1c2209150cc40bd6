package dev.clattn.cpu;

import dev.clattn.AttentionRequest;
import dev.clattn.Normalize;
import dev.clattn.Score;

/**
 * A request's score function as the fallback computes it, with common.cl's semantics: a sum over dimensions of
 * q·k products, or of squared differences for {@link Score#negSqDist()} (never the expansion, which cancels
 * when q and k share an offset), then {@link #of} of the sum. An additive score arrives projected
 * ({@link AttentionRequest#additiveAsDot}): a dot product, then the activation.
 */
record CpuScores(boolean distance, float multiplier, boolean activation, float slope, boolean mean) {
    static CpuScores of(AttentionRequest r) {
        Score s = r.score();
        return new CpuScores(s.kind() == Score.Kind.NEG_SQ_DIST,
                s.kind() == Score.Kind.NEG_SQ_DIST ? -r.scale() : r.scale(), s.kind() == Score.Kind.ADDITIVE,
                s.slope(), r.normalize() == Normalize.MEAN);
    }

    /** The score from its sum over the dimensions. */
    float of(float sum) {
        float x = multiplier * sum;
        return activation && x < 0 ? (slope == 0 ? 0f : slope * x) : x;
    }

    /** The sum's term for one dimension. */
    float term(float a, float b) {
        if (distance) {
            float t = a - b;
            return t * t;
        }
        return a * b;
    }

    /**
     * Mean normalisation of scores s[from, to), hidden keys −∞: they become the weights (0 for a hidden key);
     * returns the number of visible keys.
     */
    static int meanWeights(float[] s, int from, int to) {
        int n = 0;
        for (int j = from; j < to; j++) {
            if (s[j] == Float.NEGATIVE_INFINITY) {
                s[j] = 0;
            } else {
                n++;
            }
        }
        return n;
    }
}
