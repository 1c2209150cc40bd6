package dev.clattn;

import dev.clattn.spi.KvStore;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A paged KV cache (vLLM's idea): fixed-size blocks of keys and values from one pool, a block table per
 * sequence, so that many sequences of different lengths share the memory and only new rows ever cross to the
 * device. Sequences grow by {@link #append}, attend with new queries by {@link #attend}, share their prefix
 * with {@link #fork} (blocks are shared; a shared, partly filled last block is copied before it is written),
 * and give their blocks back with {@link #free}. Thread-safe: calls on one cache run one at a time. Running out
 * of blocks throws {@link OutOfBlocksException} before anything changes.
 */
public final class KvCache implements AutoCloseable {
    /**
     * What every sequence's tokens hold: {@code kvHeads} heads of keys of {@code headDim} and values of
     * {@code valueDim} floats; {@code blockSize} tokens per block, {@code blocks} blocks in the pool.
     */
    public record Layout(int kvHeads, int headDim, int valueDim, int blockSize, int blocks) {
        public Layout {
            positive("kvHeads", kvHeads);
            positive("headDim", headDim);
            positive("valueDim", valueDim);
            positive("blockSize", blockSize);
            positive("blocks", blocks);
        }

        private static void positive(String name, int value) {
            if (value < 1) {
                throw new InvalidRequestException(name, ">= 1", String.valueOf(value));
            }
        }

        /** Floats of keys (values: {@link #valueFloatsPerBlock()}) in one block, over every head. */
        public long keyFloatsPerBlock() {
            return (long) kvHeads * blockSize * headDim;
        }

        public long valueFloatsPerBlock() {
            return (long) kvHeads * blockSize * valueDim;
        }
    }

    /** The pool has fewer free blocks than an append or a copy-on-write needs. */
    public static final class OutOfBlocksException extends IllegalStateException {
        OutOfBlocksException(int needed, int free, int blocks) {
            super("KV cache: " + needed + " more blocks needed, " + free + " of " + blocks + " free; free a sequence"
                    + " or make the cache larger (Layout.blocks)");
        }
    }

    private final Layout layout;
    private final KvStore store;
    private final int[] refs;
    private final ArrayDeque<Integer> freeBlocks = new ArrayDeque<>();
    private final Map<Integer, Sequence> sequences = new HashMap<>();
    private int nextId;
    private volatile long attends;
    private volatile boolean closed;

    private static final class Sequence {
        final List<Integer> blocks = new ArrayList<>();
        int length;
    }

    KvCache(Layout layout, KvStore store) {
        this.layout = layout;
        this.store = store;
        this.refs = new int[layout.blocks()];
        for (int b = 0; b < layout.blocks(); b++) {
            freeBlocks.add(b);
        }
    }

    public Layout layout() {
        return layout;
    }

    /** A new, empty sequence; returns its id. */
    public synchronized int create() {
        ensureOpen();
        int id = newId();
        sequences.put(id, new Sequence());
        return id;
    }

    /** The next id not in use, wrapping past Integer.MAX_VALUE (a server may make billions of sequences). */
    private int newId() {
        while (sequences.containsKey(nextId)) {
            nextId = (nextId + 1) & Integer.MAX_VALUE;
        }
        int id = nextId;
        nextId = (nextId + 1) & Integer.MAX_VALUE;
        return id;
    }

    /** Tokens in the sequence. */
    public synchronized int length(int seq) {
        return sequence(seq).length;
    }

    /** Blocks held by at least one sequence. */
    public synchronized int blocksInUse() {
        return layout.blocks() - freeBlocks.size();
    }

    /** Bytes of cache memory the store holds. */
    public synchronized long bytesHeld() {
        return closed ? 0 : store.bytesHeld();
    }

    /**
     * Appends {@code tokens} tokens to the sequence: {@code k} [Hk, tokens, D] and {@code v} [Hk, tokens, Dv],
     * tokens = k.length / (Hk · D). Only these rows are written.
     */
    public void append(int seq, float[] k, float[] v) {
        append(new int[] {seq}, k, v);
    }

    /**
     * Appends the same number of tokens to each of several sequences in one write (a decode step for a batch):
     * {@code k} [B, Hk, tokens, D] and {@code v} [B, Hk, tokens, Dv] for the B distinct sequences {@code seqs}.
     * Either every sequence grows or, when the pool has too few free blocks, none does.
     */
    public synchronized void append(int[] seqs, float[] k, float[] v) {
        ensureOpen();
        if (seqs == null || seqs.length == 0) {
            throw new InvalidRequestException("seqs", "at least one sequence id", seqs == null ? "null" : "none");
        }
        if (java.util.Arrays.stream(seqs).distinct().count() != seqs.length) {
            throw new InvalidRequestException("seqs", "distinct sequence ids", java.util.Arrays.toString(seqs));
        }
        Sequence[] ss = new Sequence[seqs.length];
        for (int g = 0; g < seqs.length; g++) {
            ss[g] = sequence(seqs[g]);
        }
        if (k == null || v == null) {
            throw new InvalidRequestException(k == null ? "k" : "v", "an array", "null");
        }
        long rowK = (long) seqs.length * layout.kvHeads() * layout.headDim();
        String rows = seqs.length == 1 ? "Hk·D" : "B·Hk·D";
        if (k.length % rowK != 0 || k.length == 0) {
            throw new InvalidRequestException("k", "a positive multiple of " + rows + " = " + rowK + " floats",
                    k.length + " floats");
        }
        int tokens = (int) (k.length / rowK);
        long expectedV = (long) seqs.length * tokens * layout.kvHeads() * layout.valueDim();
        if (v.length != expectedV) {
            throw new InvalidRequestException("v", expectedV + " floats (" + (seqs.length == 1 ? "" : "B·")
                    + "Hk·tokens·Dv, tokens = " + tokens + ")", v.length + " floats");
        }
        int bs = layout.blockSize();
        // Blocks needed, counting a shared tail's copy once per sharer that still shares it by its turn: the
        // last sharer of a tail writes into it in place.
        Map<Integer, Integer> sharers = new HashMap<>();
        int needed = 0;
        for (Sequence s : ss) {
            int inLast = s.length % bs;
            if (inLast > 0) {
                int tail = s.blocks.get(s.blocks.size() - 1);
                int left = sharers.merge(tail, refs[tail], (a, b) -> a);
                if (left > 1) {
                    needed++;
                    sharers.put(tail, left - 1);
                }
            }
            needed += (Math.max(0, tokens - (inLast > 0 ? bs - inLast : 0)) + bs - 1) / bs;
        }
        if (needed > freeBlocks.size()) {
            throw new OutOfBlocksException(needed, freeBlocks.size(), layout.blocks());
        }
        // What each sequence was, so that a store that fails leaves the cache as it was: its length, its block
        // count (appends only add blocks) and the shared tail a copy replaced (-1: none).
        int[] oldLengths = new int[ss.length];
        int[] oldCounts = new int[ss.length];
        int[] replacedTails = new int[ss.length];
        for (int g = 0; g < ss.length; g++) {
            oldLengths[g] = ss[g].length;
            oldCounts[g] = ss[g].blocks.size();
            replacedTails[g] = -1;
        }
        List<Integer> taken = new ArrayList<>();
        try {
            int[] blocks = new int[seqs.length * tokens];
            int[] slots = new int[blocks.length];
            for (int g = 0; g < ss.length; g++) {
                Sequence s = ss[g];
                int inLast = s.length % bs;
                if (inLast > 0 && refs[s.blocks.get(s.blocks.size() - 1)] > 1) {
                    int last = s.blocks.size() - 1;
                    int copy = take();
                    taken.add(copy);
                    store.copy(s.blocks.get(last), copy, inLast);
                    replacedTails[g] = s.blocks.get(last);
                    release(s.blocks.get(last));
                    s.blocks.set(last, copy);
                }
                for (int t = 0; t < tokens; t++) {
                    if (s.length % bs == 0) {
                        int b = take();
                        taken.add(b);
                        s.blocks.add(b);
                    }
                    blocks[g * tokens + t] = s.blocks.get(s.blocks.size() - 1);
                    slots[g * tokens + t] = s.length % bs;
                    s.length++;
                }
            }
            store.write(blocks, slots, k, v, tokens);
        } catch (RuntimeException e) {
            for (int g = 0; g < ss.length; g++) {
                List<Integer> blocks = ss[g].blocks;
                blocks.subList(oldCounts[g], blocks.size()).clear();
                if (replacedTails[g] >= 0) {
                    // The tail was shared, so releasing it never freed it: its sharer count comes back.
                    refs[replacedTails[g]]++;
                    blocks.set(oldCounts[g] - 1, replacedTails[g]);
                }
                ss[g].length = oldLengths[g];
            }
            taken.forEach(this::release);
            throw e;
        }
    }

    /** A new sequence with the same tokens, sharing every block until one of the two writes into it. */
    public synchronized int fork(int seq) {
        ensureOpen();
        Sequence s = sequence(seq);
        Sequence f = new Sequence();
        f.blocks.addAll(s.blocks);
        f.length = s.length;
        s.blocks.forEach(b -> refs[b]++);
        int id = newId();
        sequences.put(id, f);
        return id;
    }

    /** Gives the sequence's blocks back (those no other sequence shares); the id is no longer valid. */
    public synchronized void free(int seq) {
        ensureOpen();
        Sequence s = sequence(seq);
        sequences.remove(seq);
        s.blocks.forEach(this::release);
    }

    /**
     * Attention of new queries over cached sequences, scale 1/√D. {@code q} is [B, Hq, Nq, D] for the B
     * sequences in {@code seqs}, whose last Nq tokens (already appended) are these queries' own: query i of a
     * sequence of length L sees keys j &le; L &minus; Nq + i (every earlier token, and bottom-right causal among
     * the new ones). GQA and MQA when Hq is a multiple of the cache's Hk.
     */
    public AttentionResult attend(int[] seqs, float[] q, int queryHeads, int queries) {
        return attend(seqs, q, queryHeads, queries, (float) (1 / Math.sqrt(layout.headDim())), false);
    }

    /** As {@link #attend(int[], float[], int, int)}, with the score scale and the LSE [B, Hq, Nq] when asked. */
    public synchronized AttentionResult attend(int[] seqs, float[] q, int queryHeads, int queries, float scale,
            boolean lse) {
        ensureOpen();
        if (seqs == null || seqs.length == 0) {
            throw new InvalidRequestException("seqs", "at least one sequence id", seqs == null ? "null" : "none");
        }
        if (queryHeads < 1 || queryHeads % layout.kvHeads() != 0) {
            throw new InvalidRequestException("queryHeads", "a positive multiple of the cache's Hk = "
                    + layout.kvHeads(), String.valueOf(queryHeads));
        }
        if (queries < 1) {
            throw new InvalidRequestException("queries", ">= 1", String.valueOf(queries));
        }
        long expected = (long) seqs.length * queryHeads * queries * layout.headDim();
        if (q == null || q.length != expected) {
            throw new InvalidRequestException("q", expected + " floats (B·Hq·Nq·D)", q == null ? "null"
                    : q.length + " floats");
        }
        int maxBlocks = 1;
        for (int id : seqs) {
            Sequence s = sequence(id);
            if (s.length < queries) {
                throw new InvalidRequestException("queries", "at most the length of sequence " + id + " ("
                        + s.length + "): append the new tokens' keys and values first", String.valueOf(queries));
            }
            maxBlocks = Math.max(maxBlocks, s.blocks.size());
        }
        int[] tables = new int[seqs.length * maxBlocks];
        int[] lengths = new int[seqs.length];
        for (int b = 0; b < seqs.length; b++) {
            Sequence s = sequences.get(seqs[b]);
            for (int i = 0; i < s.blocks.size(); i++) {
                tables[b * maxBlocks + i] = s.blocks.get(i);
            }
            lengths[b] = s.length;
        }
        AttentionResult result = store.attend(tables, maxBlocks, lengths, q, queryHeads, queries, scale, lse);
        attends++;
        return result;
    }

    /** Attend calls so far. */
    public long attends() {
        return attends;
    }

    public boolean isClosed() {
        return closed;
    }

    private int take() {
        int b = freeBlocks.poll();
        refs[b] = 1;
        return b;
    }

    private void release(int block) {
        if (--refs[block] == 0) {
            freeBlocks.add(block);
        }
    }

    private Sequence sequence(int id) {
        Sequence s = sequences.get(id);
        if (s == null) {
            throw new InvalidRequestException("seq", "the id of a live sequence of this cache", String.valueOf(id));
        }
        return s;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("KV cache used after close");
        }
    }

    /** Frees the pool; idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            store.close();
        }
    }
}
