package dev.clattn.opencl;

import dev.clattn.Shape;
import java.util.Map;

/** Host launcher of attention_edges.cl: attention over a graph's edges, one program per (D, Dv). */
final class AttentionEdgesKernel extends WorkGroupLauncher {
    AttentionEdgesKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides, false);
    }

    /**
     * O, LSE and (with {@code p}) the weights per edge for every head, in parts of at most maxGroups heads;
     * {@code score}: the request's {@link ScoreDefines#of}.
     */
    void enqueue(Shape s, String score, float scale, ClBuffer q, ClBuffer k, ClBuffer v, ClBuffer o, ClBuffer lse,
            ClBuffer p, boolean writeP, ClBuffer indptr, ClBuffer indices, long edges, Masks masks, int maxGroups) {
        String defines = shapeDefines(s, dev.clattn.Storage.F32, score);
        int wg = wg();
        for (int h0 = 0; h0 < s.heads(); h0 += maxGroups) {
            begin(defines).mem(q).mem(k).mem(v).mem(o).mem(lse).mem(p).mem(indptr).mem(indices)
                    .i(s.queryHeads()).i(s.group()).i(s.queryLen()).i(s.keyLen()).i(h0).f(scale).i(writeP ? 1 : 0)
                    .l(edges).mask(masks.structural()).operand(masks.mask()).operand(masks.bias());
            launch2(ceilDiv(s.queryLen(), wg) * wg, Math.min(maxGroups, s.heads() - h0), wg, 1);
        }
    }
}
