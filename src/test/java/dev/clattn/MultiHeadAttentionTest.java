package dev.clattn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.clattn.testing.Data;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The layer against PyTorch's nn.MultiheadAttention math written out in float64, on both backends, and small
 * hand-computed cases that pin the weight layout (which rows of in_proj_weight are Q, K, V) and mask polarity.
 */
class MultiHeadAttentionTest {
    private static double[] linear(float[] x, int rows, int in, float[] w, float[] b, int out) {
        double[] y = new double[rows * out];
        for (int n = 0; n < rows; n++) {
            for (int o = 0; o < out; o++) {
                double s = b[o];
                for (int i = 0; i < in; i++) {
                    s += (double) x[n * in + i] * w[o * in + i];
                }
                y[n * out + o] = s;
            }
        }
        return y;
    }

    /** PyTorch's forward: projections, per-head softmax(q·kᵀ/√dh + mask), heads concatenated, out_proj. */
    private static double[][] reference(int e, int h, int hk, float[][] p, float[] query, float[] key, float[] value,
            int batch, int nq, int nk, boolean[] padding, boolean[] attn, boolean causal, double rope) {
        int dh = e / h;
        double[] q = linear(query, batch * nq, e, p[0], p[1], e);
        double[] k = linear(key, batch * nk, e, p[2], p[3], hk * dh);
        if (rope != 0) {
            rotate(q, batch * nq, h, dh, nq, nk - nq, rope);
            rotate(k, batch * nk, hk, dh, nk, 0, rope);
        }
        double[] v = linear(value, batch * nk, e, p[4], p[5], hk * dh);
        double[] o = new double[batch * nq * e];
        double[] avg = new double[batch * nq * nk];
        for (int b = 0; b < batch; b++) {
            for (int hh = 0; hh < h; hh++) {
                int kh = hh / (h / hk);
                for (int i = 0; i < nq; i++) {
                    double[] s = new double[nk];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < nk; j++) {
                        boolean hidden = padding != null && padding[b * nk + j] || attn != null && attn[i * nk + j]
                                || causal && j > i;
                        double dot = 0;
                        for (int d = 0; d < dh; d++) {
                            dot += q[(b * nq + i) * e + hh * dh + d] * k[(b * nk + j) * hk * dh + kh * dh + d];
                        }
                        s[j] = hidden ? Double.NEGATIVE_INFINITY : dot / Math.sqrt(dh);
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < nk; j++) {
                        s[j] = max == Double.NEGATIVE_INFINITY ? 0 : Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int j = 0; j < nk; j++) {
                        double w = sum == 0 ? 0 : s[j] / sum;
                        avg[(b * nq + i) * nk + j] += w / h;
                        for (int d = 0; d < dh; d++) {
                            o[(b * nq + i) * e + hh * dh + d] += w * v[(b * nk + j) * hk * dh + kh * dh + d];
                        }
                    }
                }
            }
        }
        float[] of = new float[o.length];
        for (int x = 0; x < o.length; x++) {
            of[x] = (float) o[x];
        }
        return new double[][] {linear(of, batch * nq, e, p[6], p[7], e), avg};
    }

    /** Rows [B·len][heads·dh]: each head's vector rotated half by half at position (row % len) + first. */
    private static void rotate(double[] x, int rows, int heads, int dh, int len, int first, double base) {
        for (int r = 0; r < rows; r++) {
            for (int hh = 0; hh < heads; hh++) {
                int o = (r * heads + hh) * dh;
                for (int i = 0; i < dh / 2; i++) {
                    double angle = (r % len + first) * Math.pow(base, -2.0 * i / dh);
                    double a = x[o + i];
                    double b = x[o + i + dh / 2];
                    x[o + i] = a * Math.cos(angle) - b * Math.sin(angle);
                    x[o + i + dh / 2] = b * Math.cos(angle) + a * Math.sin(angle);
                }
            }
        }
    }

    private static void close(String what, float[] got, double[] want, double tol) {
        for (int x = 0; x < want.length; x++) {
            if (!(Math.abs(got[x] - want[x]) <= tol * (1 + Math.abs(want[x])))) {
                fail(what + " at " + x + ": " + got[x] + ", expected " + want[x]);
            }
        }
    }

    @Test
    void theLayerMatchesPyTorchsMathOnBothBackends() {
        int[][] shapes = {{8, 2, 2, 2, 5, 7}, {12, 4, 1, 1, 9, 9}, {6, 3, 3, 3, 1, 4}, {16, 4, 2, 1, 33, 17}};
        for (BackendKind kind : new BackendKind[] {BackendKind.CPU, BackendKind.AUTO}) {
            try (Attention engine = Attention.open(Config.builderFromEnvironment().backend(kind).build())) {
                for (int[] s : shapes) {
                    int e = s[0];
                    int h = s[1];
                    int hk = s[2];
                    int batch = s[3];
                    int nq = s[4];
                    int nk = s[5];
                    int kv = hk * (e / h);
                    Random rnd = new Random(e * 7L + nq);
                    float a = (float) (1 / Math.sqrt(e));
                    float[][] p = {Data.gaussian(rnd, e * e, a), Data.gaussian(rnd, e, 0.1f), Data.gaussian(rnd, kv * e, a),
                        Data.gaussian(rnd, kv, 0.1f), Data.gaussian(rnd, kv * e, a), Data.gaussian(rnd, kv, 0.1f),
                        Data.gaussian(rnd, e * e, a), Data.gaussian(rnd, e, 0.1f)};
                    MultiHeadAttention layer = MultiHeadAttention.builder(e, h).kvHeads(hk)
                            .separateProj(p[0], p[1], p[2], p[3], p[4], p[5]).outProj(p[6], p[7]).build();
                    float[] query = Data.gaussian(rnd, (long) batch * nq * e, 1);
                    float[] key = Data.gaussian(rnd, (long) batch * nk * e, 1);
                    float[] value = Data.gaussian(rnd, (long) batch * nk * e, 1);
                    boolean[] padding = new boolean[batch * nk];
                    for (int x = 0; x < padding.length; x++) {
                        padding[x] = rnd.nextInt(4) == 0;
                    }
                    boolean[] attn = new boolean[nq * nk];
                    for (int x = 0; x < attn.length; x++) {
                        attn[x] = rnd.nextInt(5) == 0;
                    }
                    for (int variant = 0; variant < ((e / h) % 2 == 0 ? 4 : 3); variant++) {
                        MhaOptions o = MhaOptions.none().needWeights(true);
                        o = variant == 1 ? o.keyPaddingMask(padding).attnMask(attn, nq, nk) : variant == 2
                                ? o.causal(true) : variant == 3 ? o.rope(100f) : o;
                        MultiHeadAttention.Result r = layer.forward(engine, query, key, value, batch, nq, nk, o);
                        double[][] want = reference(e, h, hk, p, query, key, value, batch, nq, nk,
                                variant == 1 ? padding : null, variant == 1 ? attn : null, variant == 2,
                                variant == 3 ? 100 : 0);
                        String what = kind + " " + java.util.Arrays.toString(s) + " variant " + variant;
                        close(what + " output", r.output(), want[0], 1e-4);
                        close(what + " weights", r.weights(), want[1], 1e-5);
                    }
                }
            }
        }
    }

    /**
     * E = 2, one head. in_proj_weight = [Q = I; K = 10 I; V = 3 I], in_proj_bias = [0, 0 | 0, 5 | 0, 0]: the query
     * [1, 0] scores the keys [1, 0] and [0, 1] 10/√2 and 0 (were Q's and K's rows swapped, 10/√2 and 5/√2), and the
     * output is 3 (w0, w1). A mask that hides key 1 leaves 3 (1, 0) exactly, however it is given.
     */
    @Test
    void handComputedCasesPinTheLayoutAndTheMaskPolarity() {
        float[] in = {1, 0, 0, 1, 10, 0, 0, 10, 3, 0, 0, 3};
        float[] inBias = {0, 0, 0, 5, 0, 0};
        MultiHeadAttention layer = MultiHeadAttention.builder(2, 1).inProj(in, inBias).outProj(new float[] {1, 0, 0, 1},
                null).build();
        float[] query = {1, 0};
        float[] key = {1, 0, 0, 1};
        try (Attention engine = Attention.open(Config.builderFromEnvironment().backend(BackendKind.CPU).build())) {
            double w0 = 1 / (1 + Math.exp(-10 / Math.sqrt(2)));
            float[] out = layer.forward(engine, query, key, key, 1, 1, 2, null).output();
            assertEquals(3 * w0, out[0], 1e-6);
            assertEquals(3 * (1 - w0), out[1], 1e-6);
            for (MhaOptions hide : new MhaOptions[] {MhaOptions.none().keyPaddingMask(new boolean[] {false, true}),
                MhaOptions.none().attnMask(new boolean[] {false, true}, 1, 2),
                MhaOptions.none().attnMask(new float[] {0, Float.NEGATIVE_INFINITY}, 1, 2)}) {
                float[] o = layer.forward(engine, query, key, key, 1, 1, 2, hide).output();
                assertEquals(3f, o[0]);
                assertEquals(0f, o[1]);
            }
        }
    }

    /** sin on the even features, cos on the odd, at frequencies 10000^(−2i/E). */
    @Test
    void theSinusoidalEncodingIsVaswanis() {
        float[] pe = MultiHeadAttention.sinusoidal(3, 4);
        assertEquals(0f, pe[0]);
        assertEquals(1f, pe[1]);
        assertEquals((float) Math.sin(2), pe[8]);
        assertEquals((float) Math.cos(2), pe[9]);
        assertEquals((float) Math.sin(2 / 100.0), pe[10]);
        assertEquals((float) Math.cos(2 / 100.0), pe[11]);
    }

    @Test
    void badWeightsAndMasksNameTheirArgument() {
        assertEquals("num_heads: expected a divisor of embed_dim = 6, got 4", assertThrows(InvalidRequestException.class,
                () -> MultiHeadAttention.builder(6, 4)).getMessage());
        assertEquals("in_proj_weight: expected 48 floats, got 47 floats", assertThrows(InvalidRequestException.class,
                () -> MultiHeadAttention.builder(4, 2).inProj(new float[47], null).outProj(new float[16], null)
                        .build()).getMessage());
        MultiHeadAttention layer = MultiHeadAttention.builder(4, 2).inProj(new float[48], null)
                .outProj(new float[16], null).build();
        try (Attention engine = Attention.open(Config.builderFromEnvironment().backend(BackendKind.CPU).build())) {
            assertEquals("key_padding_mask: expected [B, Nk] = 6 values, got 5 values", assertThrows(
                    InvalidRequestException.class, () -> layer.forward(engine, new float[8], new float[24],
                            new float[24], 2, 1, 3, MhaOptions.none().keyPaddingMask(new boolean[5]))).getMessage());
            assertEquals("attn_mask: expected dims [1, 3] ([Nq, Nk] or [B*H, Nq, Nk]), got [3, 1] of 3 values",
                    assertThrows(InvalidRequestException.class, () -> layer.forward(engine, new float[8],
                            new float[24], new float[24], 2, 1, 3, MhaOptions.none().attnMask(new boolean[3], 3, 1)))
                            .getMessage());
        }
    }
}
