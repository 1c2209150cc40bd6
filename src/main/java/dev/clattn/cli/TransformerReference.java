package dev.clattn.cli;

/**
 * {@link TransformerDemo}'s layers in float64, straight from their definitions and sharing no code with the
 * engine: multi-head attention as PyTorch computes it (in_proj rows Q, K, V; softmax(q·kᵀ/√dh) over the keys
 * neither padded nor in the future; heads concatenated; out_proj), the ReLU feed-forward, post-norm LayerNorm.
 */
final class TransformerReference {
    private TransformerReference() {
    }

    /** @param a in_proj weight, in_proj bias, out_proj weight, out_proj bias */
    static double[] run(double[][] encSelf, double[][] decSelf, double[][] cross, float[][] ffn, float[] src,
            float[] tgt, boolean[] padding, int batch, int ns, int nt, int e, int heads, int hidden) {
        double[] x = toDouble(src);
        double[] enc = norm(add(x, mha(encSelf, x, x, batch, ns, ns, e, heads, padding, false)), e);
        enc = norm(add(enc, ffn(enc, ffn, 0, e, hidden)), e);
        double[] y = toDouble(tgt);
        y = norm(add(y, mha(decSelf, y, y, batch, nt, nt, e, heads, null, true)), e);
        y = norm(add(y, mha(cross, y, enc, batch, nt, ns, e, heads, padding, false)), e);
        return norm(add(y, ffn(y, ffn, 3, e, hidden)), e);
    }

    private static double[] toDouble(float[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i];
        }
        return y;
    }

    private static double[] add(double[] a, double[] b) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = a[i] + b[i];
        }
        return y;
    }

    /** Rows of x times rows [row0, row0 + out) of w, plus b. */
    private static double[] linear(double[] x, int in, double[] w, int row0, int out, double[] b, int b0) {
        int rows = x.length / in;
        double[] y = new double[rows * out];
        for (int n = 0; n < rows; n++) {
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[b0 + o];
                for (int i = 0; i < in; i++) {
                    s += x[n * in + i] * w[(row0 + o) * in + i];
                }
                y[n * out + o] = s;
            }
        }
        return y;
    }

    private static double[] mha(double[][] a, double[] query, double[] kv, int batch, int nq, int nk, int e,
            int heads, boolean[] padding, boolean causal) {
        double[] q = linear(query, e, a[0], 0, e, a[1], 0);
        double[] k = linear(kv, e, a[0], e, e, a[1], e);
        double[] v = linear(kv, e, a[0], 2 * e, e, a[1], 2 * e);
        int dh = e / heads;
        double[] o = new double[batch * nq * e];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < nq; i++) {
                    double[] s = new double[nk];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < nk; j++) {
                        boolean hidden = padding != null && padding[b * nk + j] || causal && j > i;
                        double dot = 0;
                        for (int d = 0; d < dh; d++) {
                            dot += q[(b * nq + i) * e + h * dh + d] * k[(b * nk + j) * e + h * dh + d];
                        }
                        s[j] = hidden ? Double.NEGATIVE_INFINITY : dot / Math.sqrt(dh);
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < nk; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int j = 0; j < nk; j++) {
                        for (int d = 0; d < dh; d++) {
                            o[(b * nq + i) * e + h * dh + d] += s[j] / sum * v[(b * nk + j) * e + h * dh + d];
                        }
                    }
                }
            }
        }
        return linear(o, e, a[2], 0, e, a[3], 0);
    }

    private static double[] ffn(double[] x, float[][] w, int at, int e, int hidden) {
        double[] h = linear(x, e, toDouble(w[at]), 0, hidden, toDouble(w[at + 1]), 0);
        for (int i = 0; i < h.length; i++) {
            h[i] = Math.max(0, h[i]);
        }
        return linear(h, hidden, toDouble(w[at + 2]), 0, e, null, 0);
    }

    private static double[] norm(double[] x, int e) {
        double[] y = new double[x.length];
        for (int r = 0; r < x.length / e; r++) {
            double mean = 0;
            for (int i = 0; i < e; i++) {
                mean += x[r * e + i];
            }
            mean /= e;
            double var = 0;
            for (int i = 0; i < e; i++) {
                var += (x[r * e + i] - mean) * (x[r * e + i] - mean);
            }
            for (int i = 0; i < e; i++) {
                y[r * e + i] = (x[r * e + i] - mean) / Math.sqrt(var / e + 1e-5);
            }
        }
        return y;
    }
}
