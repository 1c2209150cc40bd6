package dev.clattn.opencl;

import java.util.Map;

/** Host launcher of transpose_heads.cl: [B][X][Y][W] into [B][Y][X][W] on the device. */
final class TransposeHeadsKernel extends WorkGroupLauncher {
    /** Work-groups per launch at most; the work-items stride over larger arrays. */
    private static final long MAX_GROUPS = 4096;

    TransposeHeadsKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
    }

    void enqueue(ClBuffer in, ClBuffer out, long batch, int x, int y, int w) {
        long total = batch * x * y * w;
        begin("").mem(in).mem(out).i(x).i(y).i(w).l(total);
        int wg = wg();
        launch1(Math.min(MAX_GROUPS, ceilDiv(total, wg)) * wg, wg);
    }
}
