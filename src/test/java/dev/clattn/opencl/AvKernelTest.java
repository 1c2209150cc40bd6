package dev.clattn.opencl;

import dev.clattn.AttentionRequest;
import dev.clattn.testing.Case;
import dev.clattn.testing.Data;
import dev.clattn.testing.Naive;
import dev.clattn.testing.Naive.Precision;
import dev.clattn.testing.TestCases;
import dev.clattn.testing.Tolerance;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AvKernelTest {
    static Stream<Arguments> variants() {
        return KernelVariants.arguments("av", TestCases.stages());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("variants")
    void avMatchesReference(String params, Case c) {
        AttentionRequest r = c.request(false, false);
        float[] weights = Data.weights(c.seed(), r.shape().scoreElements());
        Tolerance.check(params + " " + c + " O", KernelVariants.backend("av", params).av(r, weights),
                new Naive(r, Precision.F64).av(weights), new Naive(r, Precision.F32).av(weights));
    }

    @AfterAll
    static void close() {
        KernelVariants.closeAll();
    }
}
