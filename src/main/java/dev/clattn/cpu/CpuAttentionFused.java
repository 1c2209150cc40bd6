package dev.clattn.cpu;

import dev.clattn.AttentionRequest;
import dev.clattn.Broadcast;
import dev.clattn.Shape;
import java.util.Arrays;

/**
 * The fallback's fast path for attention without the weights: {@link #ROWS} query rows at a time, over K
 * packed transposed (one array per d) and V one array per key, so that every inner loop runs over separate
 * arrays indexed alike, the only shape HotSpot's auto-vectoriser turns into SIMD (over one flat array with
 * offsets it stays scalar). Same semantics as {@link CpuReference}'s three stages: hidden keys' V rows are never
 * read, a zero weight skips its V row, NaN in a visible input spreads, an empty row is exactly 0 with LSE −∞.
 */
final class CpuAttentionFused {
    /** Query rows sharing each pass over K and V. */
    static final int ROWS = 4;

    private CpuAttentionFused() {
    }

    /** One key/value head: kt[d][j] = K[j][d], and v[j] = V[j][0..Dv). */
    record Packed(float[][] kt, float[][] v) {
        static Packed of(float[] k, float[] v, Shape s, int kvHead) {
            int d = s.headDim();
            int dv = s.valueDim();
            int nk = s.keyLen();
            float[][] kt = new float[d][nk];
            float[][] rows = new float[nk][];
            long kBase = (long) kvHead * nk * d;
            long vBase = (long) kvHead * nk * dv;
            for (int j = 0; j < nk; j++) {
                int ko = (int) (kBase + (long) j * d);
                for (int e = 0; e < d; e++) {
                    kt[e][j] = k[ko + e];
                }
                int vo = (int) (vBase + (long) j * dv);
                rows[j] = Arrays.copyOfRange(v, vo, vo + dv);
            }
            return new Packed(kt, rows);
        }
    }

    /** Bytes {@link Packed} takes for every key/value head of the shape. */
    static long packedBytes(Shape s) {
        return 4L * (s.kElements() + s.vElements());
    }

    /**
     * Rows [i0, i1) of head bh into out (and lse when not null); {@code scores} is ROWS arrays of Nk floats and
     * {@code acc} ROWS arrays of Dv floats of scratch.
     */
    static void rows(AttentionRequest r, float[] q, Packed p, int bh, int i0, int i1, float[][] scores, float[][] acc,
            float[] out, float[] lse) {
        for (int i = i0; i < i1; i += ROWS) {
            block(r, q, p, bh, i, Math.min(ROWS, i1 - i), scores, acc, out, lse);
        }
    }

    private static void block(AttentionRequest r, float[] q, Packed p, int bh, int i0, int rows, float[][] s,
            float[][] acc, float[] out, float[] lse) {
        Shape sh = r.shape();
        int b = bh / sh.queryHeads();
        int[] seen = new int[ROWS];
        int[] first = new int[ROWS];
        int most = 0;
        // The block's keys are [from, most): the first row's first key (a window's left edge moves right with
        // the row) to the largest end; keys outside them are never read.
        int from = sh.keyLen();
        for (int x = 0; x < rows; x++) {
            seen[x] = r.visibleKeys(b, i0 + x);
            first[x] = Math.min(r.firstVisibleKey(b, i0 + x), seen[x]);
            most = Math.max(most, seen[x]);
            from = Math.min(from, first[x]);
        }
        from = Math.min(from, most);
        CpuScores score = CpuScores.of(r);
        if (score.distance()) {
            distances(sh, q, p.kt(), bh, i0, rows, from, most, s);
        } else {
            scores(sh, q, p.kt(), bh, i0, rows, from, most, s);
        }
        float[] sums = new float[ROWS];
        for (int x = 0; x < rows; x++) {
            int row = bh * sh.queryLen() + i0 + x;
            float max = softmax(r, score, bh, i0 + x, from, first[x], seen[x], most, s[x], sums, x);
            Arrays.fill(acc[x], 0f);
            if (lse != null) {
                lse[row] = max == Float.NEGATIVE_INFINITY ? max : max + (float) Math.log(sums[x]);
            }
            if (max == Float.NEGATIVE_INFINITY) {
                Arrays.fill(s[x], from, most, 0f);
            }
        }
        values(p.v(), rows, from, most, s, acc);
        for (int x = 0; x < rows; x++) {
            int o = (bh * sh.queryLen() + i0 + x) * sh.valueDim();
            float sum = sums[x];
            float[] a = acc[x];
            for (int c = 0; c < a.length; c++) {
                out[o + c] = sum == 0 ? 0f : a[c] / sum;
            }
        }
    }

