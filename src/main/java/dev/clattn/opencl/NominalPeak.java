package dev.clattn.opencl;

import java.util.List;
import java.util.Locale;

/**
 * A device's nominal FP32 and memory peaks, estimated from what OpenCL reports (compute units, clock) and
 * what it does not (FP32 lanes per compute unit, memory bandwidth), which come from a short table of known
 * parts. Shown beside the measured peak; NaN where nothing is known.
 *
 * @param gflops nominal FP32 GFLOP/s (an FMA counts 2)
 * @param gbPerS nominal memory bandwidth, GB/s (1e9 bytes)
 * @param basis how the figures were obtained, for the report
 */
public record NominalPeak(double gflops, double gbPerS, String basis) {
    private record Part(String nameContains, int lanesPerUnit, double gbPerS) {
    }

    // Most specific names first. Lanes per SM from NVIDIA's architecture whitepapers; bandwidth from data sheets.
    private static final List<Part> NVIDIA = List.of(
            new Part("H200", 128, 4800),
            new Part("H100 NVL", 128, 3900),
            new Part("H100 PCIe", 128, 2000),
            new Part("H100", 128, 3350),
            new Part("A100-SXM4-80GB", 64, 2039),
            new Part("A100 80GB PCIe", 64, 1935),
            new Part("A100", 64, 1555),
            new Part("V100", 64, 900),
            new Part("T4", 64, 320),
            new Part("L4", 128, 300),
            new Part("L40S", 128, 864));

    /**
     * The nominal peak of {@code device}; {@code nativeFloatWidth} is CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT,
     * used for CPUs only.
     */
    public static NominalPeak of(DeviceInfo device, int nativeFloatWidth) {
        double ghz = device.clockMHz() / 1000.0;
        int units = device.computeUnits();
        String vendor = device.vendor().toLowerCase(Locale.ROOT);
        if (device.isCpu()) {
            // Two FMA pipes per core, at most 256 bits each: true of AVX2 cores and of Zen 4's AVX-512; a
            // server core with two 512-bit FMA units has twice this.
            int lanes = Math.min(Math.max(nativeFloatWidth, 1), 8);
            return new NominalPeak(units * ghz * 2 * lanes * 2, Double.NaN, String.format(Locale.ROOT,
                    "%d cores x %.2f GHz x 2 FMA pipes x %d lanes x 2", units, ghz, lanes));
        }
        if (vendor.contains("nvidia")) {
            Part part = NVIDIA.stream().filter(p -> device.name().contains(p.nameContains())).findFirst()
                    .orElse(new Part(null, 128, Double.NaN));
            return new NominalPeak(units * ghz * part.lanesPerUnit() * 2, part.gbPerS(), String.format(Locale.ROOT,
                    "%d SMs x %.3f GHz x %d FP32 lanes x 2%s", units, ghz, part.lanesPerUnit(),
                    part.nameContains() == null ? " (lanes assumed; part not in the table)"
                            : "; bandwidth from the " + part.nameContains() + " data sheet"));
        }
        if (vendor.contains("advanced micro devices") || vendor.contains("amd")) {
            return new NominalPeak(units * ghz * 64 * 2, Double.NaN, String.format(Locale.ROOT,
                    "%d CUs x %.3f GHz x 64 lanes x 2", units, ghz));
        }
        if (vendor.contains("intel")) {
            return new NominalPeak(units * ghz * 8 * 2, Double.NaN, String.format(Locale.ROOT,
                    "%d EUs x %.3f GHz x 8 lanes x 2", units, ghz));
        }
        return new NominalPeak(Double.NaN, Double.NaN, "unknown for vendor " + device.vendor().trim());
    }
}
