package dev.clattn.opencl;

import static org.jocl.CL.clEnqueueNDRangeKernel;
import static org.jocl.CL.clReleaseKernel;
import static org.jocl.CL.clSetKernelArg;

import java.util.Map;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;

/**
 * What every kernel launcher shares: its source, its checked parameters, its kernel object, and sequential
 * argument setting. Subclasses declare their constraints and grids.
 */
abstract class Launcher implements AutoCloseable {
    protected final ClContext context;
    protected final KernelParams params;
    private final cl_kernel kernel;
    private int arg;
    private boolean closed;

    Launcher(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        this.context = context;
        this.params = KernelParams.of(source, overrides);
        check(context.info());
        this.kernel = context.kernel(source, params.defines(), source.name());
    }

    /** Work-group size and local memory of these parameters, checked against the device before any build. */
    protected abstract long workGroupSize();

    protected abstract long localMemBytes();

    /** Divisibility and range rules; throws naming the parameter. */
    protected abstract void checkParams();

    private void check(DeviceInfo device) {
        checkParams();
        if (workGroupSize() > device.maxWorkGroupSize()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " " + params + ": work-group size "
                    + workGroupSize() + " exceeds the device's " + device.maxWorkGroupSize());
        }
        if (localMemBytes() > device.localMemBytes()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " " + params + ": " + localMemBytes()
                    + " bytes of local memory exceed the device's " + device.localMemBytes());
        }
    }

    protected void require(boolean ok, String rule) {
        if (!ok) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " " + params + ": " + rule);
        }
    }

    public KernelParams params() {
        return params;
    }

    protected Launcher begin() {
        arg = 0;
        return this;
    }

    protected Launcher mem(ClBuffer buffer) {
        clSetKernelArg(kernel, arg++, Sizeof.cl_mem, Pointer.to(buffer.mem()));
        return this;
    }

    protected Launcher i(int value) {
        clSetKernelArg(kernel, arg++, Sizeof.cl_int, Pointer.to(new int[] {value}));
        return this;
    }

    protected Launcher f(float value) {
        clSetKernelArg(kernel, arg++, Sizeof.cl_float, Pointer.to(new float[] {value}));
        return this;
    }

    protected Launcher l4(long[] value) {
        clSetKernelArg(kernel, arg++, Sizeof.cl_long4, Pointer.to(value));
        return this;
    }

    /** Causality and key lengths, in the order of STRUCT_MASK_PARAMS. */
    protected Launcher mask(MaskArgs m) {
        return i(m.causal()).i(m.causalOffset()).mem(m.keyLengths()).i(m.hasKeyLengths());
    }

    protected void launch(long[] global, long[] local) {
        clEnqueueNDRangeKernel(context.queue(), kernel, global.length, null, global, local, 0, null, null);
    }

    protected static long ceilDiv(long n, long d) {
        return (n + d - 1) / d;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            clReleaseKernel(kernel);
        }
    }
}