    /** s[x][j] = q_x · k_j for j in [from, keys), one pass over K's d-th array per d for all rows at once. */
    private static void scores(Shape sh, float[] q, float[][] kt, int bh, int i0, int rows, int from, int keys,
            float[][] s) {
        int d = sh.headDim();
        int qo = (bh * sh.queryLen() + i0) * d;
        for (int x = 0; x < rows; x++) {
            Arrays.fill(s[x], from, keys, 0f);
        }
        float[] s0 = s[0];
        float[] s1 = s[1];
        float[] s2 = s[2];
        float[] s3 = s[3];
        for (int e = 0; e < d; e++) {
            float[] k = kt[e];
            if (rows == ROWS) {
                float a0 = q[qo + e];
                float a1 = q[qo + d + e];
                float a2 = q[qo + 2 * d + e];
                float a3 = q[qo + 3 * d + e];
                for (int j = from; j < keys; j++) {
                    float kj = k[j];
                    s0[j] += a0 * kj;
                    s1[j] += a1 * kj;
                    s2[j] += a2 * kj;
                    s3[j] += a3 * kj;
                }
            } else {
                for (int x = 0; x < rows; x++) {
                    float a = q[qo + x * d + e];
                    float[] sx = s[x];
                    for (int j = from; j < keys; j++) {
                        sx[j] += a * k[j];
                    }
                }
            }
        }
    }

    /** s[x][j] = ‖q_x − k_j‖² for j in [from, keys), as {@link #scores} does the dot products. */
    private static void distances(Shape sh, float[] q, float[][] kt, int bh, int i0, int rows, int from, int keys,
            float[][] s) {
        int d = sh.headDim();
        int qo = (bh * sh.queryLen() + i0) * d;
        for (int x = 0; x < rows; x++) {
            Arrays.fill(s[x], from, keys, 0f);
        }
        for (int e = 0; e < d; e++) {
            float[] k = kt[e];
            for (int x = 0; x < rows; x++) {
                float a = q[qo + x * d + e];
                float[] sx = s[x];
                for (int j = from; j < keys; j++) {
                    float t = a - k[j];
                    sx[j] += t * t;
                }
            }
        }
    }

    /**
     * Finishes row x's scores, applies the masks, and leaves exp(s − max) in s[first, seen) and 0 in the rest of
     * [from, most); returns the max (−∞ for a row with no visible key, NaN when a score is NaN) and puts the sum
     * in sums[x]. Under mean normalisation, the scores themselves and the number of visible keys, and max 0.
     */
    private static float softmax(AttentionRequest r, CpuScores score, int bh, int i, int from, int first, int seen,
            int most, float[] s, float[] sums, int x) {
        Shape sh = r.shape();
        int b = bh / sh.queryHeads();
        int h = bh % sh.queryHeads();
        // Without an activation, a score is its sum times the multiplier (the scale, negated for a distance).
        float multiplier = score.multiplier();
        Broadcast<byte[]> mask = r.mask();
        Broadcast<float[]> bias = r.bias();
        float max = Float.NEGATIVE_INFINITY;
        if (mask == null && bias == null && !score.activation()) {
            for (int j = first; j < seen; j++) {
                float v = multiplier * s[j];
                s[j] = v;
                max = v > max || Float.isNaN(v) ? v : max;
            }
        } else {
            long mo = mask == null ? 0 : mask.rowOffset(b, h, i);
            long bo = bias == null ? 0 : bias.rowOffset(b, h, i);
            for (int j = first; j < seen; j++) {
                float v = score.of(s[j]);
                if (mask != null && mask.data()[(int) (mo + j * mask.keyStride())] == 0) {
                    v = Float.NEGATIVE_INFINITY;
                } else if (bias != null) {
                    v += bias.data()[(int) (bo + j * bias.keyStride())];
                }
                s[j] = v;
                max = v > max || Float.isNaN(v) ? v : max;
            }
        }
        Arrays.fill(s, from, first, 0f);
        Arrays.fill(s, seen, most, 0f);
        sums[x] = 0;
        if (max == Float.NEGATIVE_INFINITY) {
            return max;
        }
        if (score.mean()) {
            sums[x] = CpuScores.meanWeights(s, first, seen);
            return 0f;
        }
        float sum = 0;
        for (int j = first; j < seen; j++) {
            float e = (float) Math.exp(s[j] - max);
            s[j] = e;
            sum += e;
        }
        sums[x] = sum;
        return max;
    }

    /** acc[x] += Σ_j w[x][j] · v_j, all rows per V row; a zero weight skips its V row (0 · NaN would leak). */
    private static void values(float[][] v, int rows, int from, int keys, float[][] w, float[][] acc) {
        float[] w0 = w[0];
        float[] w1 = w[1];
        float[] w2 = w[2];
        float[] w3 = w[3];
        float[] a0 = acc[0];
        float[] a1 = acc[1];
        float[] a2 = acc[2];
        float[] a3 = acc[3];
        for (int j = from; j < keys; j++) {
            float[] vj = v[j];
            if (rows == ROWS && w0[j] != 0 && w1[j] != 0 && w2[j] != 0 && w3[j] != 0) {
                float p0 = w0[j];
                float p1 = w1[j];
                float p2 = w2[j];
                float p3 = w3[j];
                for (int c = 0; c < vj.length; c++) {
                    float vc = vj[c];
                    a0[c] += p0 * vc;
                    a1[c] += p1 * vc;
                    a2[c] += p2 * vc;
                    a3[c] += p3 * vc;
                }
            } else {
                for (int x = 0; x < rows; x++) {
                    float p = w[x][j];
                    if (p != 0) {
                        float[] ax = acc[x];
                        for (int c = 0; c < vj.length; c++) {
                            ax[c] += p * vj[c];
                        }
                    }
                }
            }
        }
    }
}
