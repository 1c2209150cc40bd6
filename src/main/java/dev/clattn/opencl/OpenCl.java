package dev.clattn.opencl;

import static org.jocl.CL.*;

import java.util.ArrayList;
import java.util.List;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one guarded entry to JOCL. JOCL's {@code CL} class throws from its static initialiser when libOpenCL
 * cannot be loaded; every other class reaches CL only after {@link #probe()} has said OpenCL works.
 */
public final class OpenCl {
    private static final Logger LOG = LoggerFactory.getLogger(OpenCl.class);
    private static Probe probe;

    private OpenCl() {
    }

    /** A device with its handles. */
    public record Device(DeviceInfo info, cl_platform_id platform, cl_device_id id) {
    }

    /** The devices found, or why none could be. */
    public record Probe(List<Device> devices, String problem) {
        public boolean available() {
            return !devices.isEmpty();
        }
    }

    /** Enumerates every platform and device once per JVM; never throws. */
    public static synchronized Probe probe() {
        if (probe == null) {
            probe = enumerate();
            if (!probe.available()) {
                LOG.info("OpenCL unavailable: {}", probe.problem());
            }
        }
        return probe;
    }

    /** The device the configuration's platform and device selectors choose among those probed. */
    public static java.util.Optional<Device> choose(Probe probe, dev.clattn.Config config) {
        return DeviceSelector.choose(probe.devices().stream().map(Device::info).toList(), config.platform(),
                        config.device())
                .flatMap(info -> probe.devices().stream().filter(d -> d.info() == info).findFirst());
    }

    private static Probe enumerate() {
        try {
            CL.setExceptionsEnabled(true);
            int[] count = new int[1];
            clGetPlatformIDs(0, null, count);
            if (count[0] == 0) {
                return new Probe(List.of(), "no OpenCL platform is installed");
            }
            cl_platform_id[] platforms = new cl_platform_id[count[0]];
            clGetPlatformIDs(platforms.length, platforms, null);
            List<Device> devices = new ArrayList<>();
            for (int p = 0; p < platforms.length; p++) {
                int[] n = new int[1];
                try {
                    clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 0, null, n);
                } catch (RuntimeException e) {
                    continue; // CL_DEVICE_NOT_FOUND: a platform without devices
                }
                cl_device_id[] ids = new cl_device_id[n[0]];
                clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, ids.length, ids, null);
                for (int d = 0; d < ids.length; d++) {
                    devices.add(new Device(describe(platforms[p], p, ids[d], d), platforms[p], ids[d]));
                }
            }
            return new Probe(List.copyOf(devices), devices.isEmpty() ? "no OpenCL device found" : null);
        } catch (Throwable e) {
            String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            return new Probe(List.of(), "OpenCL library could not be used (" + reason.lines().findFirst().orElse("")
                    + ")");
        }
    }

    private static DeviceInfo describe(cl_platform_id platform, int p, cl_device_id id, int d) {
        long type = deviceLong(id, CL_DEVICE_TYPE);
        String extensions = deviceString(id, CL_DEVICE_EXTENSIONS);
        return new DeviceInfo(p, platformString(platform, CL_PLATFORM_NAME), platformString(platform,
                CL_PLATFORM_VENDOR), d, deviceString(id, CL_DEVICE_NAME), deviceString(id, CL_DEVICE_VENDOR),
                deviceString(id, CL_DRIVER_VERSION), typeName(type), deviceInt(id, CL_DEVICE_MAX_COMPUTE_UNITS),
                deviceInt(id, CL_DEVICE_MAX_CLOCK_FREQUENCY), deviceLong(id, CL_DEVICE_GLOBAL_MEM_SIZE),
                deviceLong(id, CL_DEVICE_LOCAL_MEM_SIZE), deviceLong(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE),
                deviceSize(id, CL_DEVICE_MAX_WORK_GROUP_SIZE), deviceString(id, CL_DEVICE_OPENCL_C_VERSION),
                extensions.contains("cl_khr_fp64"), extensions.contains("cl_khr_fp16"),
                deviceInt(id, CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT));
    }

    private static String typeName(long type) {
        if ((type & CL_DEVICE_TYPE_GPU) != 0) {
            return "GPU";
        }
        if ((type & CL_DEVICE_TYPE_ACCELERATOR) != 0) {
            return "ACCELERATOR";
        }
        if ((type & CL_DEVICE_TYPE_CPU) != 0) {
            return "CPU";
        }
        return "OTHER";
    }

    private static String platformString(cl_platform_id platform, int param) {
        long[] size = new long[1];
        clGetPlatformInfo(platform, param, 0, null, size);
        byte[] buffer = new byte[(int) size[0]];
        clGetPlatformInfo(platform, param, buffer.length, Pointer.to(buffer), null);
        return cString(buffer);
    }

    static String deviceString(cl_device_id id, int param) {
        long[] size = new long[1];
        clGetDeviceInfo(id, param, 0, null, size);
        byte[] buffer = new byte[(int) size[0]];
        clGetDeviceInfo(id, param, buffer.length, Pointer.to(buffer), null);
        return cString(buffer);
    }

    private static String cString(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, java.nio.charset.StandardCharsets.UTF_8).trim();
    }

    static int deviceInt(cl_device_id id, int param) {
        int[] value = new int[1];
        clGetDeviceInfo(id, param, Sizeof.cl_uint, Pointer.to(value), null);
        return value[0];
    }

    private static long deviceLong(cl_device_id id, int param) {
        long[] value = new long[1];
        clGetDeviceInfo(id, param, Sizeof.cl_ulong, Pointer.to(value), null);
        return value[0];
    }

    private static long deviceSize(cl_device_id id, int param) {
        long[] value = new long[1];
        clGetDeviceInfo(id, param, Sizeof.size_t, Pointer.to(value), null);
        return value[0];
    }
}
