package dev.clattn.opencl;

import static org.jocl.CL.CL_TRUE;
import static org.jocl.CL.clEnqueueReadBuffer;
import static org.jocl.CL.clEnqueueWriteBuffer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Map;
import java.util.Random;
import org.jocl.Pointer;
import org.junit.jupiter.api.Test;

/** peak_copy moves every float4 it claims to (so its byte count is real). */
class PeakCopyKernelTest {
    @Test
    void copiesEveryElement() {
        OpenCl.Device device = OpenClDevices.require();
        try (ClContext context = new ClContext(device, false, 1);
                PeakCopyKernel copy = new PeakCopyKernel(context, KernelSource.load("peak_copy", null),
                        Map.of("WG_SIZE", 32))) {
            long items = 32 * 7;
            float[] src = new float[(int) items * 4];
            Random rnd = new Random(5);
            for (int i = 0; i < src.length; i++) {
                src[i] = rnd.nextFloat();
            }
            try (ClBuffer in = new ClBuffer(context.allocate(16 * items), 16 * items);
                    ClBuffer out = new ClBuffer(context.allocate(16 * items), 16 * items)) {
                clEnqueueWriteBuffer(context.queue(), in.mem(), CL_TRUE, 0, 16 * items, Pointer.to(src), 0, null, null);
                copy.enqueue(in, out, items);
                float[] got = new float[src.length];
                clEnqueueReadBuffer(context.queue(), out.mem(), CL_TRUE, 0, 16 * items, Pointer.to(got), 0, null, null);
                assertArrayEquals(src, got);
            }
        }
    }
}
