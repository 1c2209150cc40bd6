package dev.clattn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.clattn.testing.Data;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The non-local block on both backends against Wang et al.'s equations, written out in float64. */
class NonLocalBlockTest {
    private record Weights(float[] theta, float[] thetaB, float[] phi, float[] phiB, float[] g, float[] gB, float[] wz,
            float[] wzB, float[] concat) {
    }

    private static Weights weights(Random rnd, int c, int inner, boolean concat) {
        float a = (float) (1 / Math.sqrt(c));
        return new Weights(Data.gaussian(rnd, inner * c, a), Data.gaussian(rnd, inner, 0.1f),
                Data.gaussian(rnd, inner * c, a), Data.gaussian(rnd, inner, 0.1f), Data.gaussian(rnd, inner * c, a),
                Data.gaussian(rnd, inner, 0.1f), Data.gaussian(rnd, c * inner, a), Data.gaussian(rnd, c, 0.1f),
                concat ? Data.gaussian(rnd, 2 * inner, 1) : null);
    }

    /** W·v + b for each pixel column of x [C][N]: [inner][N]. */
    private static double[][] conv(float[] w, float[] b, double[][] x, int out) {
        double[][] y = new double[out][x[0].length];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < x[0].length; i++) {
                double s = b[o];
                for (int c = 0; c < x.length; c++) {
                    s += (double) w[o * x.length + c] * x[c][i];
                }
                y[o][i] = s;
            }
        }
        return y;
    }

    /** The 2×2 max of each channel's [T][H][W] map, floor. */
    private static double[][] pool(double[][] m, int t, int h, int w) {
        double[][] out = new double[m.length][t * (h / 2) * (w / 2)];
        for (int c = 0; c < m.length; c++) {
            for (int f = 0; f < t; f++) {
                for (int y = 0; y < h / 2; y++) {
                    for (int x = 0; x < w / 2; x++) {
                        double best = Double.NEGATIVE_INFINITY;
                        for (int d = 0; d < 4; d++) {
                            best = Math.max(best, m[c][(f * h + 2 * y + d / 2) * w + 2 * x + d % 2]);
                        }
                        out[c][(f * (h / 2) + y) * (w / 2) + x] = best;
                    }
                }
            }
        }
        return out;
    }

    private static double[] reference(NonLocalBlock.Pairwise fn, boolean sub, Weights p, float[] x, int batch, int c,
            int inner, int t, int h, int w) {
        int n = t * h * w;
        double[] z = new double[x.length];
        for (int b = 0; b < batch; b++) {
            double[][] xb = new double[c][n];
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < n; i++) {
                    xb[ch][i] = x[(b * c + ch) * n + i];
                }
            }
            double[][] theta = conv(p.theta(), p.thetaB(), xb, inner);
            double[][] phi = conv(p.phi(), p.phiB(), xb, inner);
            double[][] g = conv(p.g(), p.gB(), xb, inner);
            double[][] qs = fn == NonLocalBlock.Pairwise.GAUSSIAN ? xb : theta;
            double[][] ks = fn == NonLocalBlock.Pairwise.GAUSSIAN ? xb : phi;
            if (sub) {
                ks = pool(ks, t, h, w);
                g = pool(g, t, h, w);
            }
            int nk = ks[0].length;
            double[][] y = new double[inner][n];
            for (int i = 0; i < n; i++) {
                double[] f = new double[nk];
                double norm = 0;
                for (int j = 0; j < nk; j++) {
                    double s = 0;
                    if (fn == NonLocalBlock.Pairwise.CONCATENATION) {
                        for (int e = 0; e < inner; e++) {
                            s += p.concat()[e] * qs[e][i] + p.concat()[inner + e] * ks[e][j];
                        }
                        f[j] = Math.max(0, s);
                        norm = nk;
                    } else {
                        for (int e = 0; e < qs.length; e++) {
                            s += qs[e][i] * ks[e][j];
                        }
                        f[j] = fn == NonLocalBlock.Pairwise.DOT_PRODUCT ? s : Math.exp(s);
                        norm = fn == NonLocalBlock.Pairwise.DOT_PRODUCT ? nk : norm + f[j];
                    }
                }
                for (int e = 0; e < inner; e++) {
                    for (int j = 0; j < nk; j++) {
                        y[e][i] += f[j] / norm * g[e][j];
                    }
                }
            }
            double[][] wy = conv(p.wz(), p.wzB(), y, c);
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < n; i++) {
                    z[(b * c + ch) * n + i] = wy[ch][i] + xb[ch][i];
                }
            }
        }
        return z;
    }

    @Test
    void everyPairwiseFunctionMatchesTheEquationsOnBothBackends() {
        int[][] shapes = {{2, 5, 3, 1, 5, 7}, {1, 4, 2, 3, 4, 3}, {1, 1, 1, 1, 2, 2}};
        for (BackendKind kind : new BackendKind[] {BackendKind.CPU, BackendKind.AUTO}) {
            try (Attention engine = Attention.open(Config.builderFromEnvironment().backend(kind).build())) {
                for (int[] s : shapes) {
                    for (NonLocalBlock.Pairwise fn : NonLocalBlock.Pairwise.values()) {
                        for (boolean sub : new boolean[] {false, true}) {
                            Random rnd = new Random(s[1] * 100L + s[4] * 10 + fn.ordinal());
                            Weights p = weights(rnd, s[1], s[2], fn == NonLocalBlock.Pairwise.CONCATENATION);
                            float[] x = Data.gaussian(rnd, (long) s[0] * s[1] * s[3] * s[4] * s[5], 1);
                            NonLocalBlock block = new NonLocalBlock(s[1], s[2], fn, sub, p.theta(), p.thetaB(),
                                    p.phi(), p.phiB(), p.g(), p.gB(), p.wz(), p.wzB(), p.concat());
                            float[] got = s[3] == 1 ? block.forward(engine, x, s[0], s[4], s[5])
                                    : block.forward(engine, x, s[0], s[3], s[4], s[5]);
                            double[] want = reference(fn, sub, p, x, s[0], s[1], s[2], s[3], s[4], s[5]);
                            for (int i = 0; i < want.length; i++) {
                                if (!(Math.abs(got[i] - want[i]) <= 1e-4 * (1 + Math.abs(want[i])))) {
                                    fail(kind + " " + fn + (sub ? " subsampled " : " ") + java.util.Arrays.toString(s)
                                            + " at " + i + ": " + got[i] + ", expected " + want[i]);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void badInputNamesItsArgument() {
        Random rnd = new Random(1);
        Weights p = weights(rnd, 3, 2, false);
        assertEquals("concat: expected 4 floats, got null", assertThrows(InvalidRequestException.class,
                () -> new NonLocalBlock(3, 2, NonLocalBlock.Pairwise.CONCATENATION, false, p.theta(), p.thetaB(),
                        p.phi(), p.phiB(), p.g(), p.gB(), p.wz(), p.wzB(), null)).getMessage());
        assertEquals("wz: expected 6 floats, got 5 floats", assertThrows(InvalidRequestException.class,
                () -> new NonLocalBlock(3, 2, NonLocalBlock.Pairwise.DOT_PRODUCT, false, p.theta(), p.thetaB(),
                        p.phi(), p.phiB(), p.g(), p.gB(), new float[5], p.wzB(), null)).getMessage());
        NonLocalBlock block = new NonLocalBlock(3, 2, NonLocalBlock.Pairwise.GAUSSIAN, true, p.theta(), p.thetaB(),
                p.phi(), p.phiB(), p.g(), p.gB(), p.wz(), p.wzB(), null);
        try (Attention engine = Attention.open(Config.builderFromEnvironment().backend(BackendKind.CPU).build())) {
            assertEquals("dims: expected H and W >= 2 to subsample 2x2, got 1 x 4", assertThrows(
                    InvalidRequestException.class, () -> block.forward(engine, new float[12], 1, 1, 4)).getMessage());
            assertEquals("x: expected [B, C, dims] = 36 floats, got 12 floats", assertThrows(
                    InvalidRequestException.class, () -> block.forward(engine, new float[12], 1, 3, 4)).getMessage());
        }
    }
}
