package dev.clattn;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;

/**
 * The JVM heap a call may still take. Backends add up the arrays a request will allocate and ask here before
 * allocating any, so that a request the heap cannot hold is refused with the array it needs named, instead of
 * ending in an {@link OutOfMemoryError} that a server may not survive. Large arrays are also allocated here, so
 * that a heap that shrank in between still gives a {@link RequestTooLargeException}, not an error.
 */
public final class HostMemory {
    private HostMemory() {
    }

    /** The arrays one call will allocate, added up and checked at once. */
    public static final class Plan {
        private String largest = "output";
        private long largestBytes;
        private long total;

        /** Adds an array of {@code bytes} for {@code argument}. */
        public Plan add(String argument, long bytes) {
            total = Math.addExact(total, bytes);
            if (bytes > largestBytes) {
                largest = argument;
                largestBytes = bytes;
            }
            return this;
        }

        /** The outputs every backend returns on the heap: O, and P and LSE when asked for. */
        public Plan results(AttentionRequest r) {
            Shape s = r.shape();
            add("output", 4 * s.outElements());
            if (r.wantWeights()) {
                add("weights", 4 * s.scoreElements());
            }
            return r.wantLse() ? add("lse", 4 * s.lseElements()) : this;
        }

        /** Refuses the call when the heap cannot hold the arrays added. */
        public void require() {
            HostMemory.require(largest, largestBytes, total);
        }
    }

    /**
     * Refuses the call unless {@code totalBytes} fit in the heap left after the live data. {@code argument} and
     * {@code bytes} name the largest array, the one the message blames.
     */
    public static void require(String argument, long bytes, long totalBytes) {
        Runtime rt = Runtime.getRuntime();
        if (totalBytes <= rt.maxMemory() - (rt.totalMemory() - rt.freeMemory())) {
            return; // fits even if nothing in use were garbage: no need to ask the memory pools (every call)
        }
        long available = available();
        if (totalBytes > available) {
            throw new RequestTooLargeException(argument, bytes, Bytes.describe(available) + " of JVM heap left (max "
                    + Bytes.describe(Runtime.getRuntime().maxMemory()) + "; -Xmx raises it) for the "
                    + Bytes.describe(totalBytes) + " this call allocates in all");
        }
    }

    /**
     * Heap bytes a call can count on: the maximum heap less the live data, where live data is what the last
     * collection left (garbage since then will be collected to make room), or the heap in use when the JVM
     * does not tell.
     */
    public static long available() {
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        long live = 0;
        boolean known = false;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage afterGc = pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported()
                    ? pool.getCollectionUsage() : null;
            if (afterGc != null) {
                live += afterGc.getUsed();
                known = true;
            }
        }
        return Math.max(0, rt.maxMemory() - (known ? Math.min(live, used) : used));
    }

    /**
     * A new float array for {@code argument}, checked against the heap first; an allocation the heap refuses
     * all the same becomes a typed error.
     */
    public static float[] floats(String argument, long count) {
        if (count > Integer.MAX_VALUE - 8) {
            throw new InvalidRequestException(argument, "at most " + (Integer.MAX_VALUE - 8) + " elements",
                    count + " elements");
        }
        require(argument, 4 * count, 4 * count);
        try {
            return new float[(int) count];
        } catch (OutOfMemoryError e) {
            throw new RequestTooLargeException(argument, 4 * count, "what the JVM heap could give (max "
                    + Bytes.describe(Runtime.getRuntime().maxMemory()) + ")");
        }
    }
}
