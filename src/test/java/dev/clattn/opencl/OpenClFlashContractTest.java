package dev.clattn.opencl;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.Config;
import dev.clattn.Shape;
import dev.clattn.testing.Case;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The whole contract with attention_flash, the GPU kernel, on the test device with its keys split 3 ways: named
 * on a CPU device (where the engine would choose attention_fused_vec), at the file's defaults under the device
 * class's values (UNROLL 0 there only shortens the build); on a GPU, where it is the default, as the engine
 * chooses it, attention_fused taking the shapes whose program does not fit.
 */
class OpenClFlashContractTest extends OpenClContract {
    private static final Map<String, Map<String, Integer>> PARAMS = Map.of("attention_flash", Map.of("UNROLL", 0));

    @Override
    protected Config config() {
        boolean cpu = OpenClDevices.require().info().isCpu();
        return Config.builderFromEnvironment().fusedKernel(cpu ? "attention_flash" : null).keySplits(3).params(PARAMS).build();
    }

    @Test
    void theFusedPathRunsTheGpuKernel() {
        Shape s = new Shape(1, 2, 2, 100, 100, 64, 64);
        assertTrue(backend().fusedKernel(s).startsWith("attention_flash "), backend().fusedKernel(s));
    }

    /**
     * Named by the configuration, the kernel is never swapped for another: a shape it cannot hold is an error. The
     * head dimension puts the resident Q tile (TILE_Q rows of D floats, TILE_Q at least 64 in every shipped set)
     * at twice the device's local memory, which PoCL sizes from the host's caches (512 KiB to 1 MiB seen).
     */
    @Test
    void aHeadDimensionBeyondLocalMemoryIsAnErrorWhenTheKernelIsNamed() {
        int d = (int) Math.max(1200, OpenClDevices.require().info().localMemBytes() * 2 / (64 * Float.BYTES));
        Shape s = new Shape(1, 1, 1, 2, 2, d, 4);
        Config named = Config.builderFromEnvironment().fusedKernel("attention_flash").params(PARAMS).build();
        try (OpenClBackend b = new OpenClBackend(OpenClDevices.require(), named)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> b.attention(Case.of("D" + d, s).request(false, false)));
            assertTrue(e.getMessage().contains("D=" + d), e.getMessage());
        }
    }
}
