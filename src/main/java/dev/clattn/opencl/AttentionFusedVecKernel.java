package dev.clattn.opencl;

import dev.clattn.Shape;
import dev.clattn.Storage;
import java.util.Map;

/**
 * Host launcher of attention_fused_vec.cl: one work-item per group, ROWS x (VW * NV) register blocks over K
 * packed in panels by pack_kt.cl; float32 storage only.
 */
final class AttentionFusedVecKernel extends Launcher implements FusedKernel {
    AttentionFusedVecKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
    }

    @Override
    public int tileQ() {
        return params.get("ROWS");
    }

    @Override
    public int tileK() {
        return keyPanel() * params.get("SUBS");
    }

    @Override
    public int keyPanel() {
        return params.get("VW") * params.get("NV");
    }

    @Override
    public boolean supports(Storage storage) {
        return storage == Storage.F32;
    }

    @Override
    public void checkShape(Shape s, Storage storage) {
        resources(shapeDefines(s, Storage.F32, ""));
    }

    @Override
    public void enqueue(Shape s, Storage storage, String score, float scale, int splits, int splitKeys, int head0,
            int heads, ClBuffer q, ClBuffer k, ClBuffer v, ClBuffer o, ClBuffer lse, Masks masks) {
        beginFused(shapeDefines(s, Storage.F32, score), s, scale, splitKeys, head0, q, k, v, o, lse, masks);
        launchGroups(ceilDiv(s.queryLen(), tileQ()), heads, splits);
    }
}
