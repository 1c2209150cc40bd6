package dev.clattn.spi;

import dev.clattn.AttentionResult;
import dev.clattn.KvCache;

/**
 * Where a {@link KvCache} keeps its blocks: device memory of an OpenCL backend, or the CPU fallback's heap.
 * The cache decides which block holds what; a store only moves rows and attends. Block b holds, for each of the
 * Hk heads, {@code blockSize} keys of D floats and values of Dv floats, laid out as suits the store's kernel.
 * Calls come from the cache, one at a time.
 */
public interface KvStore extends AutoCloseable {
    /**
     * Writes appended tokens: {@code k} [groups][Hk][tokens][D] and {@code v} [groups][Hk][tokens][Dv], token t of
     * group g into block {@code blocks[g * tokens + t]} at slot {@code slots[g * tokens + t]}, every head.
     */
    void write(int[] blocks, int[] slots, float[] k, float[] v, int tokens);

    /** Copies the first {@code slots} rows of every head of block {@code from} to block {@code to}. */
    void copy(int from, int to, int slots);

    /**
     * Attention of {@code q} [B, Hq, Nq, D] over B cached sequences: sequence b is {@code lengths[b]} tokens in
     * the blocks {@code tables[b * maxBlocks ..]} (in order), and its query i sees keys j &le; i + lengths[b]
     * &minus; Nq (the new queries are its last Nq tokens). Returns O [B, Hq, Nq, Dv] and, when asked, the LSE
     * [B, Hq, Nq].
     */
    AttentionResult attend(int[] tables, int maxBlocks, int[] lengths, float[] q, int queryHeads, int queries,
            float scale, boolean lse);

    /** Bytes the store holds for blocks now. */
    long bytesHeld();

    @Override
    void close();
}
