package dev.clattn.opencl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.testing.Case;
import dev.clattn.testing.TestCases;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * attention_flash, the fused kernel shaped for GPUs, at its file defaults (unrolled as for a GPU), at the GPU
 * classes' defaults (the NVIDIA shuffles emulated: each is two barriers here), at odd tiles and single
 * work-items. The whole contract runs it in OpenClFlashContractTest.
 */
class AttentionFlashKernelTest {
    static Stream<Arguments> variants() {
        return KernelVariants.sets("attention_flash").keySet().stream().flatMap(label -> cases(label).stream()
                .map(c -> Arguments.of(label, c)));
    }

    /** Awkward tiles over the core cases; the slow builds (unrolled, emulated shuffles) over fewer. */
    private static List<Case> cases(String label) {
        return switch (label) {
            case "odd" -> TestCases.pipelineCore();
            case "file-defaults", "amd-intel" -> TestCases.pipelineFew();
            default -> TestCases.pipelineSmall();
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("variants")
    void attentionFlashMatchesReference(String params, Case c) {
        try {
            AttentionFusedKernelTest.check("attention_flash", params, c);
        } catch (IllegalArgumentException e) {
            // A set too large for a GPU's local memory (NVIDIA's 48 KiB against the file defaults' 88 KiB of
            // local-memory exchange) is refused by name, never run as another kernel; CPU devices hold them all.
            assertTrue(e.getMessage().contains("does not fit the device"), e.getMessage());
            assertFalse(OpenClDevices.require().info().isCpu(), e.getMessage());
            Assumptions.abort(params + " does not fit this device: " + e.getMessage());
        }
    }

    @AfterAll
    static void close() {
        KernelVariants.closeAll();
    }
}
