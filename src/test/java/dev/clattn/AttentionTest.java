package dev.clattn;


import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.testing.Case;
import dev.clattn.testing.TestCases;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The engine façade: backend choice and concurrent use. */
class AttentionTest {
    @Test
    void concurrentCallsGetTheSameAnswersAsSerialOnes() throws Exception {
        List<Case> cases = TestCases.pipeline().subList(2, 8);
        try (Attention engine = Attention.open()) {
            List<float[]> serial = new ArrayList<>();
            for (Case c : cases) {
                serial.add(engine.compute(c.request(false, false)).output());
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<float[]>> futures = new ArrayList<>();
                for (int round = 0; round < 3; round++) {
                    for (Case c : cases) {
                        futures.add(pool.submit(() -> engine.compute(c.request(false, false)).output()));
                    }
                }
                for (int x = 0; x < futures.size(); x++) {
                    assertArrayEquals(serial.get(x % cases.size()), futures.get(x).get(), cases.get(x % cases.size())
                            .toString());
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void cpuBackendOnRequest() {
        try (Attention engine = Attention.open(Config.builderFromEnvironment().backend(BackendKind.CPU).build())) {
            assertEquals(BackendKind.CPU, engine.backendKind());
        }
    }

    @Test
    void aDeviceSelectorThatMatchesNothingIsAnError() {
        Config config = Config.builderFromEnvironment().backend(BackendKind.AUTO).device("no-such-device-xyz").build();
        if (!dev.clattn.opencl.OpenCl.probe().available()) {
            try (Attention engine = Attention.open(config)) {
                assertEquals(BackendKind.CPU, engine.backendKind());
            }
            return;
        }
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> Attention.open(config));
        assertEquals("device", e.argument());
        assertTrue(e.expected().contains("device=no-such-device-xyz"), e.getMessage());
    }

    /** The metrics a server reads without casts, on both backends. */
    @Test
    void statsCountCallsAndWhatTheEngineHolds() {
        for (BackendKind kind : new BackendKind[] {BackendKind.CPU, BackendKind.AUTO}) {
            Config config = Config.builderFromEnvironment().backend(kind).profiling(true).build();
            try (Attention engine = Attention.open(config)) {
                boolean opencl = engine.backendKind() == BackendKind.OPENCL;
                Case c = TestCases.pipeline().get(3);
                engine.compute(c.request(false, false));
                engine.compute(c.request(false, false));
                KvCache.Layout layout = new KvCache.Layout(1, 8, 8, 4, 10);
                try (KvCache cache = engine.kvCache(layout)) {
                    int seq = cache.create();
                    cache.append(seq, new float[8 * 5], new float[8 * 5]);
                    cache.attend(new int[] {seq}, new float[8], 1, 1);
                    Stats s = engine.stats();
                    assertEquals(3, s.calls(), s.toString());
                    assertEquals(2, s.cacheBlocksInUse(), s.toString());
                    assertEquals(10, s.cacheBlocks(), s.toString());
                    long blockBytes = 4L * (layout.keyFloatsPerBlock() + layout.valueFloatsPerBlock());
                    assertEquals(opencl ? 10 * blockBytes : 2 * blockBytes, s.cacheBytes(), s.toString());
                    assertEquals(opencl, s.kernelMillis() > 0, s.toString());
                    assertEquals(opencl, s.deviceBytes() > 0 && s.programsCached() > 0, s.toString());
                }
                Stats after = engine.stats();
                assertEquals(3, after.calls(), "a closed cache's calls still count: " + after);
                assertEquals(0, after.cacheBlocks(), after.toString());
                assertEquals(0, after.cacheBytes(), after.toString());
            }
        }
    }

    @Test
    void computeIntoRefusesWhatItCannotWrite() {
        try (Attention engine = Attention.open(Config.builderFromEnvironment().backend(BackendKind.CPU).build())) {
            Case c = TestCases.pipeline().get(3);
            AttentionRequest r = c.request(false, false);
            int n = Math.toIntExact(r.shape().outElements());
            assertEquals("out: expected " + n + " elements (B·Hq·Nq·Dv), got " + (n + 1) + " elements",
                    assertThrows(InvalidRequestException.class, () -> engine.computeInto(r, new float[n + 1]))
                            .getMessage());
            assertEquals("lse: expected not requested with computeInto (compute() returns them), got requested",
                    assertThrows(InvalidRequestException.class,
                            () -> engine.computeInto(c.request(false, true), new float[n])).getMessage());
            assertEquals("out: expected a writable buffer, got a read-only one", assertThrows(
                    InvalidRequestException.class, () -> engine.computeInto(r,
                            java.nio.FloatBuffer.allocate(n).asReadOnlyBuffer())).getMessage());
            float[] out = new float[n];
            engine.computeInto(r, out);
            assertArrayEquals(engine.compute(r).output(), out);
        }
    }

    /** Several backends in one engine: async calls in flight at once give the serial answers, bit for bit. */
    @Test
    void lanesRunAsyncCallsAtOnceWithTheSerialAnswers() throws Exception {
        List<Case> cases = TestCases.pipeline().subList(2, 8);
        Config config = Config.builderFromEnvironment().lanes(3).build();
        try (Attention engine = Attention.open(config)) {
            List<float[]> serial = new ArrayList<>();
            for (Case c : cases) {
                serial.add(engine.compute(c.request(false, false)).output());
            }
            List<java.util.concurrent.CompletableFuture<AttentionResult>> futures = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (Case c : cases) {
                    futures.add(engine.computeAsync(c.request(false, false)));
                }
            }
            for (int x = 0; x < futures.size(); x++) {
                assertArrayEquals(serial.get(x % cases.size()), futures.get(x).get().output(),
                        cases.get(x % cases.size()).toString());
            }
            assertEquals(5L * cases.size(), engine.stats().calls());
            java.util.concurrent.CompletableFuture<AttentionResult> bad = engine.computeAsync(null);
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    bad::get);
            assertTrue(e.getCause() instanceof RuntimeException, String.valueOf(e.getCause()));
        }
    }

    /** Close waits for the calls in flight on every lane; calls after it fail, none hangs. */
    @Test
    void closingAnEngineWithLanesFinishesTheCallsInFlight() throws Exception {
        Case c = TestCases.pipeline().get(5);
        Attention engine = Attention.open(Config.builderFromEnvironment().lanes(2).build());
        float[] expected = engine.compute(c.request(false, false)).output();
        List<java.util.concurrent.CompletableFuture<AttentionResult>> inFlight = new ArrayList<>();
        for (int x = 0; x < 6; x++) {
            inFlight.add(engine.computeAsync(c.request(false, false)));
        }
        engine.close();
        for (var f : inFlight) {
            try {
                assertArrayEquals(expected, f.get(30, java.util.concurrent.TimeUnit.SECONDS).output());
            } catch (java.util.concurrent.ExecutionException e) {
                assertEquals(IllegalStateException.class, e.getCause().getClass(), String.valueOf(e.getCause()));
            }
        }
        assertThrows(IllegalStateException.class, () -> engine.compute(c.request(false, false)));
        java.util.concurrent.ExecutionException late = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> engine.computeAsync(c.request(false, false)).get());
        assertEquals(IllegalStateException.class, late.getCause().getClass());
    }

