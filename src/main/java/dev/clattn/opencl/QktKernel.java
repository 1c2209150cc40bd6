package dev.clattn.opencl;

import dev.clattn.Shape;
import java.util.Map;

/** Host launcher of qkt.cl: S = scale · Q·Kᵀ (or another score function) for one chunk. */
final class QktKernel extends Launcher {
    QktKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
        build("");
    }

    /** {@code score}: the request's {@link ScoreDefines#score}. */
    void enqueue(Shape s, String score, float scale, Chunk c, ClBuffer q, ClBuffer k, ClBuffer scores, MaskArgs mask) {
        begin(score).mem(q).mem(k).mem(scores)
                .i(s.queryHeads()).i(s.group()).i(s.queryLen()).i(s.keyLen()).i(s.headDim()).f(scale)
                .i(c.bh0()).i(c.i0()).i(c.rows()).mask(mask);
        launchGroups(ceilDiv(s.keyLen(), params.get("TILE_K")), ceilDiv(c.rows(), params.get("TILE_Q")), c.heads());
    }
}
