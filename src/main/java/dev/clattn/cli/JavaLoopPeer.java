package dev.clattn.cli;

import dev.clattn.AttentionRequest;
import dev.clattn.AttentionResult;
import dev.clattn.spi.Backend;
import dev.clattn.Causal;
import dev.clattn.Shape;
import java.util.stream.IntStream;

/**
 * The bench's "plain Java loop" peer: what a user without clattn would write, on tensors held as Java rows
 * ({@code float[N][D]}, the copy from the flat inputs included in its time). Rows in parallel (blocks of 16 per
 * task), a dot product per key, {@code Math.exp}, then an axpy per key into the output row, which HotSpot
 * vectorises (the dot product, a float reduction, it does not); causal rows stop at their last visible key.
 * No masks beyond causality, no weights: it exists to be timed beside clattn's CPU fallback on the same
 * inputs, and its answer is checked against float64 like every bench row.
 */
final class JavaLoopPeer implements Backend {
    private static final int ROWS_PER_TASK = 16;

    @Override
    public String name() {
        return "java-loop";
    }

    @Override
    public String device() {
        return "plain Java loop (" + Runtime.getRuntime().availableProcessors() + " threads, common pool)";
    }

    @Override
    public AttentionResult attention(AttentionRequest r) {
        Shape s = r.shape();
        if (r.mask() != null || r.bias() != null || r.keyLengths() != null || r.wantWeights() || r.hasLowerBound()
                || r.windowRight() >= 0
                || r.causal() == Causal.BOTTOM_RIGHT && s.queryLen() != s.keyLen()) {
            throw new IllegalArgumentException("--paths java-loop: expected mask none or causal, got another mask");
        }
        if (r.score().kind() != dev.clattn.Score.Kind.DOT || r.normalize() != dev.clattn.Normalize.SOFTMAX) {
            throw new IllegalArgumentException("--paths java-loop: expected --score dot, got " + r.score() + "/"
                    + r.normalize());
        }
        float[][] q = rows(r.q().toArray(), s.headDim());
        float[][] k = rows(r.k().toArray(), s.headDim());
        float[][] v = rows(r.v().toArray(), s.valueDim());
        float[][] out = new float[(int) s.lseElements()][s.valueDim()];
        float[] lse = r.wantLse() ? new float[(int) s.lseElements()] : null;
        int blocks = (s.queryLen() + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        IntStream.range(0, s.heads() * blocks).parallel().forEach(t -> {
            int bh = t / blocks;
            int i0 = (t % blocks) * ROWS_PER_TASK;
            float[] p = new float[s.keyLen()];
            for (int i = i0; i < Math.min(s.queryLen(), i0 + ROWS_PER_TASK); i++) {
                row(r, q, k, v, bh, i, p, out, lse);
            }
        });
        float[] flat = new float[(int) s.outElements()];
        for (int row = 0; row < out.length; row++) {
            System.arraycopy(out[row], 0, flat, row * s.valueDim(), s.valueDim());
        }
        return new AttentionResult(flat, null, lse);
    }

    /** [rows][width] from a flat row-major array: the layout a Java user holds, and one HotSpot vectorises. */
    private static float[][] rows(float[] flat, int width) {
        float[][] rows = new float[flat.length / width][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = java.util.Arrays.copyOfRange(flat, i * width, (i + 1) * width);
        }
        return rows;
    }

    private static void row(AttentionRequest r, float[][] q, float[][] k, float[][] v, int bh, int i, float[] p,
            float[][] out, float[] lse) {
        Shape s = r.shape();
        int kvHead = (bh / s.queryHeads()) * s.kvHeads() + (bh % s.queryHeads()) / s.group();
        int n = r.causal() == Causal.NONE ? s.keyLen() : Math.min(s.keyLen(), i + 1);
        float[] qi = q[bh * s.queryLen() + i];
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            float[] kj = k[kvHead * s.keyLen() + j];
            float dot = 0;
            for (int e = 0; e < kj.length; e++) {
                dot += qi[e] * kj[e];
            }
            p[j] = dot * r.scale();
            max = Math.max(max, p[j]);
        }
        float sum = 0;
        for (int j = 0; j < n; j++) {
            p[j] = (float) Math.exp(p[j] - max);
            sum += p[j];
        }
        float[] oi = out[bh * s.queryLen() + i];
        for (int j = 0; j < n; j++) {
            float w = p[j] / sum;
            float[] vj = v[kvHead * s.keyLen() + j];
            for (int c = 0; c < vj.length; c++) {
                oi[c] += w * vj[c];
            }
        }
        if (lse != null) {
            lse[bh * s.queryLen() + i] = max + (float) Math.log(sum);
        }
    }

    @Override
    public float[] qkt(AttentionRequest request) {
        throw new IllegalArgumentException("--paths java-loop: runs whole attention only");
    }

    @Override
    public float[] softmaxRows(AttentionRequest request, float[] scores, float[] lse) {
        throw new IllegalArgumentException("--paths java-loop: runs whole attention only");
    }

    @Override
    public float[] av(AttentionRequest request, float[] weights) {
        throw new IllegalArgumentException("--paths java-loop: runs whole attention only");
    }

    @Override
    public void close() {
    }

    @Override
    public float[] linear(dev.clattn.Linear request) {
        throw new IllegalArgumentException("--paths java-loop: runs whole attention only");
    }

    @Override
    public float[] attentionPatches(dev.clattn.PatchAttention request) {
        throw new IllegalArgumentException("--paths java-loop: runs whole attention only");
    }

    @Override
    public dev.clattn.spi.KvStore kvStore(dev.clattn.KvCache.Layout layout) {
        throw new UnsupportedOperationException("the Java loop peer keeps no KV cache");
    }

    @Override
    public Object uploadResident(dev.clattn.FloatData data) {
        throw new UnsupportedOperationException("the Java loop peer keeps no device tensors");
    }

    @Override
    public void freeResident(Object handle) {
    }
}
