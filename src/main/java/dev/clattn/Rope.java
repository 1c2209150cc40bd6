package dev.clattn;

/**
 * Rotary position embeddings in the "rotate half" convention (GPT-NeoX, LLaMA): a head vector x of even
 * dimension D at position p becomes x_i·cos(p·θ_i) − x_{i+D/2}·sin(p·θ_i) in its first half and
 * x_{i+D/2}·cos(p·θ_i) + x_i·sin(p·θ_i) in its second, θ_i = base^(−2i/D). Key j sits at position j and query i at
 * i + Nk − Nq, so that the last query and the last key share a position. Backends rotate Q and K inside the call
 * from one table of cos and sin per (position, i), computed in float64 and rounded once; the caller's arrays are
 * never changed.
 */
public final class Rope {
    private Rope() {
    }

    static void check(AttentionRequest r) {
        if (!(r.rope() > 1) || !Float.isFinite(r.rope())) {
            throw new InvalidRequestException("rope", "a finite base > 1 (10000 in GPT-NeoX and LLaMA)",
                    String.valueOf(r.rope()));
        }
        if (r.shape().headDim() % 2 != 0) {
            throw new InvalidRequestException("rope", "an even head dimension D (rotate half)",
                    "D=" + r.shape().headDim());
        }
        if (r.score().kind() == Score.Kind.ADDITIVE) {
            throw new InvalidRequestException("rope", "the dot or neg-sq-dist score", "additive");
        }
    }

    /** The first position the table holds: the first query's, when Nq > Nk, else key 0's. */
    public static int firstPosition(Shape s) {
        return Math.min(0, s.keyLen() - s.queryLen());
    }

    /** Positions the table holds: every key's and query's. */
    public static int positions(Shape s) {
        return Math.max(s.keyLen(), s.keyLen() - firstPosition(s));
    }

    /** The table row of Q's (query) or K's first row: its position less the table's first. */
    public static int offset(Shape s, boolean query) {
        return (query ? s.keyLen() - s.queryLen() : 0) - firstPosition(s);
    }

    /** Bytes of {@link #table}. */
    public static long tableBytes(Shape s) {
        return 8L * positions(s) * (s.headDim() / 2);
    }

    /** cos and sin of (p · θ_i), [positions][D/2][2], for p from {@link #firstPosition}. */
    public static float[] table(Shape s, float base) {
        int half = s.headDim() / 2;
        int n = positions(s);
        int p0 = firstPosition(s);
        float[] t = HostMemory.floats("rope table", 2L * n * half);
        for (int p = 0; p < n; p++) {
            for (int i = 0; i < half; i++) {
                double angle = (p + p0) * Math.pow(base, -2.0 * i / s.headDim());
                t[2 * (p * half + i)] = (float) Math.cos(angle);
                t[2 * (p * half + i) + 1] = (float) Math.sin(angle);
            }
        }
        return t;
    }

    /** A rotated copy of Q (query) or K, [B][heads][len][D], with the request's {@link #table}. */
    public static float[] rotated(float[] x, Shape s, boolean query, float[] table) {
        float[] copy = HostMemory.floats(query ? "q" : "k", x.length);
        System.arraycopy(x, 0, copy, 0, x.length);
        rotate(copy, s.batch() * (query ? s.queryHeads() : s.kvHeads()), query ? s.queryLen() : s.keyLen(),
                s.headDim(), table, offset(s, query));
        return copy;
    }

    /**
     * Rotates rows [heads][len][D] of x in place: row n of each head at table row {@code n + offset}
     * (offset: the rows' first position less the table's first).
     */
    static void rotate(float[] x, int heads, int len, int d, float[] table, int offset) {
        int half = d / 2;
        for (int h = 0; h < heads; h++) {
            for (int n = 0; n < len; n++) {
                int row = (h * len + n) * d;
                int at = (n + offset) * half;
                for (int i = 0; i < half; i++) {
                    float c = table[2 * (at + i)];
                    float s = table[2 * (at + i) + 1];
                    float a = x[row + i];
                    float b = x[row + i + half];
                    x[row + i] = a * c - b * s;
                    x[row + i + half] = b * c + a * s;
                }
            }
        }
    }
}
