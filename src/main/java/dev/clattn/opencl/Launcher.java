package dev.clattn.opencl;

import static org.jocl.CL.clEnqueueNDRangeKernel;
import static org.jocl.CL.clSetKernelArg;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every kernel launcher shares: its source, its parameters checked against the rules the kernel file
 * states ({@link KernelConstraints}), what the driver reports each built program needs, checked against the
 * device, and sequential argument setting on a kernel fetched from the context at each {@link #begin} (the
 * context owns kernels and may release one to make room for another program, so none is kept here across
 * launches). The work-group shape is the kernel's own {@code reqd_work_group_size}, read back from the driver;
 * subclasses give the number of work-groups.
 */
abstract class Launcher implements Tunable {
    private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);

    protected final ClContext context;
    protected final KernelParams params;
    private final KernelSource source;
    private final String defines;
    /** Per shape defines: what the driver reported for the program, checked against the device. */
    private final Map<String, ClContext.KernelResources> checked = new HashMap<>();
    private cl_kernel kernel;
    private ClContext.KernelResources resources;
    private int arg;
    private boolean closed;
    // Kernel arguments: the driver copies the value during clSetKernelArg, so one scratch value per type serves
    // every argument (calls on a launcher run one at a time, under the backend's lock).
    private final int[] intArg = new int[1];
    private final Pointer intPointer = Pointer.to(intArg);
    private final long[] longArg = new long[1];
    private final Pointer longPointer = Pointer.to(longArg);
    private final float[] floatArg = new float[1];
    private final Pointer floatPointer = Pointer.to(floatArg);
    private final long[] long4Arg = new long[4];
    private final Pointer long4Pointer = Pointer.to(long4Arg);
    // Launch sizes, copied by the driver as well: one array per dimension count.
    private final long[] global1 = new long[1];
    private final long[] local1 = new long[1];
    private final long[] global2 = new long[2];
    private final long[] local2 = new long[2];
    private final long[] global3 = new long[3];
    private final long[] local3 = new long[3];
    // The last shape defines made and begun, and their full options: a repeated shape builds no string.
    private long shapeKey;
    private String shapeScore;
    private String shapeString;
    private String lastShapeDefines;
    private String lastOptions;

    Launcher(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        this.context = context;
        this.source = source;
        this.params = KernelParams.of(source, overrides);
        this.defines = params.defines();
        String broken = KernelConstraints.parse(source.text()).violated(params.values());
        require(broken == null, broken);
    }

    /**
     * Builds the program for these shape defines now (e.g. " -DHEAD_D=64"; "" for none), so that a source that
     * does not compile, or a program the device cannot run, fails when the engine is made rather than at its
     * first call.
     */
    protected void build(String shapeDefines) {
        resources(shapeDefines);
    }

    /**
     * The program for these shape defines, built, with what the driver says it needs; throws naming the
     * parameters when that exceeds the device (local memory, or a work-group larger than the kernel runs).
     */
    protected ClContext.KernelResources resources(String shapeDefines) {
        ClContext.KernelResources r = checked.get(shapeDefines);
        if (r != null) {
            return r;
        }
        r = context.resources(source, defines + shapeDefines, source.name());
        DeviceInfo device = context.info();
        String program = getClass().getSimpleName() + " " + params + (shapeDefines.isEmpty() ? "" : " with"
                + shapeDefines);
        if (r.workGroupItems() > r.maxWorkGroupSize()) {
            throw new IllegalArgumentException(program + ": a work-group of " + r.workGroupItems() + " work-items "
                    + Arrays.toString(r.workGroup()) + " exceeds the " + r.maxWorkGroupSize()
                    + " the device runs of this kernel");
        }
        if (r.localMemBytes() > device.localMemBytes()) {
            throw new IllegalArgumentException(program + ": " + r.localMemBytes() + " bytes of local memory exceed "
                    + "the device's " + device.localMemBytes());
        }
        checked.put(shapeDefines, r);
        return r;
    }

    /**
     * Whether the program for these shape defines builds and fits the device; why not goes to the log once
     * per launcher and shape, and {@link #resources} throws it when the program is used.
     */
    protected boolean fits(String shapeDefines) {
        try {
            resources(shapeDefines);
            return true;
        } catch (IllegalArgumentException | dev.clattn.KernelBuildException e) {
            LOG.info("clattn: {}", e.getMessage().lines().findFirst().orElse(""));
            return false;
        }
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
        resources = resources(shapeDefines);
        if (!shapeDefines.equals(lastShapeDefines)) {
            lastShapeDefines = shapeDefines;
            lastOptions = defines + shapeDefines;
        }
        kernel = context.kernel(source, lastOptions, source.name());
        arg = 0;
        return this;
    }


    /** Sets the next argument; the failure message is built only on failure. */
    private Launcher arg(int bytes, Pointer value) {
        int index = arg++;
        try {
            clSetKernelArg(kernel, index, bytes, value);
        } catch (org.jocl.CLException e) {
            throw ClCalls.failed("clSetKernelArg", e, "argument " + index + " of " + source.name() + " " + params);
        }
        return this;
    }

    protected Launcher mem(ClBuffer buffer) {
        return arg(Sizeof.cl_mem, buffer.pointer());
    }

    protected Launcher i(int value) {
        intArg[0] = value;
        return arg(Sizeof.cl_int, intPointer);
    }

    protected Launcher l(long value) {
        longArg[0] = value;
        return arg(Sizeof.cl_long, longPointer);
    }

    protected Launcher f(float value) {
        floatArg[0] = value;
        return arg(Sizeof.cl_float, floatPointer);
    }

    protected Launcher l4(long[] value) {
        System.arraycopy(value, 0, long4Arg, 0, 4);
        return arg(Sizeof.cl_long4, long4Pointer);
    }

    /**
     * The head dimensions, the storage, (attention_flash) the mask and bias present and the score defines
     * ({@link ScoreDefines}), as a fused kernel's program defines them; the last one made is kept, so that a
     * repeated shape builds no string.
     */
    protected String shapeDefines(dev.clattn.Shape s, dev.clattn.Storage storage, boolean mask, boolean bias,
            String score) {
        long key = ((long) s.headDim() << 36) | ((long) s.valueDim() << 4) | (storage.ordinal() << 2)
                | (mask ? 2 : 0) | (bias ? 1 : 0);
        if (key != shapeKey || shapeString == null || !score.equals(shapeScore)) {
            String d = " -DHEAD_D=" + s.headDim() + " -DHEAD_DV=" + s.valueDim() + switch (storage) {
                case F32 -> "";
                case F16_KV -> " -DSTORAGE_F16";
                case F16 -> " -DSTORAGE_F16 -DSTORAGE_F16_Q";
            };
            shapeString = d + (mask ? " -DMASK_OPERAND" : "") + (bias ? " -DBIAS_OPERAND" : "") + score;
            shapeKey = key;
            shapeScore = score;
        }
        return shapeString;
    }

    protected String shapeDefines(dev.clattn.Shape s, dev.clattn.Storage storage, String score) {
        return shapeDefines(s, storage, false, false, score);
    }

    /** Starts a fused kernel's launch: the arguments every fused kernel takes, in their order. */
    protected Launcher beginFused(String shapeDefines, dev.clattn.Shape s, float scale, int splitKeys, int head0,
            ClBuffer q, ClBuffer k, ClBuffer v, ClBuffer o, ClBuffer lse, Masks masks) {
        return begin(shapeDefines).mem(q).mem(k).mem(v).mem(o).mem(lse)
                .i(s.queryHeads()).i(s.group()).i(s.heads()).i(head0).i(s.queryLen()).i(s.keyLen()).f(scale)
                .i(splitKeys)
                .mask(masks.structural()).operand(masks.mask()).operand(masks.bias());
    }

    /** The structural bounds and key lengths, in the order of STRUCT_MASK_PARAMS. */
    protected Launcher mask(MaskArgs m) {
        return i(m.upper()).i(m.upperOffset()).i(m.lower()).i(m.lowerOffset()).mem(m.keyLengths())
                .i(m.hasKeyLengths());
    }

    /** A broadcast mask or bias: buffer, strides, presence. */
    protected Launcher operand(Operand o) {
        return mem(o.buffer()).l4(o.strides()).i(o.present());
    }

    /** Enqueues the kernel {@link #begin} fetched over {@code global} work-items in groups of {@code local}. */
    protected void launch1(long global, long local) {
        global1[0] = global;
        local1[0] = local;
        launch(global1, local1);
    }

    protected void launch2(long global0, long global1, long local0, long local1) {
        global2[0] = global0;
        global2[1] = global1;
        local2[0] = local0;
        local2[1] = local1;
        launch(global2, local2);
    }

    /** Enqueues the kernel {@link #begin} fetched as this many work-groups per dimension of its own shape. */
    protected void launchGroups(long g0, long g1) {
        long[] wg = resources.workGroup();
        global2[0] = g0 * wg[0];
        global2[1] = g1 * wg[1];
        local2[0] = wg[0];
        local2[1] = wg[1];
        launch(global2, local2);
    }

    protected void launchGroups(long g0, long g1, long g2) {
        long[] wg = resources.workGroup();
        global3[0] = g0 * wg[0];
        global3[1] = g1 * wg[1];
        global3[2] = g2 * wg[2];
        local3[0] = wg[0];
        local3[1] = wg[1];
        local3[2] = wg[2];
        launch(global3, local3);
    }

    /** Enqueues the kernel {@link #begin} fetched; the next launch must begin again. */
    protected void launch(long[] global, long[] local) {
        cl_event event = context.newEvent();
        cl_kernel k = kernel;
        kernel = null;
        try {
            clEnqueueNDRangeKernel(context.queue(), k, global.length, null, global, local, 0, null, event);
        } catch (org.jocl.CLException e) {
            throw ClCalls.failed("clEnqueueNDRangeKernel", e, source.name() + " " + params + " global "
                    + Arrays.toString(global) + " local " + Arrays.toString(local));
        }
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
