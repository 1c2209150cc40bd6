package dev.clattn.opencl;

import static org.jocl.CL.CL_PROGRAM_BUILD_LOG;
import static org.jocl.CL.clBuildProgram;
import static org.jocl.CL.clCreateKernel;
import static org.jocl.CL.clCreateProgramWithSource;
import static org.jocl.CL.clGetProgramBuildInfo;
import static org.jocl.CL.clReleaseKernel;
import static org.jocl.CL.clReleaseProgram;

import dev.clattn.KernelBuildException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_program;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Built programs and their kernels by (source, options), at most {@code capacity} programs, the least recently
 * used released first: every head dimension and parameter set is a program of its own, and a long-lived server
 * that sees many would otherwise keep them all (PoCL holds megabytes of compiled code per program). A kernel
 * retains its program, so a program goes together with its kernels. A kernel handed out stays valid until the
 * next {@link #kernel} call, which may release it; OpenCL keeps a released kernel alive for the launches
 * already enqueued with it.
 */
final class ProgramCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProgramCache.class);

    private record Key(String text, String options) {
    }

    private static final class Program {
        final String name;
        final String options;
        final cl_program program;
        final Map<String, cl_kernel> kernels = new HashMap<>();

        Program(String name, String options, cl_program program) {
            this.name = name;
            this.options = options;
            this.program = program;
        }

        void release() {
            kernels.values().forEach(k -> clReleaseKernel(k));
            kernels.clear();
            clReleaseProgram(program);
        }
    }

    private final cl_context context;
    private final cl_device_id device;
    private final int capacity;
    private final LinkedHashMap<Key, Program> programs = new LinkedHashMap<>(16, 0.75f, true);

    ProgramCache(cl_context context, cl_device_id device, int capacity) {
        this.context = context;
        this.device = device;
        this.capacity = capacity;
    }

    /** The kernel {@code entry} of this source built with these options, building (and evicting) as needed. */
    cl_kernel kernel(KernelSource source, String options, String entry) {
        Key key = keys.get(options);
        if (key == null || !key.text().equals(source.text())) {
            if (keys.size() >= 64) {
                keys.clear();
            }
            key = new Key(source.text(), options);
            keys.put(options, key);
        }
        Program p = programs.get(key);
        if (p == null) {
            p = build(source, options);
            programs.put(key, p);
            evict();
        }
        cl_kernel k = p.kernels.get(entry);
        if (k == null) {
            Program program = p;
            k = ClCalls.check("clCreateKernel", () -> "for '" + entry + "' in " + source.name() + " [" + options
                    + "]", () -> clCreateKernel(program.program, entry, null));
            p.kernels.put(entry, k);
        }
        return k;
    }

    /**
     * The lookup key of the option strings seen (the launchers reuse theirs), by identity, so that a launch in
     * steady state makes no key; bounded, as a server seeing many shapes makes many strings.
     */
    private final java.util.IdentityHashMap<String, Key> keys = new java.util.IdentityHashMap<>();

    private Program build(KernelSource source, String options) {
        cl_program program = ClCalls.check("clCreateProgramWithSource", () -> "for " + source.name(),
                () -> clCreateProgramWithSource(context, 1, new String[] {source.text()}, null, null));
        try {
            clBuildProgram(program, 1, new cl_device_id[] {device}, options, null, null);
        } catch (CLException e) {
            String log = buildLog(program);
            clReleaseProgram(program);
            throw new KernelBuildException(source.name() + " (" + source.origin() + ")", options, log, e);
        }
        return new Program(source.name(), options, program);
    }

    private String buildLog(cl_program program) {
        long[] size = new long[1];
        clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] log = new byte[(int) size[0]];
        clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
        return new String(log, StandardCharsets.UTF_8).trim();
    }

    private void evict() {
        Iterator<Program> oldest = programs.values().iterator();
        while (programs.size() > capacity) {
            Program p = oldest.next();
            oldest.remove();
            p.release();
            LOG.debug("clattn: program cache full ({}): released {} [{}]", capacity, p.name, p.options.trim());
        }
    }

    /** Programs held now. */
    int size() {
        return programs.size();
    }

    @Override
    public void close() {
        programs.values().forEach(Program::release);
        programs.clear();
    }
}
