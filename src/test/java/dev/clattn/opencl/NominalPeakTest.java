package dev.clattn.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Nominal peaks against the vendors' published figures. */
class NominalPeakTest {
    private static DeviceInfo device(String name, String vendor, String type, int units, int mhz) {
        return new DeviceInfo(0, "platform", vendor, 0, name, vendor, "1.0", type, units, mhz, 80L << 30, 48 << 10,
                20L << 30, 1024, "OpenCL C 1.2", true, false, 1);
    }

    @Test
    void h100SxmMatchesTheDataSheet() {
        NominalPeak p = NominalPeak.of(device("NVIDIA H100 80GB HBM3", "NVIDIA Corporation", "GPU", 132, 1980), 1);
        assertEquals(66_900, p.gflops(), 100);
        assertEquals(3350, p.gbPerS());
    }

    @Test
    void a100UsesSixtyFourLanesPerSm() {
        NominalPeak p = NominalPeak.of(device("NVIDIA A100-SXM4-40GB", "NVIDIA Corporation", "GPU", 108, 1410), 1);
        assertEquals(19_500, p.gflops(), 100);
        assertEquals(1555, p.gbPerS());
    }

    @Test
    void cpuCountsTwoFmaPipesOfAtMostEightLanes() {
        NominalPeak p = NominalPeak.of(device("AMD EPYC", "AuthenticAMD", "CPU", 2, 3100), 16);
        assertEquals(2 * 3.1 * 2 * 8 * 2, p.gflops(), 1e-9);
        assertTrue(Double.isNaN(p.gbPerS()));
    }

    @Test
    void unknownVendorIsNaNNotAGuess() {
        NominalPeak p = NominalPeak.of(device("Apple M2", "Apple", "GPU", 10, 1398), 1);
        assertTrue(Double.isNaN(p.gflops()), p.basis());
    }
}
