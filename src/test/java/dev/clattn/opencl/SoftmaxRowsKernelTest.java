package dev.clattn.opencl;

import dev.clattn.AttentionRequest;
import dev.clattn.testing.Case;
import dev.clattn.testing.Data;
import dev.clattn.testing.Naive;
import dev.clattn.testing.Naive.Precision;
import dev.clattn.testing.TestCases;
import dev.clattn.testing.Tolerance;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SoftmaxRowsKernelTest {
    static Stream<Arguments> variants() {
        return KernelVariants.arguments("softmax_rows", TestCases.pipeline());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("variants")
    void softmaxRowsMatchesReference(String params, Case c) {
        AttentionRequest r = c.request(false, false);
        float[] scores = Data.gaussian(new Random(c.seed()), r.shape().scoreElements(), 4 * c.amplitude());
        float[] lse = new float[(int) r.shape().lseElements()];
        double[] lse64 = new double[lse.length];
        double[] lse32 = new double[lse.length];
        float[] p = KernelVariants.backend("softmax_rows", params).softmaxRows(r, scores, lse);
        Tolerance.check(params + " " + c + " P", p, new Naive(r, Precision.F64).softmaxRows(scores, lse64),
                new Naive(r, Precision.F32).softmaxRows(scores, lse32));
        Tolerance.check(params + " " + c + " LSE", lse, lse64, lse32);
    }

    @AfterAll
    static void close() {
        KernelVariants.closeAll();
    }
}
