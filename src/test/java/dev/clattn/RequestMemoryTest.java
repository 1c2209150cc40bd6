package dev.clattn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.opencl.OpenClDevices;
import dev.clattn.testing.Case;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A request that is legal but needs more heap than the JVM has is refused before anything is allocated, naming
 * the array and its size, on every backend; the engine then goes on serving.
 */
class RequestMemoryTest {
    /** The largest N whose N x N weights still fit a Java array: 8.6 GB of floats, over the tests' 6 GiB heap. */
    private static final int N = 46_340;

    static Stream<BackendKind> kinds() {
        return Stream.of(BackendKind.CPU, BackendKind.OPENCL);
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void weightsTheHeapCannotHoldAreRefusedNamingThemAndTheirSize(BackendKind kind) {
        if (kind == BackendKind.OPENCL) {
            OpenClDevices.require();
        }
        long bytes = 4L * N * N;
        assertTrue(Runtime.getRuntime().maxMemory() < bytes, "the test needs a heap under " + bytes + " bytes");
        Shape s = new Shape(1, 1, 1, N, N, 1, 1);
        AttentionRequest r = AttentionRequest.builder(s).q(new float[N]).k(new float[N]).v(new float[N])
                .returnWeights(true).build();
        try (Attention engine = Attention.open(Config.builderFromEnvironment().backend(kind).build())) {
            RequestTooLargeException e = assertThrows(RequestTooLargeException.class, () -> engine.compute(r));
            assertEquals("weights", e.argument());
            assertEquals(bytes, e.bytes());
            assertTrue(e.getMessage().startsWith("weights: expected at most "), e.getMessage());
            assertTrue(e.getMessage().contains("of JVM heap left"), e.getMessage());
            Case small = Case.of("after-refusal", new Shape(1, 2, 2, 3, 4, 5, 6));
            assertEquals(3 * 2 * 6, engine.compute(small.request(true, true)).output().length);
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void theStagesRefuseScoreArraysTheHeapCannotHold(BackendKind kind) {
        if (kind == BackendKind.OPENCL) {
            OpenClDevices.require();
        }
        Shape s = new Shape(1, 1, 1, N, N, 1, 1);
        AttentionRequest r = AttentionRequest.builder(s).q(new float[N]).k(new float[N]).v(new float[N]).build();
        try (Attention engine = Attention.open(Config.builderFromEnvironment().backend(kind).build())) {
            RequestTooLargeException e = assertThrows(RequestTooLargeException.class, () -> engine.backend().qkt(r));
            assertEquals("scores", e.argument());
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aPlanOverTheHeapNamesItsLargestArray(BackendKind ignored) {
        long max = Runtime.getRuntime().maxMemory();
        RequestTooLargeException e = assertThrows(RequestTooLargeException.class,
                () -> new HostMemory.Plan().add("lse", 10).add("weights", max / 2 + 1).add("output", max / 2)
                        .require());
        assertEquals("weights", e.argument());
        assertEquals(max / 2 + 1, e.bytes());
        new HostMemory.Plan().add("output", 1 << 20).require();
    }
}
