package dev.clattn.testing;

import dev.clattn.AttentionRequest;
import dev.clattn.Broadcast;
import dev.clattn.Causal;
import dev.clattn.Normalize;
import dev.clattn.Score;
import dev.clattn.Shape;

/**
 * The naive reference, written from the semantics and sharing no code with the library: straight loops in
 * float64, or the same loops rounded to float32 after every operation (the error a naive float32
 * implementation makes, which sets the tolerance).
 */
public final class Naive {
    public enum Precision { F64, F32 }

    /** Reference outputs. */
    public record Result(double[] out, double[] weights, double[] lse) {
    }

    private final AttentionRequest r;
    private final Shape s;
    private final Precision precision;
    private final double[] q;
    private final double[] k;
    private final float[] v;

    public Naive(AttentionRequest r, Precision precision) {
        this.r = r;
        this.s = r.shape();
        this.precision = precision;
        this.q = rotated(r.q().toArray(), s.queryHeads(), s.queryLen(), s.keyLen() - s.queryLen());
        this.k = rotated(r.k().toArray(), s.kvHeads(), s.keyLen(), 0);
        this.v = r.v().toArray();
        if (r.edges() != null) {
            onGraph = new boolean[s.queryLen()][s.keyLen()];
            for (int i = 0; i < s.queryLen(); i++) {
                for (int e = r.edges().start(i); e < r.edges().start(i + 1); e++) {
                    onGraph[i][r.edges().key(e)] = true;
                }
            }
        } else {
            onGraph = null;
        }
    }

    /**
     * [B][heads][len][D] with the request's rotary positions from their definition (row n at position n + first):
     * x_i cos − x_{i+D/2} sin and x_{i+D/2} cos + x_i sin of the angle position · base^(−2i/D).
     */
    private double[] rotated(float[] x, int heads, int len, int first) {
        double[] out = new double[x.length];
        int d = s.headDim();
        for (int row = 0; row < x.length / d; row++) {
            for (int e = 0; e < d; e++) {
                out[row * d + e] = x[row * d + e];
            }
            if (r.rope() == 0) {
                continue;
            }
            int pos = row % len + first;
            for (int i = 0; i < d / 2; i++) {
                double angle = pos * Math.pow(r.rope(), -2.0 * i / d);
                double c = rd(Math.cos(angle));
                double sn = rd(Math.sin(angle));
                double a = x[row * d + i];
                double b = x[row * d + i + d / 2];
                out[row * d + i] = rd(rd(a * c) - rd(b * sn));
                out[row * d + i + d / 2] = rd(rd(b * c) + rd(a * sn));
            }
        }
        return out;
    }

    /** Per query row, the keys its edges name; null without a graph. */
    private final boolean[][] onGraph;

    private double rd(double x) {
        return precision == Precision.F32 ? (float) x : x;
    }

    /** Causality, the sliding window, the graph and key length only. */
    public boolean structurallyVisible(int b, int i, int j) {
        if (onGraph != null && !onGraph[i][j]) {
            return false;
        }
        int[] lengths = r.keyLengths();
        if (lengths != null && j >= lengths[b]) {
            return false;
        }
        long diagonal = (long) i + s.keyLen() - s.queryLen();
        if (r.windowLeft() >= 0 && j < diagonal - r.windowLeft()) {
            return false;
        }
        if (r.windowRight() >= 0 && j > diagonal + r.windowRight()) {
            return false;
        }
        if (r.causal() == Causal.TOP_LEFT) {
            return j <= i;
        }
        if (r.causal() == Causal.BOTTOM_RIGHT) {
            return j <= i + s.keyLen() - s.queryLen();
        }
        return true;
    }

    /** Causality, key length and the boolean mask (the bias is a score, not a visibility rule). */
    public boolean visible(int b, int h, int i, int j) {
        Broadcast<byte[]> m = r.mask();
        return structurallyVisible(b, i, j)
                && (m == null || m.data()[(int) (m.rowOffset(b, h, i) + j * m.keyStride())] != 0);
    }

    private double bias(int b, int h, int i, int j) {
        Broadcast<float[]> bias = r.bias();
        return bias == null ? 0 : bias.data()[(int) (bias.rowOffset(b, h, i) + j * bias.keyStride())];
    }

    private int kvRow(int b, int h, int j) {
        return (b * s.kvHeads() + h / s.group()) * s.keyLen() + j;
    }

    /** The score from its definition: the dot product, the squared distance itself, or act(a_q·q + a_k·k). */
    private double score(int b, int h, int i, int j) {
        int d = s.headDim();
        int qo = ((b * s.queryHeads() + h) * s.queryLen() + i) * d;
        int ko = kvRow(b, h, j) * d;
        Score fn = r.score();
        double acc = 0;
        switch (fn.kind()) {
            case DOT -> {
                for (int e = 0; e < d; e++) {
                    acc = rd(acc + rd((double) q[qo + e] * k[ko + e]));
                }
                return rd(r.scale() * acc);
            }
            case NEG_SQ_DIST -> {
                for (int e = 0; e < d; e++) {
                    double t = rd((double) q[qo + e] - k[ko + e]);
                    acc = rd(acc + rd(t * t));
                }
                return -rd(r.scale() * acc);
            }
            default -> {
                double u = 0;
                for (int e = 0; e < d; e++) {
                    u = rd(u + rd((double) fn.weight(h, 0, e) * q[qo + e]));
                    acc = rd(acc + rd((double) fn.weight(h, 1, e) * k[ko + e]));
                }
                double x = rd(u + acc);
                return x < 0 ? rd(fn.slope() * x) : x;
            }
        }
    }

