package dev.clattn.cpu;

import dev.clattn.AttentionRequest;
import dev.clattn.AttentionResult;
import dev.clattn.spi.Backend;
import dev.clattn.FloatData;
import dev.clattn.HostMemory;
import dev.clattn.Layout;
import dev.clattn.Shape;
import dev.clattn.Storage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plain-Java fallback: {@link CpuReference} row by row, in parallel over (head, block of rows). Thread-safe;
 * {@link #close()} waits for calls in flight, and every later call throws {@link IllegalStateException}.
 */
public final class CpuBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(CpuBackend.class);
    private static final int ROWS_PER_TASK = 16;

    private final int threads;
    private final ExecutorService pool;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean closed;

    public CpuBackend(int threads) {
        this.threads = threads;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, run -> {
            Thread t = new Thread(run, "clattn-cpu-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        LOG.info("clattn: CPU fallback with {} threads", threads);
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String device() {
        return "Java CPU fallback (" + threads + " threads)";
    }

    /** Work on one block of rows of one head, with per-task scratch rows of Nk and Dv floats. */
    private interface RowBlock {
        void rows(int bh, int i0, int i1, float[] scoreRow, float[] accRow);
    }

    /** Runs one call under the read lock, so that close() waits for it instead of pulling the pool away. */
    private <T> T call(Supplier<T> body) {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("CPU backend used after close");
            }
            return body.get();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private void forEachRowBlock(Shape s, boolean scratchScores, RowBlock work) {
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int bh = 0; bh < s.heads(); bh++) {
            for (int i0 = 0; i0 < s.queryLen(); i0 += ROWS_PER_TASK) {
                int head = bh;
                int start = i0;
                int end = Math.min(s.queryLen(), i0 + ROWS_PER_TASK);
                tasks.add(() -> {
                    work.rows(head, start, end, scratchScores ? new float[s.keyLen()] : null, new float[s.valueDim()]);
                    return null;
                });
            }
        }
        run(tasks);
    }

    private void run(List<Callable<Void>> tasks) {
        try {
            for (Future<Void> f : pool.invokeAll(tasks)) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public AttentionResult attention(AttentionRequest r) {
        return call(() -> attentionUnlocked(r, null));
    }

    /** Into a caller's array directly; a buffer gets a copy of the output. */
    @Override
    public void attentionInto(AttentionRequest r, FloatData out) {
        if (out.array() == null) {
            Backend.super.attentionInto(r, out);
        } else {
            call(() -> attentionUnlocked(r, out.array()));
        }
    }

    /** @param target the output array to fill, or null for a new one */
    private AttentionResult attentionUnlocked(AttentionRequest request, float[] target) {
        AttentionRequest r = request.additiveAsDot();
        Shape s = r.shape();
        HostMemory.Plan plan = target != null ? new HostMemory.Plan() : new HostMemory.Plan().results(r);
        copies(plan, "q", r.q(), r.storage() == Storage.F16);
        copies(plan, "k", r.k(), r.storage() != Storage.F32);
        copies(plan, "v", r.v(), r.storage() != Storage.F32);
        if (!r.wantWeights()) {
            plan.add("packed K and V", CpuAttentionFused.packedBytes(s));
        }
        if (r.layout() == Layout.BNHD) {
            plan.add("q, k, v and output in [B, H, N, D]", 4 * (s.qElements() + s.kElements() + s.vElements()
                    + s.outElements()));
        }
        plan.require();
        // Half storage gives the answer for the fp16-rounded inputs; the arithmetic stays float, as on a device.
        float[] table = ropeTable(r);
        float[] q = rotated(r, r.storage() == Storage.F16 ? Half.round(input(r, "q")) : input(r, "q"), true, table);
        float[] k = rotated(r, r.storage() != Storage.F32 ? Half.round(input(r, "k")) : input(r, "k"), false, table);
        float[] v = r.storage() != Storage.F32 ? Half.round(input(r, "v")) : input(r, "v");
        boolean bnhd = r.layout() == Layout.BNHD;
        float[] out = target != null && !bnhd ? target : HostMemory.floats("output", s.outElements());
        float[] lse = r.wantLse() ? HostMemory.floats("lse", s.lseElements()) : null;
        if (r.edges() != null) {
            float[] p = r.wantWeights() ? HostMemory.floats("weights", (long) s.heads() * r.edges().count()) : null;
            edges(r, q, k, v, out, p, lse);
            return new AttentionResult(output(r, out, target), p, lse);
        }
        float[] weights = r.wantWeights() ? HostMemory.floats("weights", r.scoreArrayLength("weights")) : null;
        if (weights == null) {
            fused(r, q, k, v, out, lse);
            return new AttentionResult(output(r, out, target), null, lse);
        }
        int nk = s.keyLen();
        forEachRowBlock(s, weights == null, (bh, i0, i1, scratch, acc) -> {
            for (int i = i0; i < i1; i++) {
                int row = bh * s.queryLen() + i;
                float[] buf = weights != null ? weights : scratch;
                int off = weights != null ? row * nk : 0;
                CpuReference.qkt(r, q, k, bh, i, buf, off);
                float l = CpuReference.softmaxRows(r, bh, i, buf, off);
                if (lse != null) {
                    lse[row] = l;
                }
                CpuReference.av(r, v, bh, i, buf, off, out, row * s.valueDim(), acc);
            }
        });
        return new AttentionResult(output(r, out, target), weights, lse);
    }

    /** Attention over the request's graph, in blocks of rows: each row visits its own edges only. */
    private void edges(AttentionRequest r, float[] q, float[] k, float[] v, float[] out, float[] p, float[] lse) {
        Shape s = r.shape();
        int[] indptr = dev.clattn.spi.Backends.edgeOffsets(r.edges());
        int[] indices = dev.clattn.spi.Backends.edgeKeys(r.edges());
        int degree = CpuAttentionEdges.maxDegree(indptr);
        long edges = indices.length;
        forEachRowBlock(s, false, (bh, i0, i1, unused, acc) -> {
            float[] scratch = new float[degree];
            for (int i = i0; i < i1; i++) {
                int row = bh * s.queryLen() + i;
                float l = CpuAttentionEdges.row(r, q, k, v, indptr, indices, bh, i, scratch, acc, out,
                        row * s.valueDim(), p, bh * edges + indptr[i]);
                if (lse != null) {
                    lse[row] = l;
                }
            }
        });
    }

    /**
     * The fast path: each key/value head packed once (in parallel), then blocks of rows over it, the rows with
     * the most visible keys first so that a causal problem's long rows do not finish last on one thread.
     */
    private void fused(AttentionRequest r, float[] q, float[] k, float[] v, float[] out, float[] lse) {
        Shape s = r.shape();
        CpuAttentionFused.Packed[] packed = new CpuAttentionFused.Packed[s.batch() * s.kvHeads()];
        List<Callable<Void>> packs = new ArrayList<>();
        for (int h = 0; h < packed.length; h++) {
            int head = h;
            packs.add(() -> {
                packed[head] = CpuAttentionFused.Packed.of(k, v, s, head);
                return null;
            });
        }
        run(packs);
        List<Callable<Void>> tasks = new ArrayList<>();
        int blocks = (int) ((s.queryLen() + ROWS_PER_TASK - 1) / ROWS_PER_TASK);
        for (int n = 0; n < blocks; n++) {
            int i0 = (r.causal() == dev.clattn.Causal.NONE ? n : blocks - 1 - n) * ROWS_PER_TASK;
            int i1 = Math.min(s.queryLen(), i0 + ROWS_PER_TASK);
            for (int bh = 0; bh < s.heads(); bh++) {
                int head = bh;
                int kvHead = (bh / s.queryHeads()) * s.kvHeads() + (bh % s.queryHeads()) / s.group();
                tasks.add(() -> {
                    float[][] scores = new float[CpuAttentionFused.ROWS][s.keyLen()];
                    float[][] acc = new float[CpuAttentionFused.ROWS][s.valueDim()];
                    CpuAttentionFused.rows(r, q, packed[kvHead], head, i0, i1, scores, acc, out, lse);
                    return null;
                });
            }
        }
        run(tasks);
    }

    /** The heap copies an input costs here: one from a buffer, one more when it is rounded to fp16. */
    private static void copies(HostMemory.Plan plan, String name, FloatData data, boolean rounded) {
        boolean copied = data.array() == null && data.resident() == null;
        plan.add(name, 4 * data.length() * ((copied ? 1 : 0) + (rounded ? 1 : 0)));
    }

    @Override
    public float[] qkt(AttentionRequest r) {
        return call(() -> qktUnlocked(r));
    }

    private float[] qktUnlocked(AttentionRequest request) {
        AttentionRequest r = request.additiveAsDot();
        r.checkNoEdges("qkt");
        Shape s = r.shape();
        float[] table = ropeTable(r);
        float[] q = rotated(r, input(r, "q"), true, table);
        float[] k = rotated(r, input(r, "k"), false, table);
        float[] scores = HostMemory.floats("scores", r.scoreArrayLength("scores"));
        forEachRowBlock(s, false, (bh, i0, i1, scratch, acc) -> {
            for (int i = i0; i < i1; i++) {
                CpuReference.qkt(r, q, k, bh, i, scores, (bh * s.queryLen() + i) * s.keyLen());
            }
        });
        return scores;
    }

    @Override
    public float[] softmaxRows(AttentionRequest r, float[] scores, float[] lse) {
        return call(() -> softmaxRowsUnlocked(r, scores, lse));
    }

    private float[] softmaxRowsUnlocked(AttentionRequest r, float[] scores, float[] lse) {
        Shape s = r.shape();
        r.checkNoEdges("softmax_rows");
        r.checkScores("scores", scores);
        r.checkLse(lse);
        float[] p = HostMemory.floats("weights", scores.length);
        System.arraycopy(scores, 0, p, 0, scores.length);
        forEachRowBlock(s, false, (bh, i0, i1, scratch, acc) -> {
            for (int i = i0; i < i1; i++) {
                int row = bh * s.queryLen() + i;
                float l = CpuReference.softmaxRows(r, bh, i, p, row * s.keyLen());
                if (lse != null) {
                    lse[row] = l;
                }
            }
        });
        return p;
    }

    @Override
    public float[] av(AttentionRequest r, float[] weights) {
        return call(() -> avUnlocked(r, weights));
    }

    private float[] avUnlocked(AttentionRequest r, float[] weights) {
        Shape s = r.shape();
        r.checkNoEdges("av");
        r.checkScores("weights", weights);
        float[] v = input(r, "v");
        float[] out = HostMemory.floats("output", s.outElements());
        forEachRowBlock(s, false, (bh, i0, i1, scratch, acc) -> {
            for (int i = i0; i < i1; i++) {
                int row = bh * s.queryLen() + i;
                CpuReference.av(r, v, bh, i, weights, row * s.keyLen(), out, row * s.valueDim(), acc);
            }
        });
        return output(r, out, null);
    }

    /** Work on rows [start, end) of something other than attention heads. */
    private interface Rows {
        void rows(int start, int end);
    }

    /** Rows [0, n) in parallel, in blocks of {@link #ROWS_PER_TASK}. */
    private void forEachBlock(int n, Rows work) {
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int start = 0; start < n; start += ROWS_PER_TASK) {
            int from = start;
            tasks.add(() -> {
                work.rows(from, Math.min(n, from + ROWS_PER_TASK));
                return null;
            });
        }
        run(tasks);
    }

    /** In parallel over blocks of rows; each output a float sum over the inputs in order, plus the bias. */
    @Override
    public float[] linear(dev.clattn.Linear r) {
        return call(() -> {
            float[] y = HostMemory.floats("output", (long) r.rows() * r.out());
            float[] x = r.x();
            float[] w = r.weight();
            int in = r.in();
            forEachBlock(r.rows(), (start, end) -> {
                for (int n = start; n < end; n++) {
                    for (int o = 0; o < r.out(); o++) {
                        float s = 0;
                        for (int i = 0; i < in; i++) {
                            s += x[n * in + i] * w[o * in + i];
                        }
                        y[n * r.out() + o] = s + (r.bias() == null ? 0f : r.bias()[o]);
                    }
                }
            });
            return y;
        });
    }

    /** In parallel over bands of {@link #ROWS_PER_TASK} image rows. */
    @Override
    public float[] attentionPatches(dev.clattn.PatchAttention r) {
        return call(() -> {
            float[] out = HostMemory.floats("output", r.outputLength());
            forEachBlock(r.height(), (start, end) -> CpuAttentionPatches.rows(r, start, end, out));
            return out;
        });
    }

    /** A private copy of the data: the caller may change its own afterwards. */
    @Override
    public Object uploadResident(FloatData data) {
        float[] copy = HostMemory.floats("tensor", data.length());
        if (data.array() != null) {
            System.arraycopy(data.array(), 0, copy, 0, copy.length);
        } else {
            data.buffer().duplicate().get(copy);
        }
        return copy;
    }

    @Override
    public void freeResident(Object handle) {
    }

    /** The request's rotary table, or null without rotary positions. */
    private static float[] ropeTable(AttentionRequest r) {
        return r.rope() == 0 ? null : dev.clattn.Rope.table(r.shape(), r.rope());
    }

    /** Q or K [B, H, N, D] with the request's rotary positions applied: a rotated copy, or x itself without them. */
    private static float[] rotated(AttentionRequest r, float[] x, boolean query, float[] table) {
        return table == null ? x : dev.clattn.Rope.rotated(x, r.shape(), query, table);
    }

    /** Q, K or V of the request as [B, H, N, D], whatever its layout. */
    private float[] input(AttentionRequest r, String name) {
        Shape s = r.shape();
        FloatData data = switch (name) {
            case "q" -> r.q();
            case "k" -> r.k();
            default -> r.v();
        };
        float[] a = array(data, name);
        if (r.layout() == Layout.BHND) {
            return a;
        }
        boolean query = name.equals("q");
        return Transpose.swap(name, a, s.batch(), query ? s.queryLen() : s.keyLen(), query ? s.queryHeads()
                : s.kvHeads(), name.equals("v") ? s.valueDim() : s.headDim());
    }

    /** O [B, Hq, Nq, Dv] in the request's layout: into the caller's target when there is one. */
    private static float[] output(AttentionRequest r, float[] out, float[] target) {
        if (r.layout() == Layout.BHND) {
            return out;
        }
        Shape s = r.shape();
        float[] dst = target != null ? target : HostMemory.floats("output", out.length);
        Transpose.swap(out, dst, s.batch(), s.queryHeads(), s.queryLen(), s.valueDim());
        return dst;
    }

    /** The request's data as an array: the caller's, a copy of its buffer, or this backend's resident copy. */
    private float[] array(FloatData data, String argument) {
        return data.resident() != null ? (float[]) dev.clattn.spi.Backends.resident(data.resident(), this, argument) : data.toArray();
    }

    /** KV cache blocks on the heap; attention over them runs on this backend's threads. */
    @Override
    public dev.clattn.spi.KvStore kvStore(dev.clattn.KvCache.Layout layout) {
        return new CpuKvStore(layout, tasks -> call(() -> {
            run(tasks);
            return null;
        }));
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                pool.shutdownNow();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
