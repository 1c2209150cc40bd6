package dev.clattn.opencl;

import static org.jocl.CL.*;

import dev.clattn.KernelBuildException;
import java.util.HashMap;
import java.util.Map;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * One device's context and in-order queue, with the programs built on it, cached by (source, options).
 * Not thread-safe: its owner serialises calls.
 */
public final class ClContext implements AutoCloseable {
    private final OpenCl.Device device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final Map<String, cl_program> programs = new HashMap<>();
    private boolean closed;

    @SuppressWarnings("deprecation")
    public ClContext(OpenCl.Device device) {
        this.device = device;
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, device.platform());
        this.context = clCreateContext(props, 1, new cl_device_id[] {device.id()}, null, null, null);
        try {
            // clCreateCommandQueue (1.2) rather than ...WithProperties (2.0): NVIDIA's OpenCL is 1.2 on some drivers.
            this.queue = clCreateCommandQueue(context, device.id(), 0, null);
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

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        programs.values().forEach(p -> clReleaseProgram(p));
        programs.clear();
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }
}
