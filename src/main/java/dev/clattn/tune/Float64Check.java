package dev.clattn.tune;

import dev.clattn.AttentionRequest;
import dev.clattn.Causal;
import dev.clattn.Shape;
import java.util.Random;

/** Problems for the demo, the benchmarks and the tuner, and a float64 check of sampled output rows. */
public final class Float64Check {
    private Float64Check() {
    }

    /** Self-attention with standard normal Q, K, V. */
    public static AttentionRequest selfAttention(Shape shape, Causal causal, Random rnd) {
        return AttentionRequest.builder(shape).q(gaussian(rnd, shape.qElements())).k(gaussian(rnd, shape.kElements()))
                .v(gaussian(rnd, shape.vElements())).causal(causal).build();
    }

    private static float[] gaussian(Random rnd, long n) {
        float[] x = new float[Math.toIntExact(n)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    /**
     * Largest |O − exact| over {@code rows} random rows of a self-attention request (causal top-left or none),
     * each recomputed in float64 straight from the definition.
     */
    public static double sampledError(AttentionRequest r, float[] out, int rows) {
        Shape s = r.shape();
        float[] q = r.q().toArray();
        float[] k = r.k().toArray();
        float[] v = r.v().toArray();
        int d = s.headDim();
        Random rnd = new Random(2);
        double worst = 0;
        for (int n = 0; n < rows; n++) {
            int bh = rnd.nextInt(s.heads());
            int i = rnd.nextInt(s.queryLen());
            int visible = r.causal() == Causal.NONE ? s.keyLen() : i + 1;
            double[] w = new double[visible];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < visible; j++) {
                double dot = 0;
                for (int e = 0; e < d; e++) {
                    dot += (double) q[(bh * s.queryLen() + i) * d + e] * k[(bh * s.keyLen() + j) * d + e];
                }
                w[j] = dot * r.scale();
                max = Math.max(max, w[j]);
            }
            double sum = 0;
            for (int j = 0; j < visible; j++) {
                w[j] = Math.exp(w[j] - max);
                sum += w[j];
            }
            for (int c = 0; c < s.valueDim(); c++) {
                double o = 0;
                for (int j = 0; j < visible; j++) {
                    o += w[j] / sum * v[(bh * s.keyLen() + j) * s.valueDim() + c];
                }
                worst = Math.max(worst, Math.abs(o - out[(bh * s.queryLen() + i) * s.valueDim() + c]));
            }
        }
        return worst;
    }
}
