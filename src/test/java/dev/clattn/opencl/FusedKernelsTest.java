package dev.clattn.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clattn.Shape;
import dev.clattn.tune.Profile;
import dev.clattn.tune.Profiles;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fused kernel chosen per (head dimension, power-of-two bucket of Nk): bounded, and the profile's. */
class FusedKernelsTest {
    @Test
    void everyKeyLengthOfADecodeServerFitsInLog2Entries() {
        OpenCl.Device device = OpenClDevices.require();
        DeviceInfo info = device.info();
        KernelSource source = KernelSource.load("attention_fused_vec", null);
        Profiles profiles = new Profiles(List.of(new Profile(info.vendor(), info.name(), info.driverVersion(),
                source.name(), source.hash(), 64, 256, 1023, Map.of("ROWS", 2), 1, "2026-11-21")));
        try (ClContext context = new ClContext(device, false, 2);
                FusedKernels fused = new FusedKernels(context, source, d -> Map.of("ROWS", 4), Map.of(), profiles)) {
            for (int nk = 1; nk <= 5000; nk++) {
                for (int d : new int[] {64, 128}) {
                    FusedKernel k = fused.forShape(new Shape(1, 8, 8, 1, nk, d, d));
                    int expected = d == 64 && nk >= 256 && nk <= 1023 ? 2 : 4;
                    assertEquals(expected, k.params().get("ROWS"), "D=" + d + " Nk=" + nk);
                }
            }
            // Buckets [1, 2) .. [4096, 8192): 13 per head dimension.
            assertEquals(2 * 13, fused.shapesCached());
            assertEquals(0, context.programsHeld(), "choosing builds nothing");
        }
    }
}
