package dev.clattn.cpu;

import dev.clattn.AttentionResult;
import dev.clattn.HostMemory;
import dev.clattn.KvCache;
import dev.clattn.spi.KvStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * The CPU fallback's KV cache blocks: one array of keys and one of values per block ([head][slot][d]),
 * allocated on first write, so that a large pool costs only what its sequences use. Attention runs in
 * parallel over (sequence, query head), each row in two passes over its visible keys, as CpuReference does.
 */
final class CpuKvStore implements KvStore {
    private final KvCache.Layout layout;
    private final float[][] keys;
    private final float[][] values;
    private final Consumer<List<Callable<Void>>> runner;

    CpuKvStore(KvCache.Layout layout, Consumer<List<Callable<Void>>> runner) {
        this.layout = layout;
        this.keys = new float[layout.blocks()][];
        this.values = new float[layout.blocks()][];
        this.runner = runner;
    }

    private void allocate(int block) {
        if (keys[block] == null) {
            keys[block] = HostMemory.floats("KV cache block", layout.keyFloatsPerBlock());
            values[block] = HostMemory.floats("KV cache block", layout.valueFloatsPerBlock());
        }
    }

    @Override
    public void write(int[] blocks, int[] slots, float[] k, float[] v, int tokens) {
        int bs = layout.blockSize();
        int d = layout.headDim();
        int dv = layout.valueDim();
        int hk = layout.kvHeads();
        for (int r = 0; r < blocks.length; r++) {
            allocate(blocks[r]);
            for (int h = 0; h < hk; h++) {
                int src = (r / tokens * hk + h) * tokens + r % tokens;
                System.arraycopy(k, src * d, keys[blocks[r]], (h * bs + slots[r]) * d, d);
                System.arraycopy(v, src * dv, values[blocks[r]], (h * bs + slots[r]) * dv, dv);
            }
        }
    }

    @Override
    public void copy(int from, int to, int slots) {
        allocate(to);
        int bs = layout.blockSize();
        for (int h = 0; h < layout.kvHeads(); h++) {
            System.arraycopy(keys[from], h * bs * layout.headDim(), keys[to], h * bs * layout.headDim(),
                    slots * layout.headDim());
            System.arraycopy(values[from], h * bs * layout.valueDim(), values[to], h * bs * layout.valueDim(),
                    slots * layout.valueDim());
        }
    }

    @Override
    public AttentionResult attend(int[] tables, int maxBlocks, int[] lengths, float[] q, int queryHeads, int queries,
            float scale, boolean wantLse) {
        int batch = lengths.length;
        int dv = layout.valueDim();
        float[] out = HostMemory.floats("output", (long) batch * queryHeads * queries * dv);
        float[] lse = wantLse ? HostMemory.floats("lse", (long) batch * queryHeads * queries) : null;
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < queryHeads; h++) {
                int seq = b;
                int head = h;
                tasks.add(() -> {
                    float[] scores = new float[lengths[seq]];
                    for (int i = 0; i < queries; i++) {
                        int row = (seq * queryHeads + head) * queries + i;
                        float m = row(tables, seq * maxBlocks, lengths[seq] - queries + i + 1, q, row,
                                head / (queryHeads / layout.kvHeads()), scale, scores, out, row * dv);
                        if (lse != null) {
                            lse[row] = m;
                        }
                    }
                    return null;
                });
            }
        }
        runner.accept(tasks);
        return new AttentionResult(out, null, lse);
    }

    /** One query row over its n visible keys; writes O and returns the LSE. */
    private float row(int[] tables, int table0, int n, float[] q, int row, int kvHead, float scale, float[] s,
            float[] out, int o) {
        int bs = layout.blockSize();
        int d = layout.headDim();
        int dv = layout.valueDim();
        int q0 = row * d;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            float[] kb = keys[tables[table0 + j / bs]];
            int k0 = (kvHead * bs + j % bs) * d;
            float dot = 0;
            for (int e = 0; e < d; e++) {
                dot += q[q0 + e] * kb[k0 + e];
            }
            s[j] = dot * scale;
            max = Float.isNaN(s[j]) || Float.isNaN(max) ? Float.NaN : Math.max(max, s[j]);
        }
        float sum = 0;
        for (int j = 0; j < n; j++) {
            s[j] = (float) Math.exp(s[j] - max);
            sum += s[j];
        }
        java.util.Arrays.fill(out, o, o + dv, 0f);
        for (int j = 0; j < n; j++) {
            float[] vb = values[tables[table0 + j / bs]];
            int v0 = (kvHead * bs + j % bs) * dv;
            float p = s[j] / sum;
            for (int c = 0; c < dv; c++) {
                out[o + c] += p * vb[v0 + c];
            }
        }
        return max + (float) Math.log(sum);
    }

    @Override
    public long bytesHeld() {
        long blocks = java.util.Arrays.stream(keys).filter(java.util.Objects::nonNull).count();
        return 4 * blocks * (layout.keyFloatsPerBlock() + layout.valueFloatsPerBlock());
    }

    @Override
    public void close() {
        java.util.Arrays.fill(keys, null);
        java.util.Arrays.fill(values, null);
    }
}
