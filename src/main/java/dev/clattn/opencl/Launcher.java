package dev.clattn.opencl;

import static org.jocl.CL.clEnqueueNDRangeKernel;
import static org.jocl.CL.clReleaseKernel;
import static org.jocl.CL.clSetKernelArg;

import java.util.HashMap;
import java.util.Map;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;

/**
 * What every kernel launcher shares: its source, its checked parameters, its kernel objects (one per set
 * of shape defines, built on first use), and sequential argument setting. Subclasses declare their
 * constraints and grids.
 */
abstract class Launcher implements AutoCloseable {
    protected final ClContext context;
    protected final KernelParams params;
    private final KernelSource source;
    private final Map<String, cl_kernel> kernels = new HashMap<>();
    private cl_kernel kernel;
    private int arg;
    private boolean closed;

    Launcher(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        this.context = context;
        this.source = source;
        this.params = KernelParams.of(source, overrides);
        checkParams();
        checkLimits(workGroupSize(), localMemBytes());
    }

    /** Work-group size and local memory of these parameters, checked against the device before any build. */
    protected abstract long workGroupSize();

    protected abstract long localMemBytes();

    /** Divisibility and range rules; throws naming the parameter. */
    protected abstract void checkParams();

    protected void checkLimits(long workGroupSize, long localMemBytes) {
        DeviceInfo device = context.info();
        if (workGroupSize > device.maxWorkGroupSize()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " " + params + ": work-group size "
                    + workGroupSize + " exceeds the device's " + device.maxWorkGroupSize());
        }
        if (localMemBytes > device.localMemBytes()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " " + params + ": " + localMemBytes
                    + " bytes of local memory exceed the device's " + device.localMemBytes());
        }
    }

    /** Builds (once) the kernel for these shape defines, e.g. " -DHEAD_D=64"; "" for none. */
    protected cl_kernel kernel(String shapeDefines) {
        cl_kernel k = kernels.get(shapeDefines);
        if (k == null) {
            k = context.kernel(source, params.defines() + shapeDefines, source.name());
            kernels.put(shapeDefines, k);
        }
        return k;
    }

    protected void require(boolean ok, String rule) {
        if (!ok) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " " + params + ": " + rule);
        }
    }

    /** This launcher's parameters. */
    public KernelParams params() {
        return params;
    }

    protected Launcher begin(String shapeDefines) {
        kernel = kernel(shapeDefines);
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

    /** A broadcast mask or bias: buffer, strides, presence. */
    protected Launcher operand(Operand o) {
        return mem(o.buffer()).l4(o.strides()).i(o.present());
    }

    protected void launch(long[] global, long[] local) {
        cl_event event = context.newEvent();
        clEnqueueNDRangeKernel(context.queue(), kernel, global.length, null, global, local, 0, null, event);
        context.record(source.name(), event);
    }

    static long ceilDiv(long n, long d) {
        return (n + d - 1) / d;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            kernels.values().forEach(k -> clReleaseKernel(k));
            kernels.clear();
        }
    }
}
