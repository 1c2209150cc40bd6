package dev.clattn.opencl;

import java.util.Map;

/** Host launcher of rope.cl: rotary position embeddings on rows of Q or K, in place or into another buffer. */
final class RopeKernel extends WorkGroupLauncher {
    RopeKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
    }

    /** {@code rows} rows of {@code d}, row r at table position (r % len) + offset. */
    void enqueue(ClBuffer src, ClBuffer dst, ClBuffer table, long rows, int len, int d, int offset) {
        long pairs = rows * (d / 2);
        begin("").mem(src).mem(dst).mem(table).i(len).i(d).i(offset).l(pairs);
        int wg = wg();
        launch1(ceilDiv(pairs, wg) * wg, wg);
    }
}
