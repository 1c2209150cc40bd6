package dev.clattn;

/**
 * The additive score act(a_q·q_i + a_k·k_j) as a dot product of projections, so that every kernel and path
 * that computes q·k computes it unchanged: Q' = [u_i, e_g] and K' = [1, v_j^(0), …, v_j^(G−1)] with
 * u = a_q·q, v^(g) = a_k·k for query head g of the key head's group (G = 1 for weights shared by the heads),
 * so Q'·K' = u_i + v_j^(g) exactly up to its one rounding: the one-hot terms add exact zeros. The projections
 * are O((Nq + G·Nk)·D) against the attention's O(Nq·Nk), computed in float64 and rounded once.
 */
final class AdditiveProjection {
    private final AttentionRequest r;
    private final Score a;
    private final int columns;

    AdditiveProjection(AttentionRequest r) {
        this.r = r;
        this.a = r.score();
        this.columns = a.perHead() ? r.shape().group() : 1;
    }

    /** Refuses what an additive score cannot take: weights of another D or head count, a scale, half storage. */
    static void check(AttentionRequest r, boolean scaleGiven) {
        Shape s = r.shape();
        Score a = r.score();
        if (a.headDim() != s.headDim() || a.perHead() && a.heads() != s.queryHeads()) {
            throw new InvalidRequestException("additive", "weights [2, D] = [2, " + s.headDim() + "] or [Hq, 2, D] = ["
                    + s.queryHeads() + ", 2, " + s.headDim() + "]", a.perHead() ? "[" + a.heads() + ", 2, "
                    + a.headDim() + "]" : "[2, " + a.headDim() + "]");
        }
        if (scaleGiven) {
            throw new InvalidRequestException("scale", "no scale with the additive score (it has none)", "a scale");
        }
        if (r.storage() != Storage.F32) {
            throw new InvalidRequestException("storage", "F32 with the additive score", r.storage().toString());
        }
        if (r.q().resident() != null || r.k().resident() != null) {
            throw new InvalidRequestException(r.q().resident() != null ? "q" : "k",
                    "host data with the additive score (its projections are made on the host)", "a DeviceTensor");
        }
    }

    /** D' = 1 + G. */
    int width() {
        return 1 + columns;
    }

    /** Q' in the request's layout: [u, e_g] per query row and head. */
    float[] queries() {
        Shape s = r.shape();
        float[] q = r.q().toArray();
        float[] out = new float[Math.toIntExact(s.qElements() / s.headDim() * width())];
        for (int b = 0; b < s.batch(); b++) {
            for (int h = 0; h < s.queryHeads(); h++) {
                for (int i = 0; i < s.queryLen(); i++) {
                    long row = row(b, h, i, s.queryHeads(), s.queryLen());
                    int o = (int) (row * width());
                    out[o] = project(q, row * s.headDim(), h, 0);
                    out[o + 1 + (columns == 1 ? 0 : h % columns)] = 1f;
                }
            }
        }
        return out;
    }

    /** K' in the request's layout: [1, v^(0), …, v^(G−1)] per key and key head. */
    float[] keys() {
        Shape s = r.shape();
        float[] k = r.k().toArray();
        float[] out = new float[Math.toIntExact(s.kElements() / s.headDim() * width())];
        for (int b = 0; b < s.batch(); b++) {
            for (int kh = 0; kh < s.kvHeads(); kh++) {
                for (int j = 0; j < s.keyLen(); j++) {
                    long row = row(b, kh, j, s.kvHeads(), s.keyLen());
                    int o = (int) (row * width());
                    out[o] = 1f;
                    for (int g = 0; g < columns; g++) {
                        out[o + 1 + g] = project(k, row * s.headDim(), kh * s.group() + g, 1);
                    }
                }
            }
        }
        return out;
    }

    private long row(int b, int h, int n, int heads, int len) {
        return r.layout() == Layout.BNHD ? ((long) b * len + n) * heads + h : ((long) b * heads + h) * len + n;
    }

    private float project(float[] x, long offset, int head, int which) {
        double acc = 0;
        for (int d = 0; d < r.shape().headDim(); d++) {
            acc += (double) a.weight(head, which, d) * x[(int) (offset + d)];
        }
        return (float) acc;
    }
}
