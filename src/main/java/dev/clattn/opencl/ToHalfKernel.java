package dev.clattn.opencl;

import java.util.Map;

/** Host launcher of to_half.cl: float to fp16 storage on the device. */
final class ToHalfKernel extends WorkGroupLauncher {
    ToHalfKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
    }

    void enqueue(ClBuffer src, ClBuffer dst, long n) {
        begin("").mem(src).mem(dst).i(Math.toIntExact(n));
        int wg = wg();
        launch1(ceilDiv(n, wg) * wg, wg);
    }
}
