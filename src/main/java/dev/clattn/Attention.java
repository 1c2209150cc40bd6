package dev.clattn;

import dev.clattn.spi.Backend;
import dev.clattn.spi.Backends;

/**
 * The engine: a backend (an OpenCL device, else the CPU fallback) with its device buffers and built kernels,
 * reused across calls; {@code clattn.lanes} of them to run that many calls at the same time. Thread-safe: a
 * call takes an idle backend or waits for one ({@link #computeAsync} waits on a thread of its own). Close it
 * to free the device.
 *
 * <pre>{@code
 * try (Attention attention = Attention.open()) {
 *     AttentionRequest request = AttentionRequest.builder(Shape.of(2, 8, 1024, 64))
 *             .q(q).k(k).v(v).causal(Causal.TOP_LEFT).build();
 *     float[] out = attention.compute(request).output();
 * }
 * }</pre>
 */
public final class Attention implements AutoCloseable {
    static {
        Backends.grantEngineAccess(new Backends.EngineAccess() {
            @Override
            public Backend backend(Attention engine) {
                return engine.lanes.first();
            }

            @Override
            public Object resident(DeviceTensor tensor, Backend backend, String argument) {
                return tensor.handle(backend, argument);
            }

            @Override
            public int[] offsets(Edges graph) {
                return graph.indptrArray();
            }

            @Override
            public int[] keys(Edges graph) {
                return graph.indicesArray();
            }
        });
    }

    private final Lanes lanes;
    /** One thread per lane: async calls beyond the lanes wait in its queue, not on threads of their own. */
    private final java.util.concurrent.ExecutorService async;
    private final java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();
    private final Holdings holdings = new Holdings();

    private Attention(java.util.List<Backend> backends) {
        this.lanes = new Lanes(backends);
        this.async = java.util.concurrent.Executors.newFixedThreadPool(backends.size(), r -> {
            Thread t = new Thread(r, "clattn-async");
            t.setDaemon(true);
            return t;
        });
    }

    /** An engine configured from system properties and the environment. */
    public static Attention open() {
        return open(Config.fromEnvironment());
    }

