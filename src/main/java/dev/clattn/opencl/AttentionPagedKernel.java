package dev.clattn.opencl;

import dev.clattn.KvCache;
import java.util.Map;

/**
 * Host launcher of attention_paged.cl (GPUs) or attention_paged_vec.cl (CPU devices): new queries over a paged
 * KV cache. One program per (D, Dv, block size, rows per work-group); the rows per work-group are the query
 * heads sharing a KV head times the new queries, at most {@link #MAX_ROWS}, more taking several row blocks.
 */
final class AttentionPagedKernel extends Launcher {
    /** Rows per work-group at most: their scores and queries stay in local memory, their sums in registers. */
    static final int MAX_ROWS = 16;

    private final boolean vec;

    AttentionPagedKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
        this.vec = source.name().equals("attention_paged_vec");
    }

    private boolean vec() {
        return vec;
    }

    /** Keys a key split must be a multiple of (with the block size, for the vectorised kernel). */
    int tile(KvCache.Layout layout) {
        return vec() ? layout.blockSize() : params.get("WG_SIZE");
    }

    /** The vectorised kernel's width: the device's, as far as the block size allows. */
    private int vectorWidth(KvCache.Layout layout) {
        int vw = BuiltinParams.vectorWidth(context.info().preferredFloatVector());
        while (layout.blockSize() % vw != 0) {
            vw /= 2;
        }
        return vw;
    }

    /**
     * Query rows per work-group: at most {@link #MAX_ROWS}, and on the GPU kernel at most its work-items, one of
     * which updates each row's max and sum.
     */
    int rows(int group, int queries) {
        return Math.min(vec ? MAX_ROWS : Math.min(MAX_ROWS, params.get("WG_SIZE")), group * queries);
    }

    /**
     * Launches every (split, sequence and KV head, row block); writes o [splits][B·Hq·Nq][Dv] and lse
     * [splits][B·Hq·Nq].
     */
    void enqueue(KvCache.Layout layout, int batch, int queryHeads, int queries, int maxBlocks, float scale,
            int splits, int splitKeys, ClBuffer q, ClBuffer keys, ClBuffer values, ClBuffer tables,
            ClBuffer lengths, ClBuffer o, ClBuffer lse) {
        int group = queryHeads / layout.kvHeads();
        int rows = rows(group, queries);
        String defines = " -DHEAD_D=" + layout.headDim() + " -DHEAD_DV=" + layout.valueDim() + " -DBLOCK="
                + layout.blockSize() + " -DROWS=" + rows + (vec() ? " -DVW=" + vectorWidth(layout) : "");
        begin(defines).mem(q).mem(keys).mem(values).mem(tables).mem(lengths).mem(o).mem(lse)
                .i(queryHeads).i(layout.kvHeads()).i(queries).i(maxBlocks).f(scale).i(splitKeys)
                .i(batch * queryHeads * queries);
        launchGroups(splits, (long) batch * layout.kvHeads(), ceilDiv((long) group * queries, rows));
    }
}
