package dev.clattn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.clattn.testing.Data;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Kernel regression on both backends against the estimator written from its definition in float64. */
class NadarayaWatsonTest {
    /** ŷ(t) = Σ_i exp(−‖t − x_i‖² / 2σ²) y_i / Σ_i exp(…), per target column. */
    private static double[] exact(float[] x, float[] y, float[] at, int d, int targets, double sigma) {
        int n = x.length / d;
        int m = at.length / d;
        double[] out = new double[m * targets];
        for (int t = 0; t < m; t++) {
            double[] k = new double[n];
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                double sq = 0;
                for (int e = 0; e < d; e++) {
                    double diff = (double) at[t * d + e] - x[i * d + e];
                    sq += diff * diff;
                }
                k[i] = -sq / (2 * sigma * sigma);
                max = Math.max(max, k[i]);
            }
            double den = 0;
            for (int i = 0; i < n; i++) {
                k[i] = Math.exp(k[i] - max);
                den += k[i];
            }
            for (int c = 0; c < targets; c++) {
                double num = 0;
                for (int i = 0; i < n; i++) {
                    num += k[i] * y[i * targets + c];
                }
                out[t * targets + c] = num / den;
            }
        }
        return out;
    }

    @Test
    void predictionsAndWeightsMatchTheDefinitionOnBothBackends() {
        Random rnd = new Random(4);
        int d = 3;
        int targets = 2;
        float[] x = Data.gaussian(rnd, 97L * d, 2);
        float[] y = Data.gaussian(rnd, 97L * targets, 1);
        float[] at = Data.gaussian(rnd, 33L * d, 2);
        NadarayaWatson model = new NadarayaWatson(x, y, d, targets);
        for (BackendKind kind : new BackendKind[] {BackendKind.CPU, BackendKind.AUTO}) {
            try (Attention engine = Attention.open(Config.builderFromEnvironment().backend(kind).build())) {
                for (float sigma : new float[] {0.05f, 0.5f, 1f, 30f}) {
                    AttentionResult r = model.predict(engine, at, sigma, true);
                    double[] want = exact(x, y, at, d, targets, sigma);
                    for (int v = 0; v < want.length; v++) {
                        assertEquals(want[v], r.output()[v], 1e-5 * (1 + Math.abs(want[v])), kind + " sigma "
                                + sigma + " at " + v);
                    }
                    for (int t = 0; t < 33; t++) {
                        double sum = 0;
                        for (int i = 0; i < 97; i++) {
                            sum += r.weights()[t * 97 + i];
                        }
                        assertEquals(1, sum, 1e-5, "the weights of test point " + t + " sum to 1");
                    }
                }
            }
        }
    }

    @Test
    void badInputNamesItsArgument() {
        float[] x = new float[6];
        assertEquals("y: expected [n, targets] = [3, 1] = 3 floats, got 4 floats", assertThrows(
                InvalidRequestException.class, () -> new NadarayaWatson(x, new float[4], 2, 1)).getMessage());
        assertEquals("x: expected [n, 4] floats, n >= 1, got 6 floats", assertThrows(InvalidRequestException.class,
                () -> new NadarayaWatson(x, new float[1], 4, 1)).getMessage());
        NadarayaWatson model = new NadarayaWatson(x, new float[3], 2, 1);
        assertEquals("sigma: expected a finite bandwidth > 0, got 0.0", assertThrows(InvalidRequestException.class,
                () -> model.request(new float[2], 0f, false)).getMessage());
        assertEquals("at: expected [m, 2] floats, m >= 1, got 3 floats", assertThrows(InvalidRequestException.class,
                () -> model.request(new float[3], 1f, false)).getMessage());
    }
}
