package dev.clattn.opencl;

import java.util.Map;

/** Host launcher of attention_merge.cl: combines key-split partial results by their log-sum-exp. */
final class AttentionMergeKernel extends WorkGroupLauncher {
    AttentionMergeKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
    }

    /** parts [splits][rows][dv] and partLse [splits][rows] into o [rows][dv] and lse [rows]. */
    void enqueue(ClBuffer parts, ClBuffer partLse, ClBuffer o, ClBuffer lse, int splits, int rows, int dv) {
        begin("").mem(parts).mem(partLse).mem(o).mem(lse).i(splits).i(rows).i(dv);
        int wg = wg();
        launch(new long[] {ceilDiv(dv, wg) * wg, rows}, new long[] {wg, 1});
    }
}
