package dev.clattn.opencl;

import dev.clattn.Shape;
import dev.clattn.Storage;
import java.util.HashMap;
import java.util.Map;

/**
 * Host launcher of attention_flash.cl, the fused kernel shaped for GPUs: (TILE_Q / WPT_Q) x (TILE_K / WPT_K)
 * work-items per group, Q resident in local memory. One program per (D, Dv, storage, mask and bias present),
 * since the mask and bias code is compiled in only for requests that have them. What a program needs on the
 * device is the driver's answer (clGetKernelWorkGroupInfo), not a formula mirrored here.
 */
final class AttentionFlashKernel extends Launcher implements FusedKernel {
    private final Map<Long, Boolean> fitsByDims = new HashMap<>();

    AttentionFlashKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
    }

    @Override
    public boolean supports(Storage storage) {
        return true;
    }

    @Override
    public int tileQ() {
        return params.get("TILE_Q");
    }

    @Override
    public int tileK() {
        return params.get("TILE_K");
    }

    /**
     * Whether this shape's program fits the device, as the driver reports it after the build (Q stays in
     * local memory, so a large head dimension may not); a build the device refuses for its size is no fit.
     */
    @Override
    public boolean fits(Shape s) {
        return fitsByDims.computeIfAbsent(((long) s.headDim() << 32) | s.valueDim(),
                key -> fits(shapeDefines(s, Storage.F32, false, false, "")));
    }

    @Override
    public void checkShape(Shape s, Storage storage) {
        if (!fits(s)) {
            throw new IllegalArgumentException("AttentionFlashKernel " + params + ": D=" + s.headDim() + " Dv="
                    + s.valueDim() + " does not fit the device's local memory or work-group size");
        }
    }

    @Override
    public void enqueue(Shape s, Storage storage, String score, float scale, int splits, int splitKeys, int head0,
            int heads, ClBuffer q, ClBuffer k, ClBuffer v, ClBuffer o, ClBuffer lse, Masks masks) {
        String defines = shapeDefines(s, storage, masks.mask().present() != 0, masks.bias().present() != 0, score);
        beginFused(defines, s, scale, splitKeys, head0, q, k, v, o, lse, masks);
        launchGroups(ceilDiv(s.queryLen(), params.get("TILE_Q")), heads, splits);
    }
}
