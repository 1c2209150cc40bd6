package dev.clattn.opencl;

import static org.jocl.CL.CL_TRUE;
import static org.jocl.CL.clEnqueueReadBuffer;
import static org.jocl.CL.clEnqueueWriteBuffer;

import dev.clattn.AttentionRequest;
import dev.clattn.Broadcast;
import dev.clattn.Causal;
import dev.clattn.FloatData;
import dev.clattn.Shape;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.jocl.Pointer;

/**
 * The engine's device buffers, one per role, grown on demand and reused across calls so that steady-state
 * calls allocate nothing on the device; and the transfers in and out of them.
 */
final class DeviceBuffers implements AutoCloseable {
    enum Role { Q, K, V, O, SCORES, LSE, KEY_LENGTHS, MASK, BIAS, PARTS, PART_LSE, Q16, K16, V16 }

    private static final long[] NO_STRIDES = new long[4];

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
            throw new IllegalArgumentException(role.name().toLowerCase(Locale.ROOT) + ": needs a device buffer of "
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
        return String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
    }

    /** Copies float input to this role's buffer. */
    ClBuffer upload(Role role, FloatData data) {
        long bytes = 4 * data.length();
        ClBuffer buf = get(role, bytes);
        if (data.array() != null) {
            write(buf, Pointer.to(data.array()), bytes);
        } else if (data.buffer().isDirect()) {
            write(buf, Pointer.to(data.buffer()), bytes);
        } else {
            write(buf, Pointer.to(data.toArray()), bytes);
        }
        return buf;
    }

    void write(ClBuffer buf, Pointer src, long bytes) {
        if (bytes > 0) {
            clEnqueueWriteBuffer(context.queue(), buf.mem(), CL_TRUE, 0, bytes, src, 0, null, null);
        }
    }

    /** Reads {@code count} floats from element {@code srcOffset} of the buffer into dst at {@code dstOffset}. */
    void read(ClBuffer buf, long srcOffset, float[] dst, long dstOffset, long count) {
        clEnqueueReadBuffer(context.queue(), buf.mem(), CL_TRUE, 4 * srcOffset, 4 * count,
                Pointer.to(dst).withByteOffset(4 * dstOffset), 0, null, null);
    }

    /** The first {@code count} floats of a buffer, as a new array. */
    float[] readAll(ClBuffer buf, long count) {
        float[] out = new float[Math.toIntExact(count)];
        read(buf, 0, out, 0, out.length);
        return out;
    }

    /** Uploads the request's key lengths, boolean mask and bias (small placeholders where absent). */
    Masks masks(AttentionRequest r) {
        Shape s = r.shape();
        int[] lengths = r.keyLengths();
        ClBuffer len = get(Role.KEY_LENGTHS, lengths == null ? 4 : 4L * lengths.length);
        if (lengths != null) {
            write(len, Pointer.to(lengths), 4L * lengths.length);
        }
        MaskArgs structural = new MaskArgs(r.causal() != Causal.NONE ? 1 : 0,
                r.causal().offset(s.queryLen(), s.keyLen()), len, lengths == null ? 0 : 1);
        Operand mask = new Operand(get(Role.MASK, 4), NO_STRIDES, 0);
        Broadcast<byte[]> m = r.mask();
        if (m != null) {
            mask = new Operand(get(Role.MASK, m.data().length), m.strides(), 1);
            write(mask.buffer(), Pointer.to(m.data()), m.data().length);
        }
        Operand bias = new Operand(get(Role.BIAS, 4), NO_STRIDES, 0);
        Broadcast<float[]> a = r.bias();
        if (a != null) {
            bias = new Operand(get(Role.BIAS, 4L * a.data().length), a.strides(), 1);
            write(bias.buffer(), Pointer.to(a.data()), 4L * a.data().length);
        }
        return new Masks(structural, mask, bias);
    }

    /** Total bytes held, for tests and logs. */
    long heldBytes() {
        return buffers.values().stream().mapToLong(ClBuffer::bytes).sum();
    }

    /** Releases every buffer; the next {@link #get} allocates afresh, so this also serves to free memory. */
    @Override
    public void close() {
        buffers.values().forEach(ClBuffer::close);
        buffers.clear();
    }
}
