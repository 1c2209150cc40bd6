package dev.clattn.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The device classes' shipped values (profiles/builtin.json) by head dimension, and the CPU kernel's vector
 * width, which follows the device: 8 floats on AVX2, 16 on AVX-512, never a width it lacks.
 */
class BuiltinParamsTest {
    private static DeviceInfo cpu(int preferredFloatVector) {
        return new DeviceInfo(0, "Portable Computing Language", "pocl", 0, "cpu", "vendor", "3.1", "CPU", 2, 2450,
                8L << 30, 512 << 10, 2L << 30, 4096, "OpenCL C 1.2", true, false, preferredFloatVector);
    }

    private static DeviceInfo gpu(String platformVendor, String vendor) {
        return new DeviceInfo(0, "platform", platformVendor, 0, "some GPU", vendor, "1.0", "GPU", 100, 1800,
                80L << 30, 64 << 10, 20L << 30, 1024, "OpenCL C 1.2", true, false, 1);
    }

    @Test
    void vectorWidthIsTheWidestTheKernelHasWithinTheDevicesPreference() {
        KernelSource vec = KernelSource.load("attention_fused_vec", null);
        assertEquals(8, BuiltinParams.of(vec, cpu(8)).get("VW"));
        assertEquals(16, BuiltinParams.of(vec, cpu(16)).get("VW"));
        assertEquals(16, BuiltinParams.vectorWidth(32));
        assertEquals(4, BuiltinParams.vectorWidth(1));
        assertEquals(4, BuiltinParams.vectorWidth(6));
        assertFalse(BuiltinParams.of(vec, gpu("NVIDIA Corporation", "NVIDIA Corporation")).containsKey("VW"));
    }

    @Test
    void devicesFallIntoTheirVendorsClass() {
        assertEquals("cpu", cpu(8).deviceClass());
        assertEquals("nvidia-gpu", gpu("NVIDIA Corporation", "NVIDIA Corporation").deviceClass());
        assertEquals("amd-gpu", gpu("Advanced Micro Devices, Inc.", "Advanced Micro Devices, Inc.").deviceClass());
        assertEquals("intel-gpu", gpu("Intel(R) Corporation", "Intel(R) Corporation").deviceClass());
        assertEquals("gpu", gpu("Apple", "Apple").deviceClass());
    }

    @Test
    void theNarrowestEntryCoveringTheHeadDimensionApplies() {
        KernelSource flash = KernelSource.load("attention_flash", null);
        DeviceInfo nvidia = gpu("NVIDIA Corporation", "NVIDIA Corporation");
        assertEquals(Map.of("TILE_Q", 64, "KV_BUFFERS", 2, "EXCHANGE", 1), BuiltinParams.of(flash, nvidia, 64));
        assertEquals(Map.of("TILE_Q", 64, "TILE_D", 32, "TILE_J", 16, "KV_BUFFERS", 2, "EXCHANGE", 1),
                BuiltinParams.of(flash, nvidia, 96));
        assertEquals(Map.of("EXCHANGE", 1), BuiltinParams.of(flash, nvidia, 256));
        DeviceInfo amd = gpu("Advanced Micro Devices, Inc.", "Advanced Micro Devices, Inc.");
        assertEquals(Map.of("TILE_Q", 64, "WPT_Q", 4), BuiltinParams.of(flash, amd, 40));
        assertEquals(Map.of(), BuiltinParams.of(flash, amd, 256));
        assertEquals(Map.of("UNROLL", 0), BuiltinParams.of(flash, cpu(8), 64));
        assertEquals(Map.of(), BuiltinParams.of(flash, gpu("Apple", "Apple"), 64));
        assertEquals(16, BuiltinParams.of(KernelSource.load("softmax_rows", null), cpu(8)).get("WG_SIZE"));
    }
}
