package dev.clattn.opencl;

import dev.clattn.PatchAttention;
import java.util.Map;

/** Host launcher of attention_patches_vec.cl: one work-item per band of ROWS image rows (CPU devices). */
final class AttentionPatchesVecKernel extends Launcher {
    AttentionPatchesVecKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
    }

    private int bands(PatchAttention r) {
        return (int) ceilDiv(r.height(), params.get("ROWS"));
    }

    /** Bytes of scratch the launch needs. */
    long scratchBytes(PatchAttention r) {
        int rows = params.get("ROWS");
        return 4L * bands(r) * ((long) (rows + r.patch() - 1) * r.width() + r.width() + r.patch() - 1
                + (long) rows * r.width());
    }

    void enqueue(PatchAttention r, ClBuffer extended, ClBuffer out, ClBuffer scratch) {
        begin(" -DPATCH=" + r.patch() + " -DCHANNELS=" + r.channels()).mem(extended).mem(out).mem(scratch)
                .i(r.height()).i(r.width()).i(r.search()).f(r.scale());
        launchGroups(bands(r), 1);
    }
}
