package dev.clattn.opencl;

import dev.clattn.Shape;
import java.util.Map;

/** Host launcher of av.cl: O = P·V for one chunk. */
final class AvKernel extends Launcher {
    AvKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
        build("");
    }

    void enqueue(Shape s, Chunk c, ClBuffer weights, ClBuffer v, ClBuffer out, MaskArgs mask, boolean anyMask) {
        begin("").mem(weights).mem(v).mem(out)
                .i(s.queryHeads()).i(s.group()).i(s.queryLen()).i(s.keyLen()).i(s.valueDim())
                .i(c.bh0()).i(c.i0()).i(c.rows()).mask(mask).i(anyMask ? 1 : 0);
        launchGroups(ceilDiv(s.valueDim(), params.get("TILE_V")), ceilDiv(c.rows(), params.get("TILE_Q")), c.heads());
    }
}
