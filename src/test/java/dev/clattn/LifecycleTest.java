package dev.clattn;

import dev.clattn.spi.Backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.opencl.OpenClDevices;
import dev.clattn.testing.Case;
import dev.clattn.testing.Naive;
import dev.clattn.testing.Naive.Precision;
import dev.clattn.testing.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Closing an engine, on every backend: a call in flight finishes with the right answer, every later call
 * throws IllegalStateException, through the engine or through its backend (on OpenCL a released context
 * reaching the driver kills the JVM, so a failure here may show as a crashed test run).
 */
class LifecycleTest {
    static Stream<BackendKind> kinds() {
        return Stream.of(BackendKind.CPU, BackendKind.OPENCL);
    }

    private static Attention open(BackendKind kind) {
        if (kind == BackendKind.OPENCL) {
            OpenClDevices.require();
        }
        return Attention.open(Config.builderFromEnvironment().backend(kind).build());
    }

    private static final Case SMALL = Case.of("lifecycle", new Shape(2, 2, 1, 5, 9, 8, 4)).causal(Causal.BOTTOM_RIGHT);

    @ParameterizedTest
    @MethodSource("kinds")
    void everyCallAfterCloseThrows(BackendKind kind) {
        Attention engine = open(kind);
        Backend backend = engine.backend();
        AttentionRequest r = SMALL.request(false, true);
        engine.compute(r);
        engine.close();
        engine.close();
        Shape s = r.shape();
        List<Runnable> calls = List.of(() -> engine.compute(r), () -> backend.attention(r), () -> backend.qkt(r),
                () -> backend.softmaxRows(r, new float[(int) s.scoreElements()], null),
                () -> backend.av(r, new float[(int) s.scoreElements()]),
                () -> engine.compute(SMALL.request(true, true)));
        for (Runnable call : calls) {
            IllegalStateException e = assertThrows(IllegalStateException.class, call::run);
            assertTrue(e.getMessage().contains("after close"), e.getMessage());
        }
        engine.releaseBuffers();
        backend.close();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void closeWhileThreadsComputeLetsCallsInFlightFinishAndRefusesTheRest(BackendKind kind) throws Exception {
        Case c = Case.of("in-flight", new Shape(1, 4, 2, 300, 500, 64, 32)).causal(Causal.TOP_LEFT);
        AttentionRequest r = c.request(false, true);
        Naive.Result f64 = new Naive(r, Precision.F64).attention();
        double[] f32 = new Naive(r, Precision.F32).attention().out();
        Attention engine = open(kind);
        int threads = 4;
        CountDownLatch everyoneComputed = new CountDownLatch(threads);
        ConcurrentLinkedQueue<float[]> outputs = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> endings = new ConcurrentLinkedQueue<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                try {
                    for (int call = 0; call < 10_000; call++) {
                        outputs.add(engine.compute(r).output());
                        if (call == 0) {
                            everyoneComputed.countDown();
                        }
                    }
                } catch (Throwable e) {
                    endings.add(e);
                }
            });
            w.start();
            workers.add(w);
        }
        assertTrue(everyoneComputed.await(120, TimeUnit.SECONDS), "every thread finished one call");
        engine.close();
        for (Thread w : workers) {
            w.join(TimeUnit.SECONDS.toMillis(120));
        }
        assertEquals(threads, endings.size(), "every thread ended with an exception after close");
        for (Throwable e : endings) {
            assertEquals(IllegalStateException.class, e.getClass(), String.valueOf(e));
        }
        float[] first = outputs.peek();
        Tolerance.check(kind + " O in flight", first, f64.out(), f32);
        for (float[] o : outputs) {
            assertArrayEquals(first, o, kind + ": every call that returned, before or during close, is right");
        }
    }
}
