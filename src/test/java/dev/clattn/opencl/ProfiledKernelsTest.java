package dev.clattn.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clattn.Shape;
import dev.clattn.tune.Profile;
import dev.clattn.tune.Profiles;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fused kernel chosen per (head dimension, power-of-two bucket of Nk): bounded, and the profile's. */
class ProfiledKernelsTest {
    @Test
    void everyKeyLengthOfADecodeServerFitsInLog2Entries() {
        OpenCl.Device device = OpenClDevices.require();
        DeviceInfo info = device.info();
        KernelSource source = KernelSource.load("attention_fused_vec", null);
        Profiles profiles = new Profiles(List.of(new Profile(info.vendor(), info.name(), info.driverVersion(),
                source.name(), source.hash(), 64, 256, 1023, Map.of("ROWS", 2), 1, "2026-11-21")));
        try (ClContext context = new ClContext(device, false, 2);
                ProfiledKernels<FusedKernel> fused = new ProfiledKernels<>(context, source, d -> Map.of("ROWS", 4), Map.of(),
                        profiles, p -> new AttentionFusedVecKernel(context, source, p))) {
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

    /** The three-kernel path's stages take their profiles the same way. */
    @Test
    void aStageOfTheThreeKernelPathTakesItsProfile() {
        OpenCl.Device device = OpenClDevices.require();
        DeviceInfo info = device.info();
        KernelSource source = KernelSource.load("qkt", null);
        Profiles profiles = new Profiles(List.of(new Profile(info.vendor(), info.name(), info.driverVersion(),
                source.name(), source.hash(), 64, 512, 1023, Map.of("WPT_K", 2), 1, "2026-12-02")));
        try (ClContext context = new ClContext(device, false, 4);
                ProfiledKernels<QktKernel> qkt = new ProfiledKernels<>(context, source, d -> Map.of("WPT_K", 4),
                        Map.of(), profiles, p -> new QktKernel(context, source, p))) {
            assertEquals(2, qkt.forShape(new Shape(1, 8, 8, 600, 600, 64, 64)).params().get("WPT_K"));
            assertEquals(4, qkt.forShape(new Shape(1, 8, 8, 600, 600, 128, 128)).params().get("WPT_K"));
            assertEquals(4, qkt.forShape(new Shape(1, 8, 8, 100, 100, 64, 64)).params().get("WPT_K"));
        }
    }
}
