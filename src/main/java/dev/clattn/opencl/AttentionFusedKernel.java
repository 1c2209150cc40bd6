package dev.clattn.opencl;

import dev.clattn.Shape;
import dev.clattn.Storage;
import java.util.Map;

/** Host launcher of attention_fused.cl: one program per (D, Dv, storage), built on first use. */
final class AttentionFusedKernel extends Launcher implements FusedKernel {
    AttentionFusedKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
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

    /** Builds the program for this shape and checks what the driver says it needs against the device. */
    @Override
    public void checkShape(Shape s, Storage storage) {
        resources(shapeDefines(s, storage, ""));
    }

    @Override
    public void enqueue(Shape s, Storage storage, String score, float scale, int splits, int splitKeys, int head0,
            int heads, ClBuffer q, ClBuffer k, ClBuffer v, ClBuffer o, ClBuffer lse, Masks masks) {
        beginFused(shapeDefines(s, storage, score), s, scale, splitKeys, head0, q, k, v, o, lse, masks);
        launchGroups(ceilDiv(s.queryLen(), params.get("TILE_Q")), heads, splits);
    }
}
