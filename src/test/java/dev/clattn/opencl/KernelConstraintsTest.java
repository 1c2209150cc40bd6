package dev.clattn.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.KernelBuildException;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The rules kernel files state for their parameters: the host reads and judges them before any build, the
 * compiler refuses the same parameters with the same words, and what the driver reports about a built program
 * (local memory, work-group size) is checked against the device.
 */
class KernelConstraintsTest {
    /** One broken parameter set per rule of the shipped kernels, and the message that must name it. */
    private static final Object[][] BROKEN = {
        {"qkt", Map.of("TILE_Q", 12, "WPT_Q", 8), "TILE_Q must be a multiple of WPT_Q"},
        {"qkt", Map.of("WPT_K", 0), "TILE_Q, TILE_K, TILE_D, WPT_Q and WPT_K must be >= 1"},
        {"av", Map.of("TILE_V", 32, "WPT_V", 3), "TILE_V must be a multiple of WPT_V"},
        {"softmax_rows", Map.of("WG_SIZE", 48), "WG_SIZE must be a power of two"},
        {"attention_fused", Map.of("TILE_K", 32, "THREADS_X", 3), "TILE_K must be a multiple of THREADS_X"},
        {"attention_fused_vec", Map.of("VW", 6), "VW must be 4, 8 or 16"},
        {"attention_flash", Map.of("TILE_J", 48), "TILE_Q must be a multiple of WPT_Q, TILE_K of WPT_K and of TILE_J"},
        {"attention_flash", Map.of("EXCHANGE", 2, "TILE_K", 48, "WPT_K", 4, "TILE_J", 48),
            "shuffles need TILE_K / WPT_K lanes, a power of two up to 32"},
        {"attention_flash", Map.of("EXCHANGE", 1, "TILE_Q", 8, "WPT_Q", 8, "TILE_K", 16, "WPT_K", 4, "TILE_J", 16),
            "EXCHANGE 1 needs whole warps"},
        {"pack_kt", Map.of("WG_SIZE", 0), "WG_SIZE must be >= 1"},
    };

    private static Map<String, Integer> params(KernelSource source, Map<?, ?> overrides) {
        Map<String, Integer> p = new TreeMap<>(source.defaults());
        overrides.forEach((k, v) -> p.put((String) k, (Integer) v));
        return p;
    }

    @Test
    void theHostFindsEveryBrokenRuleWithoutBuilding() {
        for (Object[] b : BROKEN) {
            KernelSource source = KernelSource.load((String) b[0], null);
            String broken = KernelConstraints.parse(source.text()).violated(params(source, (Map<?, ?>) b[1]));
            assertTrue(broken != null && broken.startsWith((String) b[2]), b[0] + " " + b[1] + ": " + broken);
        }
        for (String kernel : new String[] {"qkt", "av", "softmax_rows", "attention_fused", "attention_fused_vec",
                "attention_flash", "attention_merge", "pack_kt", "to_half", "peak_fma", "peak_copy"}) {
            KernelSource source = KernelSource.load(kernel, null);
            assertNull(KernelConstraints.parse(source.text()).violated(source.defaults()), kernel + " defaults");
        }
    }

    @Test
    void theCompilerRefusesTheSameParametersInTheSameWords() {
        OpenCl.Device device = OpenClDevices.require();
        try (ClContext context = new ClContext(device, false, 4)) {
            for (Object[] b : BROKEN) {
                KernelSource source = KernelSource.load((String) b[0], null);
                KernelParams p = KernelParams.of(source, params(source, (Map<?, ?>) b[1]));
                KernelBuildException e = assertThrows(KernelBuildException.class, () -> context.kernel(source,
                        p.defines() + " -DHEAD_D=64 -DHEAD_DV=64", source.name()), b[0] + " " + b[1]);
                assertTrue(e.buildLog().contains((String) b[2]), b[0] + " " + b[1] + ": " + e.buildLog());
            }
        }
    }

