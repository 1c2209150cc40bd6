package dev.clattn.opencl;

import dev.clattn.Shape;
import java.util.Map;

/** Host launcher of av.cl: O = P·V for one chunk. */
final class AvKernel extends Launcher {
    AvKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
        build("");
    }

    @Override
    protected void checkParams() {
        for (String p : new String[] {"TILE_Q", "TILE_V", "TILE_J", "WPT_Q", "WPT_V"}) {
            require(params.get(p) >= 1, p + " must be >= 1");
        }
        require(params.get("TILE_Q") % params.get("WPT_Q") == 0, "TILE_Q must be a multiple of WPT_Q");
        require(params.get("TILE_V") % params.get("WPT_V") == 0, "TILE_V must be a multiple of WPT_V");
    }

    @Override
    protected long workGroupSize() {
        return (long) threadsQ() * threadsV();
    }

    @Override
    protected long localMemBytes() {
        return 4L * params.get("TILE_J") * (params.get("TILE_Q") + params.get("TILE_V"));
    }

    private int threadsQ() {
        return params.get("TILE_Q") / params.get("WPT_Q");
    }

    private int threadsV() {
        return params.get("TILE_V") / params.get("WPT_V");
    }

    void enqueue(Shape s, Chunk c, ClBuffer weights, ClBuffer v, ClBuffer out, MaskArgs mask, boolean anyMask) {
        begin("").mem(weights).mem(v).mem(out)
                .i(s.queryHeads()).i(s.group()).i(s.queryLen()).i(s.keyLen()).i(s.valueDim())
                .i(c.bh0()).i(c.i0()).i(c.rows()).mask(mask).i(anyMask ? 1 : 0);
        long gx = (long) ceilDiv(s.valueDim(), params.get("TILE_V")) * threadsV();
        long gy = (long) ceilDiv(c.rows(), params.get("TILE_Q")) * threadsQ();
        launch(new long[] {gx, gy, c.heads()}, new long[] {threadsV(), threadsQ(), 1});
    }
}
