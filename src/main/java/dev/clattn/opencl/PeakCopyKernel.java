package dev.clattn.opencl;

import java.util.Map;

/** Host launcher of peak_copy.cl: global-memory copy bandwidth for the benchmarks' fraction of peak. */
final class PeakCopyKernel extends WorkGroupLauncher {
    PeakCopyKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
    }

    /** Copies {@code items} float4 values (a multiple of WG_SIZE) from {@code src} to {@code dst}. */
    void enqueue(ClBuffer src, ClBuffer dst, long items) {
        require(items % wg() == 0, "items " + items + " must be a multiple of WG_SIZE");
        begin("").mem(src).mem(dst);
        launch1(items, wg());
    }
}
