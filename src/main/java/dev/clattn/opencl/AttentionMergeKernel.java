package dev.clattn.opencl;

import java.util.Map;

/** Host launcher of attention_merge.cl: combines key-split partial results by their log-sum-exp. */
final class AttentionMergeKernel extends WorkGroupLauncher {
    AttentionMergeKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
    }

    /** parts [splits][rows][dv] and partLse [splits][rows] into o [rows][dv] and lse [rows]. */
    /** Rows go in grid dimension 1, launched in parts of at most {@code maxGroups}. */
    void enqueue(ClBuffer parts, ClBuffer partLse, ClBuffer o, ClBuffer lse, int splits, int rows, int dv,
            int maxGroups) {
        int wg = wg();
        for (int row0 = 0; row0 < rows; row0 += maxGroups) {
            begin("").mem(parts).mem(partLse).mem(o).mem(lse).i(splits).i(rows).i(dv).i(row0);
            launch2(ceilDiv(dv, wg) * wg, Math.min(maxGroups, rows - row0), wg, 1);
        }
    }
}
