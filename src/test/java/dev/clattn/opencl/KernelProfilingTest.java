package dev.clattn.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.AttentionPath;
import dev.clattn.AttentionRequest;
import dev.clattn.BackendKind;
import dev.clattn.Causal;
import dev.clattn.Config;
import dev.clattn.Shape;
import dev.clattn.tune.Float64Check;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Profiling events give device time per kernel, per call, and nothing when profiling is off. */
class KernelProfilingTest {
    private static final AttentionRequest REQUEST = Float64Check.selfAttention(Shape.of(1, 2, 300, 32),
            Causal.TOP_LEFT, new Random(3));

    private static OpenClBackend backend(AttentionPath path, boolean profiling) {
        return new OpenClBackend(OpenClDevices.require(), Config.builderFromEnvironment().backend(BackendKind.OPENCL).path(path)
                .profiling(profiling).build());
    }

    @Test
    void threeKernelPathReportsEachKernelOnce() {
        try (OpenClBackend b = backend(AttentionPath.THREE_KERNEL, true)) {
            b.attention(REQUEST);
            Map<String, Double> ms = b.takeKernelMillis();
            assertEquals(Set.of("qkt", "softmax_rows", "av"), ms.keySet());
            ms.values().forEach(t -> assertTrue(t > 0 && t < 60_000, ms.toString()));
            assertEquals(Map.of(), b.takeKernelMillis(), "a second take has nothing new");
        }
    }

    @Test
    void fusedPathReportsItsKernel() {
        try (OpenClBackend b = backend(AttentionPath.FUSED, true)) {
            b.attention(REQUEST);
            b.attention(REQUEST);
            Map<String, Double> ms = b.takeKernelMillis();
            String kernel = b.fusedKernel(REQUEST.shape()).split("[ (]")[0];
            assertTrue(ms.containsKey(kernel), kernel + " in " + ms);
        }
    }

    @Test
    void nothingWithoutProfiling() {
        try (OpenClBackend b = backend(AttentionPath.THREE_KERNEL, false)) {
            b.attention(REQUEST);
            assertEquals(Map.of(), b.takeKernelMillis());
        }
    }
}
