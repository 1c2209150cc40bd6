package dev.clattn.opencl;

import static org.jocl.CL.clEnqueueCopyBuffer;

import dev.clattn.AttentionResult;
import dev.clattn.KvCache;
import dev.clattn.spi.KvStore;
import dev.clattn.RequestTooLargeException;
import dev.clattn.opencl.DeviceBuffers.Role;
import org.jocl.Pointer;

/**
 * A KV cache's blocks in device memory: one pool buffer of keys, [block][head][d][slot] (each block's keys
 * transposed, as attention_paged reads them), and one of values, [block][head][slot][dv], allocated when the
 * cache is made. Appends upload only the new rows, once, and kv_append scatters them into their blocks; a
 * copy-on-write copies whole blocks;
 * attention runs attention_paged over the block tables, split over keys when the sequences are too few to
 * fill the device, and attention_merge combines the splits. Every call holds the backend's lock, like the
 * backend's own calls, and fails once the backend is closed.
 */
final class OpenClKvStore implements KvStore {

    private final OpenClBackend backend;
    private final ClContext context;
    private final DeviceBuffers buffers;
    /** The paged kernel for a call: the tuned profile's for the head dimension and cache length, or the one. */
    interface Kernels {
        AttentionPagedKernel forShape(int headDim, int keyLen);
    }

    private final Kernels kernelFor;
    private final AttentionMergeKernel merge;
    private final KvAppendKernel append;
    private final int maxGridGroups;
    private final KvCache.Layout layout;
    private final ClBuffer keys;
    private final ClBuffer values;
    private boolean closed;

    OpenClKvStore(OpenClBackend backend, ClContext context, DeviceBuffers buffers,
            Kernels kernelFor,
            AttentionMergeKernel merge, KvAppendKernel append, int maxGridGroups, KvCache.Layout layout,
            long otherHeld) {
        this.append = append;
        this.backend = backend;
        this.context = context;
        this.buffers = buffers;
        this.kernelFor = kernelFor;
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
        long held = buffers.heldBytes() + otherHeld;
        if (kBytes + vBytes + held > info.globalMemBytes()) {
            throw new RequestTooLargeException("blocks", kBytes + vBytes, "the device's " + info.globalMemBytes()
                    + " bytes of memory with " + held + " held (call buffers, other caches, device tensors)");
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

    /** One upload of the new rows and their destinations, then kv_append scatters them into the blocks. */
    @Override
    public void write(int[] blocks, int[] slots, float[] k, float[] v, int tokens) {
        synchronized (backend) {
            ensureOpen();
            ClBuffer kb = buffers.upload(Role.K, dev.clattn.FloatData.of(k));
            ClBuffer vb = buffers.upload(Role.V, dev.clattn.FloatData.of(v));
            ClBuffer bb = buffers.get(Role.BLOCK_TABLES, 4L * blocks.length);
            buffers.write(bb, Pointer.to(blocks), 4L * blocks.length);
            ClBuffer sb = buffers.get(Role.KEY_LENGTHS, 4L * slots.length);
            buffers.write(sb, Pointer.to(slots), 4L * slots.length);
            append.enqueue(layout, kb, vb, bb, sb, keys, values, blocks.length, tokens);
        }
    }

    /** The whole block, every head: slots past {@code slots} are never read before they are written. */
    @Override
    public void copy(int from, int to, int slots) {
        synchronized (backend) {
            ensureOpen();
            copyBlock(keys, from, to, layout.keyFloatsPerBlock());
            copyBlock(values, from, to, layout.valueFloatsPerBlock());
        }
    }

    private void copyBlock(ClBuffer pool, int from, int to, long floats) {
        ClCalls.check("clEnqueueCopyBuffer", () -> "a KV cache block", () -> clEnqueueCopyBuffer(context.queue(),
                pool.mem(), pool.mem(), 4 * from * floats, 4 * to * floats, 4 * floats, 0, null, null));
    }

    @Override
    public AttentionResult attend(int[] tables, int maxBlocks, int[] lengths, float[] q, int queryHeads, int queries,
            float scale, boolean wantLse) {
        synchronized (backend) {
            ensureOpen();
            int batch = lengths.length;
            int maxLen = 1;
            for (int len : lengths) {
                maxLen = Math.max(maxLen, len);
            }
            AttentionPagedKernel paged = kernelFor.forShape(layout.headDim(), maxLen);
            long rows = (long) batch * queryHeads * queries;
            int group = queryHeads / layout.kvHeads();
            long rowBlocks = Launcher.ceilDiv((long) group * queries, paged.rows(group, queries));
            if ((long) batch * layout.kvHeads() > maxGridGroups || rowBlocks > maxGridGroups) {
                throw new dev.clattn.InvalidRequestException("seqs", "at most " + maxGridGroups
                        + " (sequence, KV head) pairs and row blocks per call on this device", batch + " sequences x "
                        + layout.kvHeads() + " heads, " + rowBlocks + " row blocks");
            }
            int splits = KeySplits.of(context.info(), maxGridGroups, 0, maxLen, paged.tile(layout),
                    (long) batch * layout.kvHeads() * rowBlocks);
            int tile = paged.tile(layout);
            tile = tile / gcd(tile, layout.blockSize()) * layout.blockSize();
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


    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    @Override
    public long bytesHeld() {
        return closed ? 0 : keys.bytes() + values.bytes();
    }

    @Override
    public void close() {
        synchronized (backend) {
            if (!closed) {
                backend.released(bytesHeld());
                closed = true;
                keys.close();
                values.close();
            }
        }
    }
}
