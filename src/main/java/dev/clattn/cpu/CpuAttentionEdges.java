package dev.clattn.cpu;

import dev.clattn.AttentionRequest;
import dev.clattn.Broadcast;
import dev.clattn.Shape;

/**
 * Attention over a graph's edges for one query row in plain Java, with exactly attention_edges.cl's semantics:
 * the CPU fallback and the reference the kernel is checked against. Only the row's edges are visited; an edge
 * to a key the other masks hide is never read (its weight is 0), so hidden K and V data never reaches the output.
 */
public final class CpuAttentionEdges {
    private CpuAttentionEdges() {
    }

    /**
     * Row (bh, i): O into out[oOff, oOff + Dv), the row's weights into p[pOff + e − start] for its edges when p is
     * not null; returns the LSE (−∞ and a zero row when no edge is visible; log n of its n visible edges under mean
     * normalisation). {@code s} holds the row's degree in floats of scratch, {@code acc} Dv.
     */
    public static float row(AttentionRequest r, float[] q, float[] k, float[] v, int[] indptr, int[] indices, int bh,
            int i, float[] s, float[] acc, float[] out, int oOff, float[] p, long pOff) {
        Shape sh = r.shape();
        int d = sh.headDim();
        int dv = sh.valueDim();
        int b = bh / sh.queryHeads();
        int h = bh % sh.queryHeads();
        int kvHead = b * sh.kvHeads() + h / sh.group();
        int first = r.firstVisibleKey(b, i);
        int end = r.visibleKeys(b, i);
        Broadcast<byte[]> mask = r.mask();
        Broadcast<float[]> bias = r.bias();
        long mo = mask == null ? 0 : mask.rowOffset(b, h, i);
        long bo = bias == null ? 0 : bias.rowOffset(b, h, i);
        int qo = (bh * sh.queryLen() + i) * d;
        int e0 = indptr[i];
        int n = indptr[i + 1] - e0;
        CpuScores fn = CpuScores.of(r);
        float max = Float.NEGATIVE_INFINITY;
        for (int x = 0; x < n; x++) {
            int j = indices[e0 + x];
            float score = Float.NEGATIVE_INFINITY;
            if (j >= first && j < end && (mask == null || mask.data()[(int) (mo + j * mask.keyStride())] != 0)) {
                long ko = ((long) kvHead * sh.keyLen() + j) * d;
                float sum = 0;
                for (int c = 0; c < d; c++) {
                    sum += fn.term(q[qo + c], k[(int) (ko + c)]);
                }
                score = fn.of(sum) + (bias == null ? 0 : bias.data()[(int) (bo + j * bias.keyStride())]);
            }
            s[x] = score;
            max = score > max || Float.isNaN(score) ? score : max;
        }
        java.util.Arrays.fill(acc, 0, dv, 0f);
        if (max == Float.NEGATIVE_INFINITY) {
            System.arraycopy(acc, 0, out, oOff, dv);
            if (p != null) {
                java.util.Arrays.fill(p, (int) pOff, (int) pOff + n, 0f);
            }
            return Float.NEGATIVE_INFINITY;
        }
        float sum = 0;
        if (fn.mean()) {
            sum = CpuScores.meanWeights(s, 0, n);
            max = 0;
        } else {
            for (int x = 0; x < n; x++) {
                float w = (float) Math.exp(s[x] - max);
                s[x] = w;
                sum += w;
            }
        }
        for (int x = 0; x < n; x++) {
            if (s[x] != 0) {
                long vo = ((long) kvHead * sh.keyLen() + indices[e0 + x]) * dv;
                for (int c = 0; c < dv; c++) {
                    acc[c] += s[x] * v[(int) (vo + c)];
                }
            }
        }
        for (int c = 0; c < dv; c++) {
            out[oOff + c] = acc[c] / sum;
        }
        if (p != null) {
            for (int x = 0; x < n; x++) {
                p[(int) pOff + x] = s[x] / sum;
            }
        }
        return max + (float) Math.log(sum);
    }

    /** The largest number of edges of one row. */
    public static int maxDegree(int[] indptr) {
        int most = 0;
        for (int i = 0; i + 1 < indptr.length; i++) {
            most = Math.max(most, indptr[i + 1] - indptr[i]);
        }
        return most;
    }
}
