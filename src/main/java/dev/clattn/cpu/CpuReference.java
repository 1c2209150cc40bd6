package dev.clattn.cpu;

import dev.clattn.AttentionRequest;
import dev.clattn.Broadcast;
import dev.clattn.Shape;

/**
 * The three stages for one query row in plain Java, with exactly the kernels' semantics: the CPU fallback
 * and the reference the OpenCL kernels are checked against. Row (bh, i) is query row i of flattened head
 * bh = b·Hq + h.
 */
public final class CpuReference {
    private CpuReference() {
    }

    /**
     * dst[off + j] = the score of q_i and k_j (scale · q_i·k_j by default, {@link CpuScores}) for visible keys,
     * −∞ for keys hidden by causality, window or key length.
     */
    public static void qkt(AttentionRequest r, float[] q, float[] k, int bh, int i, float[] dst, int off) {
        Shape s = r.shape();
        int d = s.headDim();
        int b = bh / s.queryHeads();
        int qo = (bh * s.queryLen() + i) * d;
        int kHead = b * s.kvHeads() + (bh % s.queryHeads()) / s.group();
        long kBase = (long) kHead * s.keyLen() * d;
        int n = r.visibleKeys(b, i);
        int first = Math.min(r.firstVisibleKey(b, i), n);
        CpuScores score = CpuScores.of(r);
        java.util.Arrays.fill(dst, off, off + first, Float.NEGATIVE_INFINITY);
        for (int j = first; j < n; j++) {
            int ko = (int) (kBase + (long) j * d);
            if (score.distance()) {
                dst[off + j] = score.of(distance(q, qo, k, ko, d));
                continue;
            }
            float a0 = 0;
            float a1 = 0;
            float a2 = 0;
            float a3 = 0;
            int e = 0;
            for (; e + 3 < d; e += 4) {
                a0 += q[qo + e] * k[ko + e];
                a1 += q[qo + e + 1] * k[ko + e + 1];
                a2 += q[qo + e + 2] * k[ko + e + 2];
                a3 += q[qo + e + 3] * k[ko + e + 3];
            }
            for (; e < d; e++) {
                a0 += q[qo + e] * k[ko + e];
            }
            dst[off + j] = score.of((a0 + a1) + (a2 + a3));
        }
        for (int j = n; j < s.keyLen(); j++) {
            dst[off + j] = Float.NEGATIVE_INFINITY;
        }
    }

    /** ‖q − k‖² over d dimensions, as the sum of the squared differences themselves. */
    private static float distance(float[] q, int qo, float[] k, int ko, int d) {
        float a0 = 0;
        float a1 = 0;
        int e = 0;
        for (; e + 1 < d; e += 2) {
            float t0 = q[qo + e] - k[ko + e];
            float t1 = q[qo + e + 1] - k[ko + e + 1];
            a0 += t0 * t0;
            a1 += t1 * t1;
        }
        for (; e < d; e++) {
            float t = q[qo + e] - k[ko + e];
            a0 += t * t;
        }
        return a0 + a1;
    }

