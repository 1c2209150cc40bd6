package dev.clattn.opencl;

import static org.jocl.CL.CL_TRUE;
import static org.jocl.CL.clEnqueueCopyBuffer;
import static org.jocl.CL.clEnqueueWriteBuffer;

import dev.clattn.AttentionResult;
import dev.clattn.KvCache;
import dev.clattn.KvStore;
import dev.clattn.RequestTooLargeException;
import dev.clattn.opencl.DeviceBuffers.Role;
import org.jocl.Pointer;

/**
 * A KV cache's blocks in device memory: one pool buffer of keys and one of values, [block][head][slot][d],
 * allocated when the cache is made. Appends write only the new rows (one write per head and block touched);
 * attention runs attention_paged over the block tables, split over keys when the sequences are too few to
 * fill the device, and attention_merge combines the splits. Every call holds the backend's lock, like the
 * backend's own calls, and fails once the backend is closed.
 */
final class OpenClKvStore implements KvStore {
    private static final int GROUPS_PER_UNIT = 4;
    private static final int MAX_SPLITS = 64;

    private final OpenClBackend backend;
    private final ClContext context;
    private final DeviceBuffers buffers;
    private final AttentionPagedKernel paged;
    private final AttentionMergeKernel merge;
    private final int maxGridGroups;
    private final KvCache.Layout layout;
    private final ClBuffer keys;
    private final ClBuffer values;
    private boolean closed;

