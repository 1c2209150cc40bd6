package dev.clattn.opencl;

import static org.jocl.CL.clEnqueueNDRangeKernel;
import static org.jocl.CL.clSetKernelArg;

import java.util.Arrays;
import java.util.Map;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;

/**
 * What every kernel launcher shares: its source, its checked parameters, and sequential argument setting on
 * a kernel fetched from the context at each {@link #begin} (the context owns kernels and may release one to
 * make room for another program, so none is kept here across launches). Subclasses declare their
 * constraints and grids.
 */
abstract class Launcher implements Tunable {
    protected final ClContext context;
    protected final KernelParams params;
    private final KernelSource source;
    private final String defines;
    private cl_kernel kernel;
    private int arg;
    private boolean closed;

    Launcher(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        this.context = context;
        this.source = source;
        this.params = KernelParams.of(source, overrides);
        this.defines = params.defines();
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

    /**
     * Builds the program for these shape defines now (e.g. " -DHEAD_D=64"; "" for none), so that a source that
     * does not compile fails when the engine is made rather than at its first call.
     */
    protected void build(String shapeDefines) {
        context.kernel(source, defines + shapeDefines, source.name());
    }

    /** Builds the program for these shape defines and asks the driver what the kernel needs. */
    protected ClContext.KernelResources resources(String shapeDefines) {
        return context.resources(source, defines + shapeDefines, source.name());
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

    /** Starts a launch: the kernel for these shape defines, from the context, arguments from the first. */
    protected Launcher begin(String shapeDefines) {
        if (closed) {
            throw new IllegalStateException(getClass().getSimpleName() + " used after close");
        }
        kernel = context.kernel(source, defines + shapeDefines, source.name());
        arg = 0;
        return this;
    }

    private Launcher arg(int bytes, Pointer value) {
        int index = arg++;
        ClCalls.check("clSetKernelArg", () -> "argument " + index + " of " + source.name() + " " + params,
                () -> clSetKernelArg(kernel, index, bytes, value));
        return this;
    }

    protected Launcher mem(ClBuffer buffer) {
        return arg(Sizeof.cl_mem, Pointer.to(buffer.mem()));
    }

    protected Launcher i(int value) {
        return arg(Sizeof.cl_int, Pointer.to(new int[] {value}));
    }

    protected Launcher l(long value) {
        return arg(Sizeof.cl_long, Pointer.to(new long[] {value}));
    }

    protected Launcher f(float value) {
        return arg(Sizeof.cl_float, Pointer.to(new float[] {value}));
    }

    protected Launcher l4(long[] value) {
        return arg(Sizeof.cl_long4, Pointer.to(value));
    }

    /** The head dimensions and the storage, as a fused kernel's program defines them. */
    static String shapeDefines(dev.clattn.Shape s, dev.clattn.Storage storage) {
        String d = " -DHEAD_D=" + s.headDim() + " -DHEAD_DV=" + s.valueDim();
        return switch (storage) {
            case F32 -> d;
            case F16_KV -> d + " -DSTORAGE_F16";
            case F16 -> d + " -DSTORAGE_F16 -DSTORAGE_F16_Q";
        };
    }

    /** Starts a fused kernel's launch: the arguments every fused kernel takes, in their order. */
    protected Launcher beginFused(String shapeDefines, dev.clattn.Shape s, float scale, int splitKeys, int head0,
            ClBuffer q, ClBuffer k, ClBuffer v, ClBuffer o, ClBuffer lse, Masks masks) {
        return begin(shapeDefines).mem(q).mem(k).mem(v).mem(o).mem(lse)
                .i(s.queryHeads()).i(s.group()).i(s.heads()).i(head0).i(s.queryLen()).i(s.keyLen()).f(scale)
                .i(splitKeys)
                .mask(masks.structural()).operand(masks.mask()).operand(masks.bias());
    }

    /** Causality and key lengths, in the order of STRUCT_MASK_PARAMS. */
    protected Launcher mask(MaskArgs m) {
        return i(m.causal()).i(m.causalOffset()).mem(m.keyLengths()).i(m.hasKeyLengths());
    }

    /** A broadcast mask or bias: buffer, strides, presence. */
    protected Launcher operand(Operand o) {
        return mem(o.buffer()).l4(o.strides()).i(o.present());
    }

    /** Enqueues the kernel {@link #begin} fetched; the next launch must begin again. */
    protected void launch(long[] global, long[] local) {
        cl_event event = context.newEvent();
        cl_kernel k = kernel;
        kernel = null;
        ClCalls.check("clEnqueueNDRangeKernel", () -> source.name() + " " + params + " global "
                + Arrays.toString(global) + " local " + Arrays.toString(local),
                () -> clEnqueueNDRangeKernel(context.queue(), k, global.length, null, global, local, 0, null, event));
        context.record(source.name(), event);
    }

    static long ceilDiv(long n, long d) {
        return (n + d - 1) / d;
    }

    /** The kernels belong to the context; after close this launcher refuses to launch. */
    @Override
    public void close() {
        closed = true;
    }
}
