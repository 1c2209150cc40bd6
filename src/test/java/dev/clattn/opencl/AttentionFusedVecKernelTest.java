package dev.clattn.opencl;

import dev.clattn.testing.Case;
import dev.clattn.testing.TestCases;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The CPU-vectorised fused kernel with several row counts per work-item, over every pipeline case. */
class AttentionFusedVecKernelTest {
    static Stream<Arguments> variants() {
        return KernelVariants.arguments("attention_fused_vec", TestCases.pipeline());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("variants")
    void attentionFusedVecMatchesReference(String params, Case c) {
        AttentionFusedKernelTest.check("attention_fused_vec", params, c);
    }

    @AfterAll
    static void close() {
        KernelVariants.closeAll();
    }
}
