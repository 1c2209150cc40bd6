package dev.clattn.opencl;

import static org.jocl.CL.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * One device's context and in-order queue, with the programs built on it and their kernels, cached by
 * (source, options) up to a bound ({@link ProgramCache}). With profiling on, every kernel launch leaves an
 * event, and {@link #takeKernelMillis()} turns the events since the last call into device time per kernel.
 * A failed OpenCL call throws {@link dev.clattn.DeviceException}. Not thread-safe: its owner serialises calls.
 */
public final class ClContext implements AutoCloseable {
    private final OpenCl.Device device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final ProgramCache programs;
    private final boolean profiling;
    private static final int MAX_PENDING = 1024;
    private final List<Timed> pending = new ArrayList<>();
    private double totalMillis;
    private final Map<String, Double> millis = new TreeMap<>();
    private boolean closed;

    private record Timed(String kernel, cl_event event) {
    }

    /** @param programCache programs (with their kernels) kept built, the least recently used released first */
    @SuppressWarnings("deprecation")
    public ClContext(OpenCl.Device device, boolean profiling, int programCache) {
        if (programCache < 1) {
            throw new IllegalArgumentException("programCache: expected >= 1, got " + programCache);
        }
        this.device = device;
        this.profiling = profiling;
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, device.platform());
        this.context = ClCalls.check("clCreateContext", () -> "on " + device.info().describe(),
                () -> clCreateContext(props, 1, new cl_device_id[] {device.id()}, null, null, null));
        try {
            // clCreateCommandQueue (1.2) rather than ...WithProperties (2.0): NVIDIA's OpenCL is 1.2 on some drivers.
            this.queue = ClCalls.check("clCreateCommandQueue", () -> "on " + device.info().describe(),
                    () -> clCreateCommandQueue(context, device.id(), profiling ? CL_QUEUE_PROFILING_ENABLE : 0, null));
            this.programs = new ProgramCache(context, device.id(), programCache);
        } catch (RuntimeException e) {
            clReleaseContext(context);
            throw e;
        }
    }

    public DeviceInfo info() {
        return device.info();
    }

    /**
     * The kernel {@code entry} of this source built with these options, built on first use. It belongs to the
     * context and stays valid until the next call, which may release it to make room: set its arguments and
     * enqueue it before asking for another.
     */
    public cl_kernel kernel(KernelSource source, String options, String entry) {
        return programs.kernel(source, options, entry);
    }

    /**
     * What the driver reports for a built kernel: the local memory it uses, the largest work-group it runs,
     * and the work-group shape its {@code reqd_work_group_size} requires (all 0 without one).
     */
    public record KernelResources(long localMemBytes, long maxWorkGroupSize, long[] workGroup) {
        public long workGroupItems() {
            return workGroup[0] * workGroup[1] * workGroup[2];
        }
    }

    /** Builds the kernel (as {@link #kernel}) and asks the driver what it needs (clGetKernelWorkGroupInfo). */
    public KernelResources resources(KernelSource source, String options, String entry) {
        cl_kernel k = kernel(source, options, entry);
        long[] local = new long[1];
        long[] size = new long[1];
        ClCalls.check("clGetKernelWorkGroupInfo", () -> "CL_KERNEL_LOCAL_MEM_SIZE of " + entry,
                () -> org.jocl.CL.clGetKernelWorkGroupInfo(k, device.id(), org.jocl.CL.CL_KERNEL_LOCAL_MEM_SIZE,
                        org.jocl.Sizeof.cl_ulong, org.jocl.Pointer.to(local), null));
        ClCalls.check("clGetKernelWorkGroupInfo", () -> "CL_KERNEL_WORK_GROUP_SIZE of " + entry,
                () -> org.jocl.CL.clGetKernelWorkGroupInfo(k, device.id(), org.jocl.CL.CL_KERNEL_WORK_GROUP_SIZE,
                        org.jocl.Sizeof.size_t, org.jocl.Pointer.to(size), null));
        long[] shape = new long[3];
        ClCalls.check("clGetKernelWorkGroupInfo", () -> "CL_KERNEL_COMPILE_WORK_GROUP_SIZE of " + entry,
                () -> org.jocl.CL.clGetKernelWorkGroupInfo(k, device.id(),
                        org.jocl.CL.CL_KERNEL_COMPILE_WORK_GROUP_SIZE, 3L * org.jocl.Sizeof.size_t,
                        org.jocl.Pointer.to(shape), null));
        return new KernelResources(local[0], size[0], shape);
    }

    /** Programs built and held now (at most the configured programCache). */
    int programsHeld() {
        return programs.size();
    }

    public cl_mem allocate(long bytes) {
        return ClCalls.check("clCreateBuffer", () -> "of " + bytes + " bytes on " + device.info().name()
                + " (max allocation " + device.info().maxAllocBytes() + " bytes)",
                () -> clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, null, null));
    }

    public cl_command_queue queue() {
        return queue;
    }

    /** A fresh event to pass to an enqueue when profiling is on, else null; see {@link #record}. */
    cl_event newEvent() {
        return profiling ? new cl_event() : null;
    }

    /** Keeps an event from {@link #newEvent()} (null is ignored) to be timed by {@link #takeKernelMillis()}. */
    void record(String kernel, cl_event event) {
        if (event != null) {
            pending.add(new Timed(kernel, event));
            if (pending.size() >= MAX_PENDING) {
                resolvePending(); // a caller who never takes the times must not grow the list without bound
            }
        }
    }

    /**
     * Device time (end − start, milliseconds) of each kernel launched since the last call, summed per kernel
     * name, after waiting for them; empty when profiling is off.
     */
    /** Device time of every timed kernel launch since the context was made (ms); 0 without profiling. */
    public double totalKernelMillis() {
        resolvePending();
        return totalMillis;
    }

    public Map<String, Double> takeKernelMillis() {
        resolvePending();
        Map<String, Double> out = new TreeMap<>(millis);
        millis.clear();
        return out;
    }

    private void resolvePending() {
        if (pending.isEmpty()) {
            return;
        }
        ClCalls.check("clFinish", () -> "waiting for " + pending.size() + " timed kernel launches",
                () -> clFinish(queue));
        try {
            for (Timed t : pending) {
                double ms = (profile(t, CL_PROFILING_COMMAND_END) - profile(t, CL_PROFILING_COMMAND_START)) / 1e6;
                millis.merge(t.kernel(), ms, Double::sum);
                totalMillis += ms;
            }
        } finally {
            releasePending();
        }
    }

    private static long profile(Timed timed, int what) {
        long[] value = new long[1];
        ClCalls.check("clGetEventProfilingInfo", () -> "of a launch of " + timed.kernel(),
                () -> clGetEventProfilingInfo(timed.event(), what, Sizeof.cl_ulong, Pointer.to(value), null));
        return value[0];
    }

    private void releasePending() {
        pending.forEach(t -> clReleaseEvent(t.event()));
        pending.clear();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        releasePending();
        programs.close();
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }
}
