package dev.clattn.opencl;

import java.util.Map;

/** Host launcher of to_half.cl: float to fp16 storage on the device. */
final class ToHalfKernel extends Launcher {
    ToHalfKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
        kernel("");
    }

    @Override
    protected void checkParams() {
        require(params.get("WG_SIZE") >= 1, "WG_SIZE must be >= 1");
    }

    @Override
    protected long workGroupSize() {
        return params.get("WG_SIZE");
    }

    @Override
    protected long localMemBytes() {
        return 0;
    }

    void enqueue(ClBuffer src, ClBuffer dst, long n) {
        begin("").mem(src).mem(dst).i(Math.toIntExact(n));
        int wg = params.get("WG_SIZE");
        launch(new long[] {ceilDiv(n, wg) * wg}, new long[] {wg});
    }
}