    OpenClKvStore(OpenClBackend backend, ClContext context, DeviceBuffers buffers, AttentionPagedKernel paged,
            AttentionMergeKernel merge, int maxGridGroups, KvCache.Layout layout) {
        this.backend = backend;
        this.context = context;
        this.buffers = buffers;
        this.paged = paged;
        this.merge = merge;
        this.maxGridGroups = maxGridGroups;
        this.layout = layout;
        DeviceInfo info = context.info();
        long kBytes = 4 * layout.keyFloatsPerBlock() * layout.blocks();
        long vBytes = 4 * layout.valueFloatsPerBlock() * layout.blocks();
        for (long bytes : new long[] {kBytes, vBytes}) {
            if (bytes > info.maxAllocBytes()) {
                throw new RequestTooLargeException("blocks", bytes, "the device's largest buffer of "
                        + info.maxAllocBytes() + " bytes (" + info.name() + "): fewer or smaller blocks");
            }
        }
        if (kBytes + vBytes + buffers.heldBytes() > info.globalMemBytes()) {
            throw new RequestTooLargeException("blocks", kBytes + vBytes, "the device's " + info.globalMemBytes()
                    + " bytes of memory with " + buffers.heldBytes() + " held");
        }
        this.keys = new ClBuffer(context.allocate(kBytes), kBytes);
        ClBuffer v;
        try {
            v = new ClBuffer(context.allocate(vBytes), vBytes);
        } catch (RuntimeException e) {
            keys.close();
            throw e;
        }
        this.values = v;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("KV cache store used after close");
        }
        backend.ensureOpen();
    }

    @Override
    public void write(int block, int slot, float[] k, float[] v, int tokens, int from, int n) {
        synchronized (backend) {
            ensureOpen();
            for (int h = 0; h < layout.kvHeads(); h++) {
                long row = ((long) block * layout.kvHeads() + h) * layout.blockSize() + slot;
                put(keys, row * layout.headDim(), k, ((long) h * tokens + from) * layout.headDim(),
                        (long) n * layout.headDim());
                put(values, row * layout.valueDim(), v, ((long) h * tokens + from) * layout.valueDim(),
                        (long) n * layout.valueDim());
            }
        }
    }

    /** A blocking write of {@code count} floats of src from {@code srcAt} to element {@code at} of the pool. */
    private void put(ClBuffer pool, long at, float[] src, long srcAt, long count) {
        ClCalls.check("clEnqueueWriteBuffer", () -> count + " floats of a KV cache block", () -> clEnqueueWriteBuffer(
                context.queue(), pool.mem(), CL_TRUE, 4 * at, 4 * count, Pointer.to(src).withByteOffset(4 * srcAt),
                0, null, null));
    }

    @Override
    public void copy(int from, int to, int slots) {
        synchronized (backend) {
            ensureOpen();
            for (int h = 0; h < layout.kvHeads(); h++) {
                long src = ((long) from * layout.kvHeads() + h) * layout.blockSize();
                long dst = ((long) to * layout.kvHeads() + h) * layout.blockSize();
                copyRows(keys, src * layout.headDim(), dst * layout.headDim(), (long) slots * layout.headDim());
                copyRows(values, src * layout.valueDim(), dst * layout.valueDim(), (long) slots * layout.valueDim());
            }
        }
    }

    private void copyRows(ClBuffer pool, long from, long to, long count) {
        ClCalls.check("clEnqueueCopyBuffer", () -> count + " floats of a KV cache block", () -> clEnqueueCopyBuffer(
                context.queue(), pool.mem(), pool.mem(), 4 * from, 4 * to, 4 * count, 0, null, null));
    }

    @Override
    public AttentionResult attend(int[] tables, int maxBlocks, int[] lengths, float[] q, int queryHeads, int queries,
            float scale, boolean wantLse) {
        synchronized (backend) {
            ensureOpen();
            int batch = lengths.length;
            int maxLen = java.util.Arrays.stream(lengths).max().orElse(1);
            long rows = (long) batch * queryHeads * queries;
            int group = queryHeads / layout.kvHeads();
            long rowBlocks = Launcher.ceilDiv((long) group * queries, AttentionPagedKernel.rows(group, queries));
            if ((long) batch * layout.kvHeads() > maxGridGroups || rowBlocks > maxGridGroups) {
                throw new dev.clattn.InvalidRequestException("seqs", "at most " + maxGridGroups
                        + " (sequence, KV head) pairs and row blocks per call on this device", batch + " sequences x "
                        + layout.kvHeads() + " heads, " + rowBlocks + " row blocks");
            }
            int splits = splits(maxLen, (long) batch * layout.kvHeads() * rowBlocks);
            int tile = paged.tile();
            int splitKeys = (int) (Launcher.ceilDiv(Launcher.ceilDiv(maxLen, splits), tile) * tile);
            splits = (int) Launcher.ceilDiv(maxLen, splitKeys);
            ClBuffer qb = buffers.upload(Role.Q, dev.clattn.FloatData.of(q));
            ClBuffer tb = buffers.get(Role.BLOCK_TABLES, 4L * tables.length);
            buffers.write(tb, Pointer.to(tables), 4L * tables.length);
            ClBuffer lb = buffers.get(Role.KEY_LENGTHS, 4L * batch);
            buffers.write(lb, Pointer.to(lengths), 4L * batch);
            ClBuffer o = buffers.get(Role.O, 4 * rows * layout.valueDim());
            ClBuffer lse = buffers.get(Role.LSE, 4 * rows);
            if (splits == 1) {
                paged.enqueue(layout, batch, queryHeads, queries, maxBlocks, scale, 1, splitKeys, qb, keys, values, tb,
                        lb, o, lse);
            } else {
                ClBuffer parts = buffers.get(Role.PARTS, 4L * splits * rows * layout.valueDim());
                ClBuffer partLse = buffers.get(Role.PART_LSE, 4L * splits * rows);
                paged.enqueue(layout, batch, queryHeads, queries, maxBlocks, scale, splits, splitKeys, qb, keys, values,
                        tb, lb, parts, partLse);
                merge.enqueue(parts, partLse, o, lse, splits, Math.toIntExact(rows), layout.valueDim(), maxGridGroups);
            }
            return new AttentionResult(buffers.readAll("output", o, rows * layout.valueDim()), null,
                    wantLse ? buffers.readAll("lse", lse, rows) : null);
        }
    }

    /** Key splits: enough work-groups for every compute unit, each split still a few tiles of keys. */
    private int splits(int maxLen, long groups) {
        long wanted = (long) context.info().computeUnits() * GROUPS_PER_UNIT;
        if (groups >= wanted) {
            return 1;
        }
        long byKeys = Math.max(1, maxLen / (4L * paged.tile()));
        return (int) Math.max(1, Math.min(Math.min(MAX_SPLITS, maxGridGroups), Math.min(byKeys,
                Launcher.ceilDiv(wanted, groups))));
    }

    @Override
    public long bytesHeld() {
        return closed ? 0 : keys.bytes() + values.bytes();
    }

    @Override
    public void close() {
        synchronized (backend) {
            if (!closed) {
                closed = true;
                keys.close();
                values.close();
            }
        }
    }
}