    /** Tensors uploaded once serve every lane; another engine's are refused; the engine frees what is open. */
    @Test
    void deviceTensorsServeEveryLaneAndDieWithTheirEngine() throws Exception {
        Case c = TestCases.pipeline().get(4);
        AttentionRequest host = c.request(false, false);
        try (Attention other = Attention.open(Config.builderFromEnvironment().backend(BackendKind.CPU).build())) {
            Attention engine = Attention.open(Config.builderFromEnvironment().lanes(2).build());
            float[] expected = engine.compute(host).output();
            DeviceTensor k = engine.upload(host.k().array());
            AttentionRequest resident = AttentionRequest.builder(host.shape()).q(host.q().array()).k(k)
                    .v(engine.upload(java.nio.FloatBuffer.wrap(host.v().array()))).causal(host.causal())
                    .keyLengths(host.keyLengths()).build();
            List<java.util.concurrent.CompletableFuture<AttentionResult>> calls = new ArrayList<>();
            for (int x = 0; x < 6; x++) {
                calls.add(engine.computeAsync(resident));
            }
            for (var f : calls) {
                assertArrayEquals(expected, f.get().output());
            }
            assertEquals("k: expected a tensor uploaded to this engine, got one of another engine", assertThrows(
                    InvalidRequestException.class, () -> other.compute(resident)).getMessage());
            KvCache cache = engine.kvCache(new KvCache.Layout(2, 8, 8, 4, 4));
            int seq = cache.create();
            engine.close();
            assertTrue(k.isClosed(), "the engine frees its tensors");
            assertTrue(cache.isClosed(), "and its caches");
            assertEquals("KV cache used after close", assertThrows(IllegalStateException.class,
                    () -> cache.append(seq, new float[16], new float[16])).getMessage());
            assertThrows(IllegalStateException.class, () -> engine.compute(resident));
        }
    }

    /** Metrics read while calls run, on the cache's backend: neither waits for the other forever. */
    @Test
    void statsWhileCacheCallsRunNeverDeadlocks() throws Exception {
        try (Attention engine = Attention.open(Config.builderFromEnvironment().build());
                KvCache cache = engine.kvCache(new KvCache.Layout(1, 8, 8, 4, 64))) {
            int seq = cache.create();
            cache.append(seq, new float[8 * 9], new float[8 * 9]);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<?> calls = pool.submit(() -> {
                    for (int x = 0; x < 200; x++) {
                        cache.attend(new int[] {seq}, new float[8], 1, 1);
                    }
                });
                Future<?> metrics = pool.submit(() -> {
                    for (int x = 0; x < 200; x++) {
                        engine.stats();
                    }
                });
                calls.get(60, java.util.concurrent.TimeUnit.SECONDS);
                metrics.get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(200, engine.stats().calls());
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
