package dev.clattn.opencl;

import dev.clattn.PatchAttention;
import java.util.Map;

/** Host launcher of attention_patches.cl: attention over an image's patches, one program per (patch, channels). */
final class AttentionPatchesKernel extends Launcher {
    AttentionPatchesKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
    }

    void enqueue(PatchAttention r, ClBuffer extended, ClBuffer out) {
        begin(" -DPATCH=" + r.patch() + " -DCHANNELS=" + r.channels()).mem(extended).mem(out).i(r.height())
                .i(r.width()).i(r.search()).f(r.scale());
        launchGroups(ceilDiv(r.width(), params.get("TX")), ceilDiv(r.height(), params.get("TY")));
    }
}
