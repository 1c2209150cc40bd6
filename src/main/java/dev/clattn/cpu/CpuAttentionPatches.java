package dev.clattn.cpu;

import dev.clattn.PatchAttention;

/**
 * Attention over an image's patches in plain Java, with attention_patches.cl's arithmetic: for each offset of
 * the search window, the squared differences of a band of rows and its halo, summed as box filters (rows, then
 * columns), and the pixel's weight exp(−scale · d²) added to its sums. The score's maximum is the pixel's own
 * (0), so no running max is needed.
 */
final class CpuAttentionPatches {
    private CpuAttentionPatches() {
    }

    /** Output rows [y0, y1) of the image into out. */
    static void rows(PatchAttention r, int y0, int y1, float[] out) {
        int p = r.patch();
        int c = r.channels();
        int w = r.width();
        int big = r.search() / 2;
        int we = r.extendedWidth();
        int he = r.extendedHeight();
        int hy = y1 - y0 + p - 1;
        int hx = w + p - 1;
        float[] e = r.extended();
        float[] sq = new float[hy * hx];
        float[] hs = new float[hy * w];
        float[] num = new float[(y1 - y0) * w * c];
        float[] den = new float[(y1 - y0) * w];
        for (int dy = -big; dy <= big; dy++) {
            for (int dx = -big; dx <= big; dx++) {
                java.util.Arrays.fill(sq, 0f);
                for (int ch = 0; ch < c; ch++) {
                    for (int i = 0; i < hy; i++) {
                        int q = (ch * he + y0 + big + i) * we + big;
                        int k = q + dy * we + dx;
                        for (int j = 0; j < hx; j++) {
                            float d = e[q + j] - e[k + j];
                            sq[i * hx + j] += d * d;
                        }
                    }
                }
                for (int i = 0; i < hy; i++) {
                    for (int j = 0; j < w; j++) {
                        float s = 0;
                        for (int t = 0; t < p; t++) {
                            s += sq[i * hx + j + t];
                        }
                        hs[i * w + j] = s;
                    }
                }
                for (int y = 0; y < y1 - y0; y++) {
                    int v = (y0 + y + big + p / 2 + dy) * we + big + p / 2 + dx;
                    for (int x = 0; x < w; x++) {
                        float d2 = 0;
                        for (int t = 0; t < p; t++) {
                            d2 += hs[(y + t) * w + x];
                        }
                        float weight = (float) Math.exp(-r.scale() * d2);
                        den[y * w + x] += weight;
                        for (int ch = 0; ch < c; ch++) {
                            num[(y * w + x) * c + ch] += weight * e[v + ch * he * we + x];
                        }
                    }
                }
            }
        }
        for (int x = 0; x < num.length; x++) {
            out[y0 * w * c + x] = num[x] / den[x / c];
        }
    }
}
