package dev.clattn.opencl;

import java.util.Map;

/**
 * Built-in kernel parameters by device class, on top of each kernel file's own defaults (which suit GPUs).
 * CPU devices (PoCL) want small work-groups (16 items) with a large register tile each (4 x 16): measured
 * on PoCL 3.1, 2 cores, B=1 H=8 N=1024 D=64 (see kernels/README.md). attention_fused_vec takes its vector
 * width from the device's preferred float vector width (8 on AVX2, 16 on AVX-512).
 */
public final class BuiltinParams {
    private BuiltinParams() {
    }

    /** The built-in values for this device that the (possibly edited) source still declares. */
    public static Map<String, Integer> of(KernelSource source, DeviceInfo device) {
        Map<String, Integer> values = new java.util.HashMap<>(forDevice(source.name(), device));
        values.keySet().retainAll(source.defaults().keySet());
        return values;
    }

    /** The kernel's widths 4, 8 and 16: the widest not over the device's preference, at least 4. */
    static int vectorWidth(int preferred) {
        return preferred >= 16 ? 16 : preferred >= 8 ? 8 : 4;
    }

    private static Map<String, Integer> forDevice(String kernel, DeviceInfo device) {
        if (!device.isCpu()) {
            return Map.of();
        }
        return switch (kernel) {
            case "qkt" -> Map.of("TILE_Q", 16, "WPT_Q", 4, "TILE_K", 64, "WPT_K", 16, "TILE_D", 32);
            case "av" -> Map.of("TILE_Q", 16, "WPT_Q", 4, "TILE_V", 64, "WPT_V", 16, "TILE_J", 32);
            case "softmax_rows" -> Map.of("WG_SIZE", 16);
            case "attention_fused_vec" -> Map.of("VW", vectorWidth(device.preferredFloatVector()));
            default -> Map.of();
        };
    }
}
