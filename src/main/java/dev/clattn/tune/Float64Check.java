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
     * edges, key lengths, bias, grouped heads, every score function and normalisation allowed), each recomputed in
     * float64 straight from the definition. With half storage the exact result is that of the inputs rounded to fp16, as {@link dev.clattn.Storage} says.
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
                w[j] = score(r, q, (int) ((long) bh * s.queryLen() + i) * d, k, (int) ((kvh * s.keyLen() + j) * d), h)
                        + (r.bias() == null ? 0
                        : r.bias().data()[(int) (r.bias().rowOffset(b, h, i) + j * r.bias().keyStride())]);
                max = Math.max(max, w[j]);
            }
            double sum = 0;
            boolean mean = r.normalize() == dev.clattn.Normalize.MEAN;
            for (int j = first; j < visible; j++) {
                boolean hidden = on != null && !on[j] || w[j] == Double.NEGATIVE_INFINITY;
                w[j] = hidden ? 0 : mean ? w[j] : Math.exp(w[j] - max);
                sum += mean ? (hidden ? 0 : 1) : w[j];
            }
            for (int c = 0; c < s.valueDim(); c++) {
                double o = 0;
                for (int j = first; j < visible; j++) {
                    o += sum == 0 ? 0 : w[j] / sum * v[(int) ((kvh * s.keyLen() + j) * s.valueDim() + c)];
                }
                worst = Math.max(worst, Math.abs(o - out[(int) (((long) bh * s.queryLen() + i) * s.valueDim() + c)]));
            }
        }
        return worst;
    }

    /** The score of Q's row at qo and K's row at ko (query head h), from its definition. */
    private static double score(AttentionRequest r, float[] q, int qo, float[] k, int ko, int h) {
        dev.clattn.Score fn = r.score();
        double acc = 0;
        switch (fn.kind()) {
            case DOT -> {
                for (int e = 0; e < r.shape().headDim(); e++) {
                    acc += (double) q[qo + e] * k[ko + e];
                }
                return acc * r.scale();
            }
            case NEG_SQ_DIST -> {
                for (int e = 0; e < r.shape().headDim(); e++) {
                    double t = (double) q[qo + e] - k[ko + e];
                    acc += t * t;
                }
                return -acc * r.scale();
            }
            default -> {
                for (int e = 0; e < r.shape().headDim(); e++) {
                    acc += (double) fn.weight(h, 0, e) * q[qo + e] + (double) fn.weight(h, 1, e) * k[ko + e];
                }
                return acc < 0 ? fn.slope() * acc : acc;
            }
        }
    }
}
