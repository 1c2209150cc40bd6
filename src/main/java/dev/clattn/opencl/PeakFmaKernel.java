package dev.clattn.opencl;

import java.util.Map;

/** Host launcher of peak_fma.cl: FMA throughput for the benchmarks' fraction of peak. */
final class PeakFmaKernel extends WorkGroupLauncher {
    PeakFmaKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
    }

    /** FLOPs one launch of {@code items} work-items and {@code iterations} performs. */
    long flops(long items, int iterations) {
        return items * iterations * params.get("CHAINS") * 8L * 2;
    }

    /** Runs {@code items} (a multiple of WG_SIZE) work-items, each writing one float to {@code out}. */
    void enqueue(ClBuffer out, long items, float a, float b, int iterations) {
        require(items % wg() == 0, "items " + items + " must be a multiple of WG_SIZE");
        begin("").mem(out).f(a).f(b).i(iterations);
        launch1(items, wg());
    }
}
