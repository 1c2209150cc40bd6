package dev.clattn.opencl;

import dev.clattn.AttentionRequest;
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

class QktKernelTest {
    static Stream<Arguments> variants() {
        return KernelVariants.arguments("qkt", TestCases.stages());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("variants")
    void qktMatchesReference(String params, Case c) {
        AttentionRequest r = c.request(false, false);
        Tolerance.check(params + " " + c + " S", KernelVariants.backend("qkt", params).qkt(r),
                new Naive(r, Precision.F64).qkt(), new Naive(r, Precision.F32).qkt());
    }

    @AfterAll
    static void close() {
        KernelVariants.closeAll();
    }
}
