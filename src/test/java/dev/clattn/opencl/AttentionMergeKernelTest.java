package dev.clattn.opencl;

import dev.clattn.testing.Case;
import dev.clattn.testing.TestCases;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The merge kernel (keys split in 3 blocks) with several work-group sizes, over every pipeline case. */
class AttentionMergeKernelTest {
    static Stream<Arguments> variants() {
        return KernelVariants.arguments("attention_merge", TestCases.pipeline());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("variants")
    void attentionMergeMatchesReference(String params, Case c) {
        AttentionFusedKernelTest.check("attention_merge", params, c);
    }

    @AfterAll
    static void close() {
        KernelVariants.closeAll();
    }
}
