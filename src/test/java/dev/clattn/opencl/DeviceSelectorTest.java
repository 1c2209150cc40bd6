package dev.clattn.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Device choice without a device. */
class DeviceSelectorTest {
    private static DeviceInfo device(int p, String platform, int d, String name, String type, int cus) {
        return new DeviceInfo(p, platform, "vendor", d, name, "vendor", "1.0", type, cus, 1000, 1L << 30,
                48 << 10, 1L << 28, 1024, "OpenCL C 1.2", true, false, 1);
    }

    private static final List<DeviceInfo> DEVICES = List.of(
            device(0, "Portable Computing Language", 0, "pthread-cpu", "CPU", 64),
            device(1, "NVIDIA CUDA", 0, "NVIDIA H100", "GPU", 132),
            device(1, "NVIDIA CUDA", 1, "NVIDIA A10", "GPU", 72),
            device(2, "Xilinx", 0, "FPGA", "ACCELERATOR", 200));

    private static String pick(String platform, String device) {
        return DeviceSelector.choose(DEVICES, platform, device).map(DeviceInfo::name).orElse(null);
    }

    @Test
    void bestIsGpuThenAcceleratorThenCpu() {
        assertEquals("NVIDIA H100", pick(null, null));
        assertEquals("FPGA", DeviceSelector.choose(List.of(DEVICES.get(0), DEVICES.get(3)), null, null)
                .orElseThrow().name());
        assertEquals("pthread-cpu", pick("portable", null));
    }

    @Test
    void byNameSubstringOrIndex() {
        assertEquals("NVIDIA A10", pick(null, "a10"));
        assertEquals("NVIDIA A10", pick("1", "1"));
        assertEquals("NVIDIA A10", pick("nvidia", "1"));
        assertEquals("NVIDIA H100", pick(null, "1"));
        assertEquals("pthread-cpu", pick(null, "pthread"));
    }

    @Test
    void noMatchIsEmpty() {
        assertTrue(DeviceSelector.choose(DEVICES, null, "MI300").isEmpty());
        assertTrue(DeviceSelector.choose(DEVICES, "7", null).isEmpty());
        assertTrue(DeviceSelector.choose(List.of(), null, null).isEmpty());
    }
}
