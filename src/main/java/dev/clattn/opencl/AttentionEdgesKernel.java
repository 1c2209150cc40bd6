package dev.clattn.opencl;

import dev.clattn.Shape;
import java.util.Map;

/** Host launcher of attention_edges.cl: attention over a graph's edges, one program per (D, Dv). */
final class AttentionEdgesKernel extends WorkGroupLauncher {
    /** The last program's defines, kept so that a repeated shape builds no string. */
    private int lastD;
    private int lastDv;
    private String lastScore;
    private String lastDefines;

    AttentionEdgesKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides, false);
    }

    /**
     * O, LSE and (with {@code p}) the weights per edge for every head, in parts of at most maxGroups heads;
     * {@code score}: the request's {@link ScoreDefines#of}.
     */
    void enqueue(Shape s, String score, float scale, ClBuffer q, ClBuffer k, ClBuffer v, ClBuffer o, ClBuffer lse,
            ClBuffer p, boolean writeP, ClBuffer indptr, ClBuffer indices, long edges, Masks masks, int maxGroups) {
        if (lastDefines == null || lastD != s.headDim() || lastDv != s.valueDim() || !score.equals(lastScore)) {
            lastDefines = " -DHEAD_D=" + s.headDim() + " -DHEAD_DV=" + s.valueDim() + score;
            lastScore = score;
            lastD = s.headDim();
            lastDv = s.valueDim();
        }
        int wg = wg();
        for (int h0 = 0; h0 < s.heads(); h0 += maxGroups) {
            begin(lastDefines).mem(q).mem(k).mem(v).mem(o).mem(lse).mem(p).mem(indptr).mem(indices)
                    .i(s.queryHeads()).i(s.group()).i(s.queryLen()).i(s.keyLen()).i(h0).f(scale).i(writeP ? 1 : 0)
                    .l(edges).mask(masks.structural()).operand(masks.mask()).operand(masks.bias());
            launch2(ceilDiv(s.queryLen(), wg) * wg, Math.min(maxGroups, s.heads() - h0), wg, 1);
        }
    }
}
