package dev.clattn.opencl;

import dev.clattn.Shape;
import java.util.Map;

/** Host launcher of qkt.cl: S = scale · Q·Kᵀ for one chunk. */
final class QktKernel extends Launcher {
    QktKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
        build("");
    }

    @Override
    protected void checkParams() {
        for (String p : new String[] {"TILE_Q", "TILE_K", "TILE_D", "WPT_Q", "WPT_K"}) {
            require(params.get(p) >= 1, p + " must be >= 1");
        }
        require(params.get("TILE_Q") % params.get("WPT_Q") == 0, "TILE_Q must be a multiple of WPT_Q");
        require(params.get("TILE_K") % params.get("WPT_K") == 0, "TILE_K must be a multiple of WPT_K");
    }

    @Override
    protected long workGroupSize() {
        return (long) threadsQ() * threadsK();
    }

    @Override
    protected long localMemBytes() {
        return 4L * params.get("TILE_D") * (params.get("TILE_Q") + params.get("TILE_K"));
    }

    private int threadsQ() {
        return params.get("TILE_Q") / params.get("WPT_Q");
    }

    private int threadsK() {
        return params.get("TILE_K") / params.get("WPT_K");
    }

    void enqueue(Shape s, float scale, Chunk c, ClBuffer q, ClBuffer k, ClBuffer scores, MaskArgs mask) {
        begin("").mem(q).mem(k).mem(scores)
                .i(s.queryHeads()).i(s.group()).i(s.queryLen()).i(s.keyLen()).i(s.headDim()).f(scale)
                .i(c.bh0()).i(c.i0()).i(c.rows()).mask(mask);
        long gx = (long) ceilDiv(s.keyLen(), params.get("TILE_K")) * threadsK();
        long gy = (long) ceilDiv(c.rows(), params.get("TILE_Q")) * threadsQ();
        launch(new long[] {gx, gy, c.heads()}, new long[] {threadsK(), threadsQ(), 1});
    }
}
