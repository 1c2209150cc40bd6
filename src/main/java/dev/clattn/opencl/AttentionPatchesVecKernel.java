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

    /** Bytes of scratch the launch needs (SCRATCH in the kernel file, per band). */
    long scratchBytes(PatchAttention r) {
        int rows = params.get("ROWS");
        int vw = params.get("VW");
        long w8 = (r.width() + vw - 1L) / vw * vw;
        return 4L * bands(r) * ((rows + r.patch() - 1) * w8 + w8 + r.patch() - 1 + vw + rows * w8
                + (long) r.channels() * rows * w8);
    }

    /** Floats the kernel may read past the extended image (rows rounded up to whole vectors). */
    static final int PAD_FLOATS = 64;

    void enqueue(PatchAttention r, ClBuffer extended, ClBuffer out, ClBuffer scratch) {
        begin(" -DPATCH=" + r.patch() + " -DCHANNELS=" + r.channels()).mem(extended).mem(out).mem(scratch)
                .i(r.height()).i(r.width()).i(r.search()).f(r.scale());
        launchGroups(bands(r), 1);
    }
}
