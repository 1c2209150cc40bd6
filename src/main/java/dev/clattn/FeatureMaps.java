package dev.clattn;

/** Feature maps [B, C, N] as rows [B·N, C] and back, and the 2×2 max-pooling of rows over (H, W). */
final class FeatureMaps {
    private FeatureMaps() {
    }

    static float[] toRows(float[] x, int batch, int c, int n) {
        float[] rows = HostMemory.floats("rows", (long) batch * n * c);
        for (int b = 0; b < batch; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < n; i++) {
                    rows[(b * n + i) * c + ch] = x[(b * c + ch) * n + i];
                }
            }
        }
        return rows;
    }

    static float[] fromRows(float[] rows, int batch, int c, int n) {
        float[] x = HostMemory.floats("output", (long) batch * n * c);
        for (int b = 0; b < batch; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < n; i++) {
                    x[(b * c + ch) * n + i] = rows[(b * n + i) * c + ch];
                }
            }
        }
        return x;
    }

    /** Rows [B·T·H·W, D] pooled to [B·T·(H/2)·(W/2), D]: the max of each 2×2 block (floor: an odd edge is dropped). */
    static float[] pool(float[] rows, int batch, int t, int h, int w, int d) {
        int ph = h / 2;
        int pw = w / 2;
        float[] out = HostMemory.floats("pooled", (long) batch * t * ph * pw * d);
        for (int bt = 0; bt < batch * t; bt++) {
            for (int y = 0; y < ph; y++) {
                for (int x = 0; x < pw; x++) {
                    for (int e = 0; e < d; e++) {
                        float m = Float.NEGATIVE_INFINITY;
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dx = 0; dx < 2; dx++) {
                                m = Math.max(m, rows[((bt * h + 2 * y + dy) * w + 2 * x + dx) * d + e]);
                            }
                        }
                        out[((bt * ph + y) * pw + x) * d + e] = m;
                    }
                }
            }
        }
        return out;
    }
}
