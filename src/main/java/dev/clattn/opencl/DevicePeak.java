package dev.clattn.opencl;

import static org.jocl.CL.CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The device's measured peaks, from two micro-kernels timed with profiling events (the best of several
 * runs), beside the nominal figures: the denominators of the benchmarks' fraction of peak.
 *
 * @param fmaGflops FP32 FMA throughput, GFLOP/s (peak_fma.cl)
 * @param copyGbPerS global-memory copy bandwidth, GB/s counting bytes read plus written (peak_copy.cl)
 * @param nominal estimated from device info and a table of known parts
 */
public record DevicePeak(double fmaGflops, double copyGbPerS, NominalPeak nominal) {
    private static final double TARGET_MS = 25;
    private static final int RUNS = 5;

    /** Runs both micro-kernels on {@code device} on a context of their own; kernels from {@code kernelDir} or the jar. */
    public static DevicePeak measure(OpenCl.Device device, Path kernelDir) {
        DeviceInfo info = device.info();
        NominalPeak nominal = NominalPeak.of(info, OpenCl.deviceInt(device.id(), CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT));
        try (ClContext context = new ClContext(device, true, 2);
                PeakFmaKernel fma = new PeakFmaKernel(context, KernelSource.load("peak_fma", kernelDir), Map.of());
                PeakCopyKernel copy = new PeakCopyKernel(context, KernelSource.load("peak_copy", kernelDir),
                        Map.of())) {
            return new DevicePeak(fmaGflops(context, fma, info), copyGbPerS(context, copy, info), nominal);
        }
    }

    private static double fmaGflops(ClContext context, PeakFmaKernel fma, DeviceInfo info) {
        long items = (long) info.computeUnits() * fma.wg() * 8;
        try (ClBuffer out = new ClBuffer(context.allocate(items * 4), items * 4)) {
            // Double the loop until one launch is long enough to time well, then take the best of RUNS.
            int iterations = 64;
            while (time(context, launch(fma, out, items, iterations)) < TARGET_MS && iterations < (1 << 24)) {
                iterations *= 2;
            }
            return fma.flops(items, iterations) / (best(context, launch(fma, out, items, iterations)) * 1e6);
        }
    }

    private static Runnable launch(PeakFmaKernel fma, ClBuffer out, long items, int iterations) {
        return () -> fma.enqueue(out, items, 0.999999f, 1e-7f, iterations);
    }

    private static double copyGbPerS(ClContext context, PeakCopyKernel copy, DeviceInfo info) {
        // Far larger than any cache, and within one allocation's limit (a quarter of memory on NVIDIA).
        long bytes = Math.min(256L << 20, Math.min(info.maxAllocBytes(), info.globalMemBytes() / 4));
        long items = bytes / 16 / copy.wg() * copy.wg();
        try (ClBuffer src = new ClBuffer(context.allocate(items * 16), items * 16);
                ClBuffer dst = new ClBuffer(context.allocate(items * 16), items * 16)) {
            time(context, () -> copy.enqueue(src, dst, items));
            return 2.0 * items * 16 / (best(context, () -> copy.enqueue(src, dst, items)) * 1e6);
        }
    }

    private static double best(ClContext context, Runnable launch) {
        double best = Double.MAX_VALUE;
        for (int r = 0; r < RUNS; r++) {
            best = Math.min(best, time(context, launch));
        }
        return best;
    }

    private static double time(ClContext context, Runnable launch) {
        context.takeKernelMillis();
        launch.run();
        return context.takeKernelMillis().values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** Measured FMA peak, and the nominal one beside it. */
    public String describe() {
        return String.format(Locale.ROOT, "measured %.1f GFLOP/s FMA, %.1f GB/s copy; nominal %.1f GFLOP/s, %s GB/s "
                + "(%s)", fmaGflops, copyGbPerS, nominal.gflops(), Double.isNaN(nominal.gbPerS()) ? "unknown"
                : String.format(Locale.ROOT, "%.0f", nominal.gbPerS()), nominal.basis());
    }
}
