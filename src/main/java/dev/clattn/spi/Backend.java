package dev.clattn.spi;

import dev.clattn.AttentionRequest;
import dev.clattn.AttentionResult;
import dev.clattn.FloatData;
import dev.clattn.KvCache;
import dev.clattn.DeviceTensor;

/**
 * A place attention runs: an OpenCL device or the plain-Java fallback. Every backend has the same semantics,
 * proved by one contract test. The three stages are exposed on their own so that each kernel can be checked
 * against the reference.
 */
public interface Backend extends AutoCloseable {

    /** "opencl" or "cpu". */
    String name();

    /** Human-readable device description. */
    String device();

    /** The whole pipeline: O, and P and LSE when requested. */
    AttentionResult attention(AttentionRequest request);

    /**
     * O into the caller's {@code out} ({@link FloatData#length()} = B·Hq·Nq·Dv), for a request that asks for no
     * weights and no LSE (the engine checks both). Backends override this to write there without an output
     * array of their own.
     */
    default void attentionInto(AttentionRequest request, FloatData out) {
        float[] o = attention(request).output();
        if (out.array() != null) {
            System.arraycopy(o, 0, out.array(), 0, o.length);
        } else {
            out.buffer().duplicate().put(o);
        }
    }

    /** S [B,Hq,Nq,Nk] = scale · Q·Kᵀ, with −∞ where causality or key length hides the key. */
    float[] qkt(AttentionRequest request);

    /**
     * Row-wise softmax of scores [B,Hq,Nq,Nk] with every mask of the request applied and the bias added;
     * returns P, and writes each row's log-sum-exp into {@code lse} [B,Hq,Nq] when it is not null.
     */
    float[] softmaxRows(AttentionRequest request, float[] scores, float[] lse);

    /** O [B,Hq,Nq,Dv] = P·V, where keys hidden by causality or key length are never read. */
    float[] av(AttentionRequest request, float[] weights);

    /** Y [rows][out] = X·Wᵀ + b. */
    float[] linear(dev.clattn.Linear request);

    /** The output image [height][width][channels] of attention over an image's patches. */
    float[] attentionPatches(dev.clattn.PatchAttention request);

    /**
     * Keeps a copy of {@code data} for {@link DeviceTensor}: a device buffer on OpenCL, an array on the CPU.
     * Returns the handle requests resolve through {@link DeviceTensor#handle}.
     */
    Object uploadResident(FloatData data);

    /** Frees what {@link #uploadResident} returned; once per handle, a no-op after {@link #close()}. */
    void freeResident(Object handle);

    /** A store for a {@link KvCache} of this layout, in this backend's memory; the cache owns and closes it. */
    KvStore kvStore(KvCache.Layout layout);

    /**
     * Frees the device buffers kept between calls for reuse (after an unusually large request, say); the next
     * call allocates again. The CPU fallback keeps none.
     */
    default void releaseBuffers() {
    }

    /** Bytes of device memory held for calls (buffers kept for reuse; KV caches count on their own). */
    default long deviceBytesHeld() {
        return 0;
    }

    /** Built kernel programs held. */
    default int programsCached() {
        return 0;
    }

    /** Device time of every kernel launched so far (ms) when the configuration turned profiling on, else NaN. */
    default double kernelMillis() {
        return Double.NaN;
    }

    /** Releases every resource; idempotent. */
    @Override
    void close();
}
