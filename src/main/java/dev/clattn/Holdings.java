package dev.clattn;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The KV caches and device tensors an engine made, which it closes when it closes, and the cache figures of
 * its stats. One lock, taken before a cache's own (which comes before its backend's, held by a cache call),
 * so that stats, close and cache calls never wait on each other in a circle.
 */
final class Holdings {
    /** The caches' part of {@link Stats}. */
    record CacheTotals(long attends, long bytes, int blocksInUse, int blocks) {
    }

    private final List<KvCache> caches = new ArrayList<>();
    private final List<DeviceTensor> tensors = new ArrayList<>();
    /** Attends of caches closed and no longer listed. */
    private long closedAttends;
    private boolean closed;

    /** Keeps a new cache, or closes it and throws when the engine has closed meanwhile. */
    synchronized void add(KvCache cache) {
        if (closed) {
            cache.close();
            throw new IllegalStateException("engine used after close");
        }
        prune();
        caches.add(cache);
    }

    synchronized void add(DeviceTensor tensor) {
        if (closed) {
            tensor.close();
            throw new IllegalStateException("engine used after close");
        }
        tensors.removeIf(DeviceTensor::isClosed);
        tensors.add(tensor);
    }

    private void prune() {
        for (Iterator<KvCache> it = caches.iterator(); it.hasNext(); ) {
            KvCache c = it.next();
            if (c.isClosed()) {
                closedAttends += c.attends();
                it.remove();
            }
        }
    }

    synchronized CacheTotals totals() {
        prune();
        long attends = closedAttends;
        long bytes = 0;
        int inUse = 0;
        int blocks = 0;
        for (KvCache c : caches) {
            attends += c.attends();
            bytes += c.bytesHeld();
            inUse += c.blocksInUse();
            blocks += c.layout().blocks();
        }
        return new CacheTotals(attends, bytes, inUse, blocks);
    }

    /** From now on nothing is added. */
    synchronized void seal() {
        closed = true;
    }

    /** Closes every cache and tensor, each even if another fails; returns the first failure (or {@code first}). */
    synchronized RuntimeException closeAll(RuntimeException first) {
        for (KvCache c : caches) {
            first = closeQuietly(c, first);
        }
        prune();
        for (DeviceTensor t : tensors) {
            first = closeQuietly(t, first);
        }
        tensors.clear();
        return first;
    }

    static RuntimeException closeQuietly(AutoCloseable c, RuntimeException first) {
        try {
            c.close();
        } catch (Exception e) {
            RuntimeException r = e instanceof RuntimeException re ? re : new IllegalStateException(e);
            if (first == null) {
                return r;
            }
            first.addSuppressed(r);
        }
        return first;
    }
}
