package dev.clattn.opencl;

import java.util.Map;

/** Host launcher of attention_merge.cl: combines key-split partial results by their log-sum-exp. */
final class AttentionMergeKernel extends Launcher {
    AttentionMergeKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
        kernel("");
    }

    @Override
    protected void checkParams() {
        require(params.get("WG_SIZE") >= 1, "WG_SIZE must be >= 1");
    }

    @Override
    protected long workGroupSize() {
        return params.get("WG_SIZE");
    }

    @Override
    protected long localMemBytes() {
        return 0;
    }

    /** parts [splits][rows][dv] and partLse [splits][rows] into o [rows][dv] and lse [rows]. */
    void enqueue(ClBuffer parts, ClBuffer partLse, ClBuffer o, ClBuffer lse, int splits, int rows, int dv) {
        begin("").mem(parts).mem(partLse).mem(o).mem(lse).i(splits).i(rows).i(dv);
        int wg = params.get("WG_SIZE");
        launch(new long[] {ceilDiv(dv, wg) * wg, rows}, new long[] {wg, 1});
    }
}
