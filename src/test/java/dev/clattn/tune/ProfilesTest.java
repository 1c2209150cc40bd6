package dev.clattn.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.opencl.DeviceInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Profile lookup order (device, then vendor, then nothing) and bucket choice, without a device. */
class ProfilesTest {
    private static DeviceInfo device(String vendor, String name, String driver) {
        return new DeviceInfo(0, "platform", vendor, 0, name, vendor, driver, "GPU", 132, 1980, 80L << 30, 48 << 10,
                20L << 30, 1024, "OpenCL C 1.2", true, false, 1);
    }

    private static Profile profile(String device, String driver, int d, int nMin, int nMax, int tileQ) {
        return new Profile("NVIDIA Corporation", device, driver, "attention_fused", "abc", d, nMin, nMax,
                Map.of("TILE_Q", tileQ), 1000, "2026-11-21");
    }

    private static final Profiles PROFILES = new Profiles(List.of(
            profile("NVIDIA H100 80GB HBM3", "550", 64, 1, 2048, 32),
            profile("NVIDIA H100 80GB HBM3", "550", 64, 2049, 1 << 20, 64),
            profile("NVIDIA H100 80GB HBM3", "560", 64, 2049, 1 << 20, 128),
            profile("NVIDIA A100", "550", 128, 1, 1 << 20, 16)));

    private static String pick(DeviceInfo d, int headDim, int n) {
        return PROFILES.lookup("attention_fused", "abc", d, headDim, n)
                .map(m -> m.level() + ":" + m.profile().params().get("TILE_Q")).orElse("none");
    }

    @Test
    void deviceThenVendorThenNothing() {
        DeviceInfo h100 = device("NVIDIA Corporation", "NVIDIA H100 80GB HBM3", "550");
        assertEquals("device:32", pick(h100, 64, 1024));
        assertEquals("device:64", pick(h100, 64, 8192));
        assertEquals("device:128", pick(device("NVIDIA Corporation", "NVIDIA H100 80GB HBM3", "560"), 64, 8192));
        assertEquals("vendor:16", pick(device("NVIDIA Corporation", "NVIDIA L4", "550"), 128, 4096));
        assertEquals("none", pick(device("AMD", "MI300", "6.0"), 64, 1024));
        assertEquals("none", pick(h100, 96, 1024), "another head dimension is another bucket");
        assertTrue(PROFILES.lookup("attention_fused", "other-source", h100, 64, 1024).isEmpty(),
                "a profile tuned on another kernel source does not apply");
    }

    @Test
    void aProfileAppliesOnlyToThePowerOfTwoBucketsItsRangeCovers() {
        DeviceInfo h100 = device("NVIDIA Corporation", "NVIDIA H100 80GB HBM3", "550");
        // Tuned at N = 256 and saved for N/2..2N: buckets [128, 256) and [256, 512) lie wholly inside.
        Profiles tunedAt256 = new Profiles(List.of(profile("NVIDIA H100 80GB HBM3", "550", 64, 128, 512, 8),
                profile("NVIDIA H100 80GB HBM3", "550", 64, 1, 1 << 20, 16)));
        for (int n : new int[] {128, 200, 256, 511}) {
            assertEquals(8, tunedAt256.lookup("attention_fused", "abc", h100, 64, n).orElseThrow().profile().params()
                    .get("TILE_Q"), "N=" + n + ": the narrowest range that covers its bucket");
        }
        for (int n : new int[] {1, 127, 512, 4096}) {
            assertEquals(16, tunedAt256.lookup("attention_fused", "abc", h100, 64, n).orElseThrow().profile().params()
                    .get("TILE_Q"), "N=" + n + " lies outside the N=256 profile's buckets");
        }
        Profiles only = new Profiles(List.of(profile("NVIDIA H100 80GB HBM3", "550", 64, 128, 512, 8)));
        assertTrue(only.lookup("attention_fused", "abc", h100, 64, 65536).isEmpty(), "no nearest-bucket fallback");
        assertEquals(0, Profiles.bucket(1));
        assertEquals(9, Profiles.bucket(1023));
        assertEquals(10, Profiles.bucket(1024));
    }

    @Test
    void saveReplacesTheSameSlotAndLoadReadsItBack(@TempDir Path dir) throws Exception {
        Path file = Profiles.save(dir, profile("NVIDIA H100 80GB HBM3", "550", 64, 1, 2048, 32));
        Profiles.save(dir, profile("NVIDIA H100 80GB HBM3", "550", 64, 1, 2048, 48));
        Profiles.save(dir, profile("NVIDIA H100 80GB HBM3", "550", 128, 1, 2048, 8));
        assertEquals("nvidia-corporation-nvidia-h100-80gb-hbm3.json", file.getFileName().toString());
        Profiles loaded = Profiles.load(dir);
        assertEquals(2, loaded.entries().size());
        Files.writeString(dir.resolve("broken.json"), "{not json");
        assertEquals(2, Profiles.load(dir).entries().size(), "an unreadable file is skipped with a warning");
        DeviceInfo h100 = device("NVIDIA Corporation", "NVIDIA H100 80GB HBM3", "550");
        assertEquals(48, loaded.lookup("attention_fused", "abc", h100, 64, 100).orElseThrow().profile().params()
                .get("TILE_Q"));
    }
}