    /** S with −∞ where causality or key length hides the key. */
    public double[] qkt() {
        double[] out = new double[(int) s.scoreElements()];
        forEachRow((b, h, i, row) -> {
            for (int j = 0; j < s.keyLen(); j++) {
                out[row * s.keyLen() + j] = structurallyVisible(b, i, j) ? score(b, h, i, j) : Double.NEGATIVE_INFINITY;
            }
        });
        return out;
    }

    /** Softmax (or mean) of the given scores with every mask and the bias; fills lse. */
    public double[] softmaxRows(float[] scores, double[] lse) {
        double[] out = new double[scores.length];
        forEachRow((b, h, i, row) -> {
            double[] x = new double[s.keyLen()];
            for (int j = 0; j < s.keyLen(); j++) {
                x[j] = scores[row * s.keyLen() + j];
            }
            lse[row] = softmax(b, h, i, x, out, row * s.keyLen());
        });
        return out;
    }

    private double softmax(int b, int h, int i, double[] x, double[] out, int off) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < s.keyLen(); j++) {
            if (visible(b, h, i, j)) {
                x[j] = rd(x[j] + bias(b, h, i, j));
                if (x[j] > max || Double.isNaN(x[j])) {
                    max = x[j];
                }
            }
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return Double.NEGATIVE_INFINITY;
        }
        if (r.normalize() == Normalize.MEAN) {
            return mean(b, h, i, x, out, off);
        }
        double sum = 0;
        for (int j = 0; j < s.keyLen(); j++) {
            if (visible(b, h, i, j)) {
                out[off + j] = rd(Math.exp(rd(x[j] - max)));
                sum = rd(sum + out[off + j]);
            }
        }
        for (int j = 0; j < s.keyLen(); j++) {
            if (visible(b, h, i, j)) {
                out[off + j] = rd(out[off + j] / sum);
            }
        }
        return rd(max + rd(Math.log(sum)));
    }

    /** P = x / n over the n visible keys whose biased score is not −∞; returns log n. */
    private double mean(int b, int h, int i, double[] x, double[] out, int off) {
        int n = 0;
        for (int j = 0; j < s.keyLen(); j++) {
            if (visible(b, h, i, j) && x[j] != Double.NEGATIVE_INFINITY) {
                n++;
            }
        }
        for (int j = 0; j < s.keyLen(); j++) {
            if (visible(b, h, i, j) && x[j] != Double.NEGATIVE_INFINITY) {
                out[off + j] = rd(x[j] / n);
            }
        }
        return Math.log(n);
    }

    /** Σ_j P·V over structurally visible keys with a non-zero weight. */
    public double[] av(float[] weights) {
        double[] out = new double[(int) s.outElements()];
        forEachRow((b, h, i, row) -> {
            double[] p = new double[s.keyLen()];
            for (int j = 0; j < s.keyLen(); j++) {
                p[j] = structurallyVisible(b, i, j) ? weights[row * s.keyLen() + j] : 0;
            }
            accumulate(b, h, p, out, row * s.valueDim());
        });
        return out;
    }

    private void accumulate(int b, int h, double[] p, double[] out, int off) {
        for (int j = 0; j < s.keyLen(); j++) {
            if (p[j] != 0) {
                int vo = kvRow(b, h, j) * s.valueDim();
                for (int c = 0; c < s.valueDim(); c++) {
                    out[off + c] = rd(out[off + c] + rd(p[j] * v[vo + c]));
                }
            }
        }
    }

    /** The whole pipeline. */
    public Result attention() {
        double[] out = new double[(int) s.outElements()];
        double[] weights = new double[(int) s.scoreElements()];
        double[] lse = new double[(int) s.lseElements()];
        forEachRow((b, h, i, row) -> {
            double[] x = new double[s.keyLen()];
            for (int j = 0; j < s.keyLen(); j++) {
                x[j] = visible(b, h, i, j) ? score(b, h, i, j) : Double.NEGATIVE_INFINITY;
            }
            lse[row] = softmax(b, h, i, x, weights, row * s.keyLen());
            double[] p = java.util.Arrays.copyOfRange(weights, row * s.keyLen(), (row + 1) * s.keyLen());
            accumulate(b, h, p, out, row * s.valueDim());
        });
        return new Result(out, weights, lse);
    }

    private interface RowFn {
        void row(int b, int h, int i, int row);
    }

    private void forEachRow(RowFn fn) {
        for (int b = 0; b < s.batch(); b++) {
            for (int h = 0; h < s.queryHeads(); h++) {
                for (int i = 0; i < s.queryLen(); i++) {
                    fn.row(b, h, i, (b * s.queryHeads() + h) * s.queryLen() + i);
                }
            }
        }
    }
}