    @Test
    void aLauncherNamesTheBrokenRuleAndBuildsNothing() {
        OpenCl.Device device = OpenClDevices.require();
        try (ClContext context = new ClContext(device, false, 4)) {
            KernelSource source = KernelSource.load("qkt", null);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new QktKernel(context, source, Map.of("TILE_Q", 12, "WPT_Q", 8)));
            assertTrue(e.getMessage().startsWith("QktKernel {") && e.getMessage().endsWith(
                    "WPT_Q=8}: TILE_Q must be a multiple of WPT_Q"), e.getMessage());
            assertEquals(0, context.programsHeld());
        }
    }

    /** The driver's report of a built program, checked against the device, and the work-group shape read back. */
    @Test
    void whatTheDriverReportsIsCheckedAgainstTheDevice() {
        OpenCl.Device device = OpenClDevices.require();
        DeviceInfo info = device.info();
        try (ClContext context = new ClContext(device, false, 4)) {
            KernelSource source = KernelSource.load("qkt", null);
            try (QktKernel fine = new QktKernel(context, source, Map.of("TILE_Q", 16, "WPT_Q", 4, "TILE_K", 32,
                    "WPT_K", 4))) {
                ClContext.KernelResources r = fine.resources("");
                assertArrayEquals(new long[] {8, 4, 1}, r.workGroup(), "reqd_work_group_size(THREADS_K, THREADS_Q, 1)");
                assertTrue(r.localMemBytes() >= 4L * 16 * (16 + 32), "qs and ks: " + r.localMemBytes());
            }
            // The staged Q and K slices alone take twice the device's local memory.
            int tileD = (int) (2 * info.localMemBytes() / (4L * (16 + 32)));
            IllegalArgumentException local = assertThrows(IllegalArgumentException.class, () -> new QktKernel(
                    context, source, Map.of("TILE_Q", 16, "TILE_K", 32, "TILE_D", tileD)));
            assertTrue(local.getMessage().contains("bytes of local memory exceed the device's "
                    + info.localMemBytes()), local.getMessage());
            long items = 2 * info.maxWorkGroupSize();
            IllegalArgumentException wide = assertThrows(IllegalArgumentException.class, () -> new QktKernel(
                    context, source, Map.of("TILE_Q", (int) (items / 64), "WPT_Q", 1, "TILE_K", 64, "WPT_K", 1,
                            "TILE_D", 1)));
            assertTrue(wide.getMessage().contains("a work-group of " + items + " work-items"), wide.getMessage());
        }
    }

    @Test
    void expressionsFollowThePreprocessorsRules() {
        String text = "#define LANES (TILE_K / WPT_K)\n#define BODY (LANES * 2 + HEAD_D)\n"
                + "#if LANES > 8 && !(LANES & (LANES - 1)) == 0\n#error \"lanes\"\n#endif\n"
                + "#if TILE_K - WPT_K * 3 < 0 ? 1 : TILE_K % 7 == 1\n#error \"ternary\"\n#endif\n"
                + "#if BODY > 0\n#error \"needs the build\"\n#endif\n"
                + "#if TILE_K % (WPT_K - 4)\n#error \"zero\"\n#endif\n";
        KernelConstraints c = KernelConstraints.parse(text);
        assertEquals(4, c.rules().size());
        // LANES = 12: > 8, and not a power of two.
        assertEquals("lanes", c.violated(Map.of("TILE_K", 48, "WPT_K", 4)));
        // LANES = 16 passes the first rule; 64 - 12 >= 0, 64 % 7 == 1: the ternary's third operand holds.
        assertEquals("ternary", c.violated(Map.of("TILE_K", 64, "WPT_K", 4)));
        // LANES = 2; 8 - 12 < 0 picks 1. With LANES = 4, 16 % 7 != 1; HEAD_D is the build's, so that rule
        // waits, and the last divides by zero.
        assertEquals("ternary", c.violated(Map.of("TILE_K", 8, "WPT_K", 4)));
        assertEquals("zero (its condition, TILE_K % (WPT_K - 4), divides by zero)",
                c.violated(Map.of("TILE_K", 16, "WPT_K", 4)));
        assertNull(c.violated(Map.of("TILE_K", 20, "WPT_K", 5)));
    }
}
