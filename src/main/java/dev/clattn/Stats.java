package dev.clattn;

/**
 * What an engine has done and holds, for a server's metrics ({@link Attention#stats()}).
 *
 * @param calls requests computed, and cache attends, since the engine was opened
 * @param kernelMillis device time of every kernel so far (ms), when the configuration turned profiling on;
 *     NaN otherwise, and on the CPU fallback
 * @param deviceBytes device memory held for calls (buffers kept for reuse), KV caches not included
 * @param programsCached built kernel programs held (at most {@code clattn.programCache})
 * @param cacheBytes memory held by the engine's open KV caches
 * @param cacheBlocksInUse blocks of those caches held by at least one sequence
 * @param cacheBlocks blocks of those caches in all
 */
public record Stats(long calls, double kernelMillis, long deviceBytes, int programsCached, long cacheBytes,
        int cacheBlocksInUse, int cacheBlocks) {
}
