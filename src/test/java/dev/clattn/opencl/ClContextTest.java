package dev.clattn.opencl;

import static org.jocl.CL.CL_TRUE;
import static org.jocl.CL.clEnqueueReadBuffer;
import static org.jocl.CL.clEnqueueWriteBuffer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.DeviceException;
import java.util.List;
import java.util.Map;
import org.jocl.Pointer;
import org.junit.jupiter.api.Test;

/** The context's bounded program cache, and OpenCL failures as DeviceException. */
class ClContextTest {
    /** peak_fma with one argument too many: its kernel takes (out, a, b, iterations). */
    private static final class ExtraArgument extends WorkGroupLauncher {
        ExtraArgument(ClContext context) {
            super(context, KernelSource.load("peak_fma", null), Map.of("WG_SIZE", 1));
        }

        void enqueue(ClBuffer out) {
            begin("").mem(out).f(1).f(1).i(1).i(1);
        }
    }

    @Test
    void programsBeyondTheCacheSizeAreReleasedAndRebuiltWhenNeeded() {
        OpenCl.Device device = OpenClDevices.require();
        KernelSource source = KernelSource.load("peak_copy", null);
        try (ClContext context = new ClContext(device, false, 2)) {
            // Three work-group sizes are three programs; used round robin, each launch finds its own evicted.
            List<PeakCopyKernel> copies = List.of(8, 16, 32).stream()
                    .map(wg -> new PeakCopyKernel(context, source, Map.of("WG_SIZE", wg))).toList();
            long items = 32 * 3;
            float[] src = new float[(int) items * 4];
            for (int i = 0; i < src.length; i++) {
                src[i] = i * 0.5f - 7;
            }
            try (ClBuffer in = new ClBuffer(context.allocate(16 * items), 16 * items);
                    ClBuffer out = new ClBuffer(context.allocate(16 * items), 16 * items)) {
                clEnqueueWriteBuffer(context.queue(), in.mem(), CL_TRUE, 0, 16 * items, Pointer.to(src), 0, null, null);
                for (int round = 0; round < 3; round++) {
                    for (PeakCopyKernel copy : copies) {
                        float[] got = new float[src.length];
                        clEnqueueWriteBuffer(context.queue(), out.mem(), CL_TRUE, 0, 16 * items, Pointer.to(got), 0,
                                null, null);
                        copy.enqueue(in, out, items);
                        clEnqueueReadBuffer(context.queue(), out.mem(), CL_TRUE, 0, 16 * items, Pointer.to(got), 0,
                                null, null);
                        assertArrayEquals(src, got, "copy with " + copy.params() + " in round " + round);
                        assertTrue(context.programsHeld() <= 2, context.programsHeld() + " programs held");
                    }
                }
                assertEquals(2, context.programsHeld());
            }
        }
    }

    @Test
    void failedCallsNameTheCallAndTheOpenClError() {
        OpenCl.Device device = OpenClDevices.require();
        try (ClContext context = new ClContext(device, false, 4);
                ExtraArgument extra = new ExtraArgument(context)) {
            DeviceException alloc = assertThrows(DeviceException.class, () -> context.allocate(1L << 62));
            assertEquals("clCreateBuffer", alloc.call());
            assertTrue(alloc.errorName().startsWith("CL_") && alloc.errorCode() < 0, alloc.getMessage());
            assertTrue(alloc.getMessage().contains(alloc.errorName()) && alloc.getMessage().contains((1L << 62)
                    + " bytes"), alloc.getMessage());
            try (ClBuffer out = new ClBuffer(context.allocate(64), 64)) {
                DeviceException arg = assertThrows(DeviceException.class, () -> extra.enqueue(out));
                assertEquals("clSetKernelArg", arg.call());
                assertEquals("CL_INVALID_ARG_INDEX", arg.errorName(), arg.getMessage());
                assertTrue(arg.getMessage().contains("argument 4 of peak_fma"), arg.getMessage());
            }
        }
    }

    @Test
    void programCacheSizeMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ClContext(OpenClDevices.require(), false, 0));
        assertEquals("programCache: expected >= 1, got 0", e.getMessage());
    }
}
