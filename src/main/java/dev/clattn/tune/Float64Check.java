package dev.clattn.tune;

import dev.clattn.AttentionRequest;
import dev.clattn.Causal;
import dev.clattn.HostMemory;
import dev.clattn.Shape;
import dev.clattn.Storage;
import dev.clattn.cpu.Half;
import java.util.Random;

/** Problems for the demo, the benchmarks and the tuner, and a float64 check of sampled output rows. */
public final class Float64Check {
    private Float64Check() {
    }

    /** Self-attention with standard normal Q, K, V; refused before anything is made when the heap cannot hold them. */
    public static AttentionRequest selfAttention(Shape shape, Causal causal, Random rnd) {
        new HostMemory.Plan().add("q", 4 * shape.qElements()).add("k", 4 * shape.kElements())
                .add("v", 4 * shape.vElements()).add("output", 4 * shape.outElements()).require();
        return AttentionRequest.builder(shape).q(gaussian(rnd, "q", shape.qElements()))
                .k(gaussian(rnd, "k", shape.kElements())).v(gaussian(rnd, "v", shape.vElements())).causal(causal)
                .build();
    }

    private static float[] gaussian(Random rnd, String argument, long n) {
        float[] x = HostMemory.floats(argument, n);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    /**
     * Largest |O − exact| over {@code rows} random rows of a request without a boolean mask (causality, windows,
     * edges, key lengths, bias and grouped heads allowed), each recomputed in float64 straight from the definition. With
     * half storage the exact result is that of the inputs rounded to fp16, as {@link dev.clattn.Storage} says.
     */
    public static double sampledError(AttentionRequest r, float[] out, int rows) {
        if (r.mask() != null) {
            throw new IllegalArgumentException("request: sampledError covers causality, key lengths and bias, not a "
                    + "boolean mask");
        }
        Shape s = r.shape();
        float[] q = r.q().toArray();
        float[] k = r.k().toArray();
        float[] v = r.v().toArray();
        if (r.storage() != Storage.F32) {
            k = Half.round(k);
            v = Half.round(v);
            q = r.storage() == Storage.F16 ? Half.round(q) : q;
        }
        int d = s.headDim();
        Random rnd = new Random(2);
        double worst = 0;
        for (int n = 0; n < rows; n++) {
            int bh = rnd.nextInt(s.heads());
            int b = bh / s.queryHeads();
            int h = bh % s.queryHeads();
            long kvh = (long) b * s.kvHeads() + h / s.group();
            int i = rnd.nextInt(s.queryLen());
            int visible = r.keyLengths() == null ? s.keyLen() : r.keyLengths()[b];
            if (r.causal() != Causal.NONE) {
                visible = Math.max(0, Math.min(i + 1 + r.causal().offset(s.queryLen(), s.keyLen()), visible));
            }
            long diagonal = (long) i + s.keyLen() - s.queryLen();
            if (r.windowRight() >= 0) {
                visible = (int) Math.max(0, Math.min(visible, diagonal + r.windowRight() + 1));
            }
            int first = r.windowLeft() < 0 ? 0 : (int) Math.max(0, Math.min(visible, diagonal - r.windowLeft()));
            boolean[] on = null;
            if (r.edges() != null) {
                on = new boolean[s.keyLen()];
                for (int e = r.edges().start(i); e < r.edges().start(i + 1); e++) {
                    on[r.edges().key(e)] = true;
                }
            }
            double[] w = new double[visible];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = first; j < visible; j++) {
                if (on != null && !on[j]) {
                    continue;
                }
                double dot = 0;
                for (int e = 0; e < d; e++) {
                    dot += (double) q[((int) ((long) bh * s.queryLen() + i)) * d + e]
                            * k[(int) ((kvh * s.keyLen() + j) * d + e)];
                }
                w[j] = dot * r.scale() + (r.bias() == null ? 0
                        : r.bias().data()[(int) (r.bias().rowOffset(b, h, i) + j * r.bias().keyStride())]);
                max = Math.max(max, w[j]);
            }
            double sum = 0;
            for (int j = first; j < visible; j++) {
                w[j] = on != null && !on[j] ? 0 : Math.exp(w[j] - max);
                sum += w[j];
            }
            for (int c = 0; c < s.valueDim(); c++) {
                double o = 0;
                for (int j = first; j < visible; j++) {
                    o += w[j] / sum * v[(int) ((kvh * s.keyLen() + j) * s.valueDim() + c)];
                }
                worst = Math.max(worst, Math.abs(o - out[(int) (((long) bh * s.queryLen() + i) * s.valueDim() + c)]));
            }
        }
        return worst;
    }
}