    public static Attention open(Config config) {
        java.util.List<Backend> backends = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < config.lanes(); i++) {
                backends.add(Backends.create(config));
            }
        } catch (RuntimeException e) {
            backends.forEach(Backend::close);
            throw e;
        }
        return new Attention(backends);
    }

    /**
     * Combines attention results computed over disjoint blocks of the keys (on different devices, or at
     * different times) into the result over all of them, by their log-sum-exp. Every part must carry its LSE
     * (request it with {@code returnLse(true)}) and have the same shape; the result carries the merged LSE.
     */
    public static AttentionResult merge(java.util.List<AttentionResult> parts) {
        return Merge.of(parts);
    }

    /**
     * A paged KV cache in this engine's memory (device memory on OpenCL), for decoding: see {@link KvCache}.
     * Close it when done; the engine closes those still open when it closes.
     */
    public KvCache kvCache(KvCache.Layout layout) {
        KvCache cache = new KvCache(layout, lanes.first().kvStore(layout));
        holdings.add(cache);
        return cache;
    }

    /**
     * Keeps a copy of {@code data} in the engine (device memory on OpenCL; one per lane) for requests to use
     * without uploading it again: see {@link DeviceTensor}.
     */
    public DeviceTensor upload(float[] data) {
        if (data == null) {
            throw new InvalidRequestException("data", "an array", "null");
        }
        return resident(FloatData.of(data));
    }

    /** As {@link #upload(float[])}, from the buffer's remaining elements (its position does not move). */
    public DeviceTensor upload(java.nio.FloatBuffer data) {
        if (data == null) {
            throw new InvalidRequestException("data", "a buffer", "null");
        }
        return resident(FloatData.of(data));
    }

    private DeviceTensor resident(FloatData data) {
        java.util.List<Object> handles = new java.util.ArrayList<>();
        try {
            for (Backend b : lanes.all()) {
                handles.add(b.uploadResident(data));
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < handles.size(); i++) {
                lanes.all().get(i).freeResident(handles.get(i));
            }
            throw e;
        }
        DeviceTensor t = new DeviceTensor(lanes.all(), handles, data.length());
        holdings.add(t);
        return t;
    }

    /** Counts and sizes for metrics: calls, kernel time (with profiling), memory held, programs, cache blocks. */
    public Stats stats() {
        Holdings.CacheTotals cachesNow = holdings.totals();
        double kernelMs = 0;
        long deviceBytes = 0;
        int programs = 0;
        for (Backend b : lanes.all()) {
            kernelMs += b.kernelMillis();
            deviceBytes += b.deviceBytesHeld();
            programs += b.programsCached();
        }
        return new Stats(calls.get() + cachesNow.attends(), kernelMs, deviceBytes, programs, cachesNow.bytes(),
                cachesNow.blocksInUse(), cachesNow.blocks());
    }

    /** The first (with one lane, the only) backend, where KV caches live. */
    Backend backend() {
        return lanes.first();
    }

    /**
     * The backend the engine runs on: {@link BackendKind#OPENCL}, or {@link BackendKind#CPU} (asked for, or the
     * fallback when OpenCL has no device).
     */
    public BackendKind backendKind() {
        return lanes.first().name().equals("cpu") ? BackendKind.CPU : BackendKind.OPENCL;
    }

    /** The device, in words: an OpenCL device's name, platform and driver, or the CPU fallback's threads. */
    public String device() {
        return lanes.first().device();
    }

    /** Y [rows][out] = X·Wᵀ + b ({@link Linear}), on the engine's device. */
    public float[] computeLinear(Linear request) {
        if (request == null) {
            throw new InvalidRequestException("request", "a Linear", "null");
        }
        calls.incrementAndGet();
        return lanes.run(b -> b.linear(request));
    }

    /** Attention over an image's patches ({@link PatchAttention}): the output image [H][W][C]. */
    public float[] computePatches(PatchAttention request) {
        if (request == null) {
            throw new InvalidRequestException("request", "a PatchAttention", "null");
        }
        calls.incrementAndGet();
        return lanes.run(b -> b.attentionPatches(request));
    }

    /** Runs one request; see {@link AttentionRequest} for the semantics. */
    public AttentionResult compute(AttentionRequest request) {
        calls.incrementAndGet();
        return lanes.run(b -> b.attention(request));
    }

    /**
     * A ragged batch (sequences of different lengths packed without padding): O [totalQ, Hq, Dv], the rows of a
     * sequence with no key exactly 0. Each sequence runs as one dense call in the token-major layout over views
     * of the packed arrays, written straight into its rows of O: nothing is padded or copied on the host.
     */
    public float[] computeRagged(RaggedRequest request) {
        if (request == null) {
            throw new InvalidRequestException("request", "a RaggedRequest", "null");
        }
        float[] out = HostMemory.floats("output", (long) request.totalQueries() * request.queryHeads()
                * request.valueDim());
        java.nio.FloatBuffer all = java.nio.FloatBuffer.wrap(out);
        for (int b = 0; b < request.batch(); b++) {
            AttentionRequest seq = request.sequence(b);
            if (seq != null) {
                computeInto(seq, RaggedRequest.view(all, request.outputOffset(b), request.outputLength(b)));
            }
        }
        return out;
    }

    /**
     * Runs one request on a thread of the engine's own (one per lane); the future completes with the result, or
     * with the exception {@link #compute} would throw. Requests in flight at once are at most {@code clattn.lanes};
     * the others wait in a queue, holding no thread. After {@link #close()} the future fails with
     * {@link IllegalStateException}, as {@link #compute} would throw.
     */
    public java.util.concurrent.CompletableFuture<AttentionResult> computeAsync(AttentionRequest request) {
        try {
            return java.util.concurrent.CompletableFuture.supplyAsync(() -> compute(request), async);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(
                    new IllegalStateException("engine used after close", e));
        }
    }

    /**
     * Runs one request and writes O [B,Hq,Nq,Dv] into the caller's array, which must have exactly that many
     * elements: no output array is made (on OpenCL it is read straight into {@code out}). For requests without
     * weights and LSE; those come from {@link #compute}.
     */
    public void computeInto(AttentionRequest request, float[] out) {
        if (out == null) {
            throw new InvalidRequestException("out", "an array", "null");
        }
        into(request, RecentOutput.of(out));
    }

    /**
     * As {@link #computeInto(AttentionRequest, float[])}, into the buffer's remaining elements, which must be
     * exactly B·Hq·Nq·Dv; a direct buffer in the platform's byte order is written by the device read itself.
     * The buffer's position does not move.
     */
    public void computeInto(AttentionRequest request, java.nio.FloatBuffer out) {
        if (out == null) {
            throw new InvalidRequestException("out", "a buffer", "null");
        }
        if (out.isReadOnly()) {
            throw new InvalidRequestException("out", "a writable buffer", "a read-only one");
        }
        into(request, RecentOutput.of(out));
    }

    private void into(AttentionRequest request, FloatData out) {
        long expected = request.shape().outElements();
        if (out.length() != expected) {
            throw new InvalidRequestException("out", expected + " elements (B·Hq·Nq·Dv)", out.length() + " elements");
        }
        if (request.wantWeights() || request.wantLse()) {
            throw new InvalidRequestException(request.wantWeights() ? "weights" : "lse",
                    "not requested with computeInto (compute() returns them)", "requested");
        }
        calls.incrementAndGet();
        Backend b = lanes.acquire();
        try {
            b.attentionInto(request, out);
        } finally {
            lanes.release(b);
        }
    }

    /**
     * Frees the device memory kept between calls: buffers grow to the largest request seen and are reused,
     * so a server that served one huge request can hand that memory back. The next call allocates again.
     */
    public void releaseBuffers() {
        lanes.all().forEach(Backend::releaseBuffers);
    }

    /**
     * Waits for the calls in flight, closes the KV caches and device tensors still open, then frees every
     * backend; later calls, on the engine or on its caches, throw IllegalStateException.
     */
    @Override
    public void close() {
        holdings.seal();
        RuntimeException first = null;
        try {
            lanes.close();
        } catch (RuntimeException e) {
            first = e;
        }
        // After the calls in flight, which may still use them.
        first = holdings.closeAll(first);
        async.shutdown();
        if (first != null) {
            throw first;
        }
    }
}
