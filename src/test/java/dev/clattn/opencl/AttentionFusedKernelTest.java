package dev.clattn.opencl;

import dev.clattn.AttentionRequest;
import dev.clattn.AttentionResult;
import dev.clattn.testing.Case;
import dev.clattn.testing.Naive;
import dev.clattn.testing.Naive.Precision;
import dev.clattn.testing.TestCases;
import dev.clattn.testing.Tolerance;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The fused kernel with its file defaults, odd tiles and single work-items, over every pipeline case. */
class AttentionFusedKernelTest {
    static Stream<Arguments> variants() {
        return KernelVariants.arguments("attention_fused", TestCases.pipeline());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("variants")
    void attentionFusedMatchesReference(String params, Case c) {
        check("attention_fused", params, c);
    }

    /** O and LSE of a request without weights (so the fused path) against float64. */
    static void check(String kernel, String params, Case c) {
        AttentionRequest r = c.request(false, true);
        AttentionResult got = KernelVariants.backend(kernel, params).attention(r);
        Naive.Result f64 = new Naive(r, Precision.F64).attention();
        Naive.Result f32 = new Naive(r, Precision.F32).attention();
        Tolerance.check(params + " " + c + " O", got.output(), f64.out(), f32.out());
        Tolerance.check(params + " " + c + " LSE", got.lse(), f64.lse(), f32.lse());
    }

    @AfterAll
    static void close() {
        KernelVariants.closeAll();
    }
}
