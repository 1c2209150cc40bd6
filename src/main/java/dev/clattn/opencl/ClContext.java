package dev.clattn.opencl;

import static org.jocl.CL.*;

import dev.clattn.KernelBuildException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * One device's context and in-order queue, with the programs built on it, cached by (source, options).
 * With profiling on, every kernel launch leaves an event, and {@link #takeKernelMillis()} turns the events
 * since the last call into device time per kernel. Not thread-safe: its owner serialises calls.
 */
public final class ClContext implements AutoCloseable {
    private final OpenCl.Device device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final Map<String, cl_program> programs = new HashMap<>();
    private final boolean profiling;
    private static final int MAX_PENDING = 1024;
    private final List<Timed> pending = new ArrayList<>();
    private final Map<String, Double> millis = new TreeMap<>();
    private boolean closed;

    private record Timed(String kernel, cl_event event) {
    }

    @SuppressWarnings("deprecation")
    public ClContext(OpenCl.Device device, boolean profiling) {
        this.device = device;
        this.profiling = profiling;
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, device.platform());
        this.context = clCreateContext(props, 1, new cl_device_id[] {device.id()}, null, null, null);
        try {
            // clCreateCommandQueue (1.2) rather than ...WithProperties (2.0): NVIDIA's OpenCL is 1.2 on some drivers.
            this.queue = clCreateCommandQueue(context, device.id(), profiling ? CL_QUEUE_PROFILING_ENABLE : 0, null);
        } catch (RuntimeException e) {
            clReleaseContext(context);
            throw e;
        }
    }

    public DeviceInfo info() {
        return device.info();
    }

    /** Builds (once) the program for this source and options, and creates a kernel for {@code entry}. */
    public cl_kernel kernel(KernelSource source, String options, String entry) {
        String key = options + "\n" + source.text();
        cl_program program = programs.get(key);
        if (program == null) {
            program = clCreateProgramWithSource(context, 1, new String[] {source.text()}, null, null);
            try {
                clBuildProgram(program, 1, new cl_device_id[] {device.id()}, options, null, null);
            } catch (CLException e) {
                String log = buildLog(program);
                clReleaseProgram(program);
                throw new KernelBuildException(source.name() + " (" + source.origin() + ")", options, log, e);
            }
            programs.put(key, program);
        }
        return clCreateKernel(program, entry, null);
    }

    private String buildLog(cl_program program) {
        long[] size = new long[1];
        clGetProgramBuildInfo(program, device.id(), CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] log = new byte[(int) size[0]];
        clGetProgramBuildInfo(program, device.id(), CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
        return new String(log, java.nio.charset.StandardCharsets.UTF_8).trim();
    }

    public cl_mem allocate(long bytes) {
        return clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, null, null);
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
        clFinish(queue);
        try {
            for (Timed t : pending) {
                millis.merge(t.kernel(), (profile(t.event(), CL_PROFILING_COMMAND_END)
                        - profile(t.event(), CL_PROFILING_COMMAND_START)) / 1e6, Double::sum);
            }
        } finally {
            releasePending();
        }
    }

    private static long profile(cl_event event, int what) {
        long[] value = new long[1];
        clGetEventProfilingInfo(event, what, Sizeof.cl_ulong, Pointer.to(value), null);
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
        programs.values().forEach(p -> clReleaseProgram(p));
        programs.clear();
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }
}
