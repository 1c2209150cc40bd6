package dev.clattn.opencl;

import java.util.Map;

/** Host launcher of linear.cl: Y = X·Wᵀ + b. */
final class LinearKernel extends Launcher {
    LinearKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
        build("");
    }

    void enqueue(ClBuffer x, ClBuffer w, ClBuffer b, boolean hasBias, ClBuffer y, int n, int in, int out) {
        begin("").mem(x).mem(w).mem(b).mem(y).i(n).i(in).i(out).i(hasBias ? 1 : 0);
        launchGroups(ceilDiv(out, params.get("TILE_O")), ceilDiv(n, params.get("TILE_N")));
    }
}
