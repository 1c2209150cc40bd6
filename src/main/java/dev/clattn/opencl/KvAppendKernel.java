package dev.clattn.opencl;

import dev.clattn.KvCache;
import java.util.Map;

/** Host launcher of kv_append.cl: appended tokens scattered into their cache blocks, one program per layout. */
final class KvAppendKernel extends WorkGroupLauncher {
    KvAppendKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides, false);
    }

    void enqueue(KvCache.Layout layout, ClBuffer k, ClBuffer v, ClBuffer blocks, ClBuffer slots, ClBuffer keys,
            ClBuffer values, int rows, int tokens) {
        int items = Math.multiplyExact(rows, layout.kvHeads());
        begin(" -DHEAD_D=" + layout.headDim() + " -DHEAD_DV=" + layout.valueDim() + " -DBLOCK=" + layout.blockSize())
                .mem(k).mem(v).mem(blocks).mem(slots).mem(keys).mem(values).i(layout.kvHeads()).i(tokens).i(items);
        int wg = wg();
        launch1(ceilDiv(items, wg) * wg, wg);
    }
}