    /**
     * Softmax of row[off, off + Nk) in place with the boolean mask, bias, causality and key length applied;
     * returns the row's log-sum-exp (−∞ and an all-zero row when no key is visible; NaN spreads over the row).
     * Under {@link dev.clattn.Normalize#MEAN}, the scores over the number n of visible keys, returning log n.
     */
    public static float softmaxRows(AttentionRequest r, int bh, int i, float[] row, int off) {
        Shape s = r.shape();
        int b = bh / s.queryHeads();
        int h = bh % s.queryHeads();
        int n = r.visibleKeys(b, i);
        int first = Math.min(r.firstVisibleKey(b, i), n);
        Broadcast<byte[]> mask = r.mask();
        Broadcast<float[]> bias = r.bias();
        long mo = mask == null ? 0 : mask.rowOffset(b, h, i);
        long bo = bias == null ? 0 : bias.rowOffset(b, h, i);
        float max = Float.NEGATIVE_INFINITY;
        for (int j = first; j < n; j++) {
            float x = row[off + j];
            if (mask != null && mask.data()[(int) (mo + j * mask.keyStride())] == 0) {
                x = Float.NEGATIVE_INFINITY;
            } else if (bias != null) {
                x += bias.data()[(int) (bo + j * bias.keyStride())];
            }
            row[off + j] = x;
            if (x > max || Float.isNaN(x)) {
                max = x;
            }
        }
        if (max == Float.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(row, off, off + s.keyLen(), 0f);
            return Float.NEGATIVE_INFINITY;
        }
        java.util.Arrays.fill(row, off, off + first, 0f);
        java.util.Arrays.fill(row, off + n, off + s.keyLen(), 0f);
        if (r.normalize() == dev.clattn.Normalize.MEAN) {
            int count = CpuScores.meanWeights(row, off + first, off + n);
            for (int j = first; j < n; j++) {
                row[off + j] /= count;
            }
            return (float) Math.log(count);
        }
        float sum = 0;
        for (int j = first; j < n; j++) {
            float e = (float) Math.exp(row[off + j] - max);
            row[off + j] = e;
            sum += e;
        }
        for (int j = first; j < n; j++) {
            row[off + j] /= sum;
        }
        return max + (float) Math.log(sum);
    }

    /**
     * Combines partial results for one row computed over disjoint key blocks: lse = log Σ_s exp(lse_s) and
     * out = Σ_s exp(lse_s − lse) · out_s. Blocks with lse_s = −∞ contribute nothing; with none left the row is 0
     * and its lse −∞. Returns the row's lse.
     */
    public static float attentionMerge(float[][] outs, float[][] lses, int row, int dv, float[] out, int oOff) {
        float max = Float.NEGATIVE_INFINITY;
        for (float[] lse : lses) {
            if (lse[row] > max || Float.isNaN(lse[row])) {
                max = lse[row];
            }
        }
        java.util.Arrays.fill(out, oOff, oOff + dv, 0f);
        if (max == Float.NEGATIVE_INFINITY) {
            return Float.NEGATIVE_INFINITY;
        }
        float total = 0;
        for (int z = 0; z < lses.length; z++) {
            float l = lses[z][row];
            if (l != Float.NEGATIVE_INFINITY) {
                float w = (float) Math.exp(l - max);
                total += w;
                for (int c = 0; c < dv; c++) {
                    out[oOff + c] += w * outs[z][row * dv + c];
                }
            }
        }
        for (int c = 0; c < dv; c++) {
            out[oOff + c] /= total;
        }
        return max + (float) Math.log(total);
    }

    /**
     * out[oOff, oOff + Dv) = Σ_j p[pOff + j] · v_j over the visible keys; a zero weight skips its V row, so
     * masked V data (even NaN) never reaches the output. {@code acc} is Dv floats of scratch.
     */
    public static void av(AttentionRequest r, float[] v, int bh, int i, float[] p, int pOff, float[] out, int oOff,
            float[] acc) {
        Shape s = r.shape();
        int dv = s.valueDim();
        int b = bh / s.queryHeads();
        int kvHead = b * s.kvHeads() + (bh % s.queryHeads()) / s.group();
        long vBase = (long) kvHead * s.keyLen() * dv;
        int n = r.visibleKeys(b, i);
        java.util.Arrays.fill(acc, 0, dv, 0f);
        for (int j = Math.min(r.firstVisibleKey(b, i), n); j < n; j++) {
            float w = p[pOff + j];
            if (w != 0) {
                int vo = (int) (vBase + (long) j * dv);
                for (int c = 0; c < dv; c++) {
                    acc[c] += w * v[vo + c];
                }
            }
        }
        System.arraycopy(acc, 0, out, oOff, dv);
    }
}
