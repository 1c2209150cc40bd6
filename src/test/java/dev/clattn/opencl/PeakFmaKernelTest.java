package dev.clattn.opencl;

import static org.jocl.CL.CL_TRUE;
import static org.jocl.CL.clEnqueueReadBuffer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.jocl.Pointer;
import org.junit.jupiter.api.Test;

/** peak_fma computes the recurrence it claims to (so its FLOP count is real), and the measured peak is sane. */
class PeakFmaKernelTest {
    @Test
    void everyChainRunsEveryIteration() {
        OpenCl.Device device = OpenClDevices.require();
        try (ClContext context = new ClContext(device, false, 1);
                PeakFmaKernel fma = new PeakFmaKernel(context, KernelSource.load("peak_fma", null),
                        Map.of("WG_SIZE", 16, "CHAINS", 3))) {
            int items = 64;
            int iterations = 37;
            float a = 0.99f;
            float b = 0.01f;
            try (ClBuffer out = new ClBuffer(context.allocate(4L * items), 4L * items)) {
                fma.enqueue(out, items, a, b, iterations);
                float[] got = new float[items];
                clEnqueueReadBuffer(context.queue(), out.mem(), CL_TRUE, 0, 4L * items, Pointer.to(got), 0, null, null);
                for (int gid = 0; gid < items; gid++) {
                    double sum = 0;
                    for (int c = 0; c < 3; c++) {
                        double x = (gid + c) * 1e-6;
                        for (int i = 0; i < iterations; i++) {
                            x = x * a + b;
                        }
                        sum += 8 * x;
                    }
                    assertEquals(sum, got[gid], 1e-5 * sum, "work-item " + gid);
                }
            }
            assertEquals(64L * 37 * 3 * 8 * 2, fma.flops(items, iterations));
        }
    }

    @Test
    void measuredPeakIsPositiveAndBelowTwiceTheNominal() {
        OpenCl.Device device = OpenClDevices.require();
        DevicePeak peak = DevicePeak.measure(device, null);
        assertTrue(peak.fmaGflops() > 0 && Double.isFinite(peak.fmaGflops()), peak.describe());
        assertTrue(peak.copyGbPerS() > 0 && Double.isFinite(peak.copyGbPerS()), peak.describe());
        if (!Double.isNaN(peak.nominal().gflops())) {
            assertTrue(peak.fmaGflops() < 2 * peak.nominal().gflops(), peak.describe());
        }
    }
}
