package dev.clattn.opencl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.Attention;
import dev.clattn.AttentionPath;
import dev.clattn.AttentionRequest;
import dev.clattn.BackendKind;
import dev.clattn.Config;
import dev.clattn.Shape;
import dev.clattn.testing.Case;
import dev.clattn.testing.Naive;
import dev.clattn.testing.Tolerance;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code computeInto} on OpenCL reuses what it made for the caller's arrays and buffers (JOCL pointers, the
 * output's wrapper): the same targets reused across requests, or a buffer whose position moved, must still get
 * each request's answer in the right place; and a steady-state call allocates nothing on the calling thread.
 */
class ComputeIntoTest {
    private static Attention open() {
        OpenClDevices.require();
        return Attention.open(Config.builderFromEnvironment().backend(BackendKind.OPENCL).path(AttentionPath.FUSED)
                .build());
    }

    private static void check(String what, AttentionRequest r, float[] actual) {
        Tolerance.check(what, actual, new Naive(r, Naive.Precision.F64).attention().out(),
                new Naive(r, Naive.Precision.F32).attention().out());
    }

    /** Two requests alternating on one output array and one direct buffer, then into a moved window of it. */
    @Test
    void reusedTargetsGetEachRequestsAnswer() {
        Shape shape = Shape.of(1, 2, 37, 24);
        List<AttentionRequest> requests = List.of(Case.of("into-a", shape).request(false, false),
                Case.of("into-b", shape).request(false, false));
        int n = Math.toIntExact(shape.outElements());
        float[] array = new float[n];
        FloatBuffer direct = ByteBuffer.allocateDirect(4 * (2 * n + 5)).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        try (Attention engine = open()) {
            for (int round = 0; round < 4; round++) {
                AttentionRequest r = requests.get(round % 2);
                engine.computeInto(r, array);
                check("array, round " + round, r, array.clone());
                int at = round < 2 ? 0 : 5 + n;
                direct.limit(at + n).position(at);
                engine.computeInto(r, direct);
                float[] got = new float[n];
                direct.duplicate().get(got);
                check("direct buffer at " + at + ", round " + round, r, got);
            }
        }
    }

    @Test
    void steadyStateCallsAllocateNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
                .getThreadMXBean();
        AttentionRequest r = Case.of("into-alloc", Shape.of(1, 4, 16, 64)).request(false, false);
        float[] array = new float[Math.toIntExact(r.shape().outElements())];
        FloatBuffer direct = ByteBuffer.allocateDirect(4 * array.length).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        try (Attention engine = open()) {
            long thread = Thread.currentThread().getId();
            threads.getThreadAllocatedBytes(thread); // its own first call allocates
            // Steady state: the first rounds load classes and compile; the best of five rounds is the claim.
            long best = Long.MAX_VALUE;
            for (int round = 0; round < 5; round++) {
                long before = threads.getThreadAllocatedBytes(thread);
                for (int i = 0; i < 200; i++) {
                    engine.computeInto(r, array);
                    engine.computeInto(r, direct);
                }
                best = Math.min(best, (threads.getThreadAllocatedBytes(thread) - before) / 400);
            }
            // A collection in a round clears the weakly held pointers: a few remade, a few bytes per call.
            assertTrue(best < 8, best + " bytes allocated per computeInto call");
            check("after the calls", r, array);
        }
    }
}
