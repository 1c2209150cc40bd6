package dev.clattn.opencl;

import java.util.EnumMap;
import java.util.Map;

/**
 * The engine's device buffers, one per role, grown on demand and reused across calls so that steady-state
 * calls allocate nothing on the device.
 */
final class DeviceBuffers implements AutoCloseable {
    enum Role { Q, K, V, O, SCORES, LSE, KEY_LENGTHS, MASK, BIAS }

    private final ClContext context;
    private final Map<Role, ClBuffer> buffers = new EnumMap<>(Role.class);

    DeviceBuffers(ClContext context) {
        this.context = context;
    }

    /** A buffer of at least {@code bytes} (at least 4) for this role; refuses sizes over the device's limit. */
    ClBuffer get(Role role, long bytes) {
        long need = Math.max(bytes, 4);
        DeviceInfo info = context.info();
        if (need > info.maxAllocBytes()) {
            throw new IllegalArgumentException(role.name().toLowerCase(java.util.Locale.ROOT) + ": needs a device buffer of "
                    + mib(need) + " MiB, over the device's max allocation of " + mib(info.maxAllocBytes()) + " MiB ("
                    + info.name() + ")");
        }
        ClBuffer current = buffers.get(role);
        if (current != null && current.bytes() >= need) {
            return current;
        }
        if (current != null) {
            current.close();
            buffers.remove(role);
        }
        ClBuffer fresh = new ClBuffer(context.allocate(need), need);
        buffers.put(role, fresh);
        return fresh;
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f", bytes / 1048576.0);
    }

    /** Total bytes held, for tests and logs. */
    long heldBytes() {
        return buffers.values().stream().mapToLong(ClBuffer::bytes).sum();
    }

    @Override
    public void close() {
        buffers.values().forEach(ClBuffer::close);
        buffers.clear();
    }
}
