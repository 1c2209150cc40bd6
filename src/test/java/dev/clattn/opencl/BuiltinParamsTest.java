package dev.clattn.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** The CPU kernel's vector width follows the device: 8 floats on AVX2, 16 on AVX-512, never a width it lacks. */
class BuiltinParamsTest {
    private static DeviceInfo cpu(int preferredFloatVector) {
        return new DeviceInfo(0, "Portable Computing Language", "pocl", 0, "cpu", "vendor", "3.1", "CPU", 2, 2450,
                8L << 30, 512 << 10, 2L << 30, 4096, "OpenCL C 1.2", true, false, preferredFloatVector);
    }

    @Test
    void vectorWidthIsTheWidestTheKernelHasWithinTheDevicesPreference() {
        KernelSource vec = KernelSource.load("attention_fused_vec", null);
        assertEquals(8, BuiltinParams.of(vec, cpu(8)).get("VW"));
        assertEquals(16, BuiltinParams.of(vec, cpu(16)).get("VW"));
        assertEquals(16, BuiltinParams.vectorWidth(32));
        assertEquals(4, BuiltinParams.vectorWidth(1));
        assertEquals(4, BuiltinParams.vectorWidth(6));
        DeviceInfo gpu = new DeviceInfo(0, "NVIDIA CUDA", "NVIDIA", 0, "H100", "NVIDIA", "550", "GPU", 132, 1980,
                80L << 30, 48 << 10, 20L << 30, 1024, "OpenCL C 1.2", true, false, 1);
        assertFalse(BuiltinParams.of(vec, gpu).containsKey("VW"));
    }
}
