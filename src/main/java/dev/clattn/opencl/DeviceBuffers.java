package dev.clattn.opencl;

import static org.jocl.CL.CL_TRUE;
import static org.jocl.CL.clEnqueueReadBuffer;
import static org.jocl.CL.clEnqueueWriteBuffer;

import dev.clattn.AttentionRequest;
import dev.clattn.Broadcast;
import dev.clattn.Causal;
import dev.clattn.Bytes;
import dev.clattn.FloatData;
import dev.clattn.HostMemory;
import dev.clattn.RequestTooLargeException;
import dev.clattn.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.jocl.Pointer;

/**
 * The engine's device buffers, one per role, grown on demand and reused across calls so that steady-state
 * calls allocate nothing on the device; and the transfers in and out of them.
 */
final class DeviceBuffers implements AutoCloseable {
    private static final Role[] ROLES = Role.values();
    /** Bytes per role a call needs: one array, refilled by each call (calls run one at a time). */
    private final long[] needs = new long[ROLES.length];

    enum Role {
        Q, K, V, O, SCORES, LSE, KEY_LENGTHS, MASK, BIAS, PARTS, PART_LSE, Q16, K16, V16, KT, BLOCK_TABLES, LAYOUT,
        EDGE_OFFSETS, EDGE_KEYS, EDGE_WEIGHTS, ROPE
    }

    private static final long[] NO_STRIDES = new long[4];
    /** Floats per transfer when a buffer must be copied to native order first (heap, big-endian, views). */
    private static final int STAGING_FLOATS = 1 << 20;

    private final ClContext context;
    private final Map<Role, ClBuffer> buffers = new EnumMap<>(Role.class);
    /** A pointer to the caller's array per role, and one for reads at an offset (ThreeKernelPath's chunks). */
    private final ArrayPointer[] pointers = new ArrayPointer[ROLES.length];
    private final ArrayPointer readPointer = new ArrayPointer();

    /** Device memory the backend holds beside these buffers (KV cache pools, device tensors), for the checks. */
    private java.util.function.LongSupplier pools = () -> 0;

    void countAlso(java.util.function.LongSupplier held) {
        this.pools = held;
    }

    /** The backend these buffers belong to: device tensors resolve by it. */
    private final dev.clattn.spi.Backend owner;

    DeviceBuffers(ClContext context, dev.clattn.spi.Backend owner) {
        this.owner = owner;
        this.context = context;
        for (int i = 0; i < pointers.length; i++) {
            pointers[i] = new ArrayPointer();
        }
    }

    /**
     * The buffers every path needs for this request, role to bytes: Q, K, V (float32), O, LSE and the masks.
     * Paths add their own (fp16 copies, key-split parts, scores) before {@link #require}.
     */
    /** Bytes per role for a call that is not attention: all zero, for the caller to fill in. */
    long[] noNeeds() {
        java.util.Arrays.fill(needs, 0);
        return needs;
    }

    long[] needs(AttentionRequest r) {
        Shape s = r.shape();
        java.util.Arrays.fill(needs, 0);
        // A resident tensor in [B, H, N, D] is read where it is; in the other layout it is transposed into the role.
        boolean inPlace = r.layout() == dev.clattn.Layout.BHND;
        // Rotary positions are applied to a copy of a resident tensor, in its role's buffer.
        boolean kept = inPlace && r.rope() == 0;
        needs[Role.Q.ordinal()] = r.q().resident() != null && kept ? 0 : 4 * s.qElements();
        needs[Role.K.ordinal()] = r.k().resident() != null && kept ? 0 : 4 * s.kElements();
        needs[Role.ROPE.ordinal()] = r.rope() == 0 ? 0 : dev.clattn.Rope.tableBytes(s);
        needs[Role.V.ordinal()] = r.v().resident() != null && inPlace ? 0 : 4 * s.vElements();
        needs[Role.LAYOUT.ordinal()] = DeviceLayout.stagingBytes(r);
        needs[Role.O.ordinal()] = 4 * s.outElements();
        needs[Role.LSE.ordinal()] = 4 * s.lseElements();
        needs[Role.KEY_LENGTHS.ordinal()] = 4L * s.batch();
        needs[Role.MASK.ordinal()] = r.mask() == null ? 4 : (long) r.mask().data().length;
        needs[Role.BIAS.ordinal()] = r.bias() == null ? 4 : 4L * r.bias().data().length;
        return needs;
    }

    /**
     * Refuses a call, before any of its buffers is allocated, when one of them is over the device's largest
     * allocation or all of them (buffers only grow, so each role takes the larger of what it holds and what it
     * needs) would exceed the device's memory.
     */
    void require(long[] needs) {
        DeviceInfo info = context.info();
        long total = pools.getAsLong();
        Role largest = Role.O;
        for (Role role : ROLES) {
            long need = Math.max(4, needs[role.ordinal()]);
            ClBuffer held = buffers.get(role);
            total += Math.max(need, held == null ? 0 : held.bytes());
            if (need > needs[largest.ordinal()]) {
                largest = role;
            }
            if (need > info.maxAllocBytes() && (held == null || held.bytes() < need)) {
                throw overOneBuffer(role, need);
            }
        }
        if (total > info.globalMemBytes()) {
            throw new RequestTooLargeException(name(largest), needs[largest.ordinal()], Bytes.describe(info.globalMemBytes())
                    + " of device memory (" + info.name() + ") for the " + Bytes.describe(total)
                    + " of buffers this call needs beside those the engine holds; releaseBuffers() frees them");
        }
    }

    private RequestTooLargeException overOneBuffer(Role role, long need) {
        DeviceInfo info = context.info();
        return new RequestTooLargeException(name(role), need, "the device's largest buffer of "
                + Bytes.describe(info.maxAllocBytes()) + " (" + info.maxAllocBytes() + " bytes, " + info.name() + ")");
    }

    private static final String[] NAMES = java.util.Arrays.stream(ROLES)
            .map(r -> r == Role.O ? "output" : r.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);

    private static String name(Role role) {
        return NAMES[role.ordinal()];
    }

    /**
     * A buffer of at least {@code bytes} (at least 4) for this role; refuses a buffer over the device's largest
     * allocation, or one that with those held would exceed its memory, before asking the driver.
     */
    ClBuffer get(Role role, long bytes) {
        long need = Math.max(bytes, 4);
        DeviceInfo info = context.info();
        ClBuffer current = buffers.get(role);
        if (current != null && current.bytes() >= need) {
            return current;
        }
        if (need > info.maxAllocBytes()) {
            throw overOneBuffer(role, need);
        }
        long others = heldBytes() + pools.getAsLong() - (current == null ? 0 : current.bytes());
        if (others + need > info.globalMemBytes()) {
            throw new RequestTooLargeException(name(role), need, Bytes.describe(info.globalMemBytes() - others)
                    + " of device memory left beside the " + Bytes.describe(others) + " this engine holds ("
                    + info.name() + "; releaseBuffers() frees them)");
        }
        if (current != null) {
            current.close();
            buffers.remove(role);
        }
        ClBuffer fresh = new ClBuffer(context.allocate(need), need);
        buffers.put(role, fresh);
        return fresh;
    }

    /**
     * Copies float input to this role's buffer. The driver copies bytes, so only an array or a direct buffer
     * in the platform's byte order goes to it as it is; any other buffer (heap, big-endian as Java's
     * allocateDirect and FileChannel.map make them, a view of a byte buffer) is converted in slices through a
     * native-order staging buffer, which also spares the heap a copy of the whole input.
     */
    ClBuffer upload(Role role, FloatData data) {
        if (data.resident() != null) {
            return (ClBuffer) dev.clattn.spi.Backends.resident(data.resident(), owner, name(role));
        }
        ClBuffer buf = get(role, 4 * data.length());
        writeData(context, buf, data, pointers[role.ordinal()]);
        return buf;
    }

    /** The caller's array or buffer into the start of {@code buf}: directly where it can, else staged. */
    static void writeData(ClContext context, ClBuffer buf, FloatData data, ArrayPointer pointer) {
        long bytes = 4 * data.length();
        FloatBuffer b = data.buffer();
        if (data.array() != null) {
            writeAt(context, buf, 0, pointer.to(data.array(), 0), bytes);
        } else if (b.isDirect() && b.order() == ByteOrder.nativeOrder()) {
            writeAt(context, buf, 0, pointer.to(b), bytes);
        } else {
            writeStaged(context, buf, b.duplicate());
        }
    }

    private static void writeStaged(ClContext context, ClBuffer buf, FloatBuffer src) {
        FloatBuffer staging = ByteBuffer.allocateDirect(4 * Math.min(STAGING_FLOATS, Math.max(1, src.remaining())))
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (long offset = 0; src.hasRemaining(); ) {
            int n = Math.min(staging.capacity(), src.remaining());
            FloatBuffer slice = src.slice();
            slice.limit(n);
            staging.clear();
            staging.put(slice).flip();
            src.position(src.position() + n);
            writeAt(context, buf, offset, Pointer.to(staging), 4L * n);
            offset += 4L * n;
        }
    }

    void write(ClBuffer buf, Pointer src, long bytes) {
        writeAt(context, buf, 0, src, bytes);
    }

    /** A blocking write, so that the source may be reused or freed as soon as it returns. */
    private static void writeAt(ClContext context, ClBuffer buf, long offsetBytes, Pointer src, long bytes) {
        if (bytes > 0) {
            try {
                clEnqueueWriteBuffer(context.queue(), buf.mem(), CL_TRUE, offsetBytes, bytes, src, 0, null, null);
            } catch (org.jocl.CLException e) {
                throw ClCalls.failed("clEnqueueWriteBuffer", e, bytes + " bytes at " + offsetBytes
                        + " into a buffer of " + buf.bytes());
            }
        }
    }

    /** Reads {@code count} floats from element {@code srcOffset} of the buffer into dst at {@code dstOffset}. */
    void read(ClBuffer buf, long srcOffset, float[] dst, long dstOffset, long count) {
        read(buf, srcOffset, readPointer.to(dst, dstOffset), count);
    }

    private void read(ClBuffer buf, long srcOffset, Pointer to, long count) {
        try {
            clEnqueueReadBuffer(context.queue(), buf.mem(), CL_TRUE, 4 * srcOffset, 4 * count, to, 0, null, null);
        } catch (org.jocl.CLException e) {
            throw ClCalls.failed("clEnqueueReadBuffer", e, count + " floats at " + srcOffset + " from a buffer of "
                    + buf.bytes() + " bytes");
        }
    }

    /**
     * Reads the first {@code count} floats of a buffer into the caller's array or buffer: straight into an
     * array, a heap buffer's array or a direct buffer in the platform's order, through 4 MiB slices otherwise.
     */
    void readInto(ClBuffer buf, FloatData target, long count) {
        FloatBuffer b = target.buffer();
        ArrayPointer out = pointers[Role.O.ordinal()];
        if (target.array() != null) {
            read(buf, 0, out.to(target.array(), 0), count);
        } else if (b.isDirect() && b.order() == ByteOrder.nativeOrder()) {
            read(buf, 0, out.to(b), count);
        } else if (b.hasArray()) {
            read(buf, 0, out.to(b.array(), b.arrayOffset()), count);
        } else {
            float[] chunk = new float[(int) Math.min(STAGING_FLOATS, Math.max(1, count))];
            FloatBuffer dst = b.duplicate();
            for (long at = 0; at < count; at += chunk.length) {
                int n = (int) Math.min(chunk.length, count - at);
                read(buf, at, chunk, 0, n);
                dst.put(chunk, 0, n);
            }
        }
    }

    float[] readAll(String argument, ClBuffer buf, long count) {
        float[] out = HostMemory.floats(argument, count);
        read(buf, 0, out, 0, out.length);
        return out;
    }

    /** Uploads the request's key lengths, boolean mask and bias (small placeholders where absent). */
    Masks masks(AttentionRequest r) {
        Shape s = r.shape();
        int[] lengths = r.keyLengths();
        if (lengths == null && r.mask() == null && r.bias() == null) {
            return plainMasks(r);
        }
        ClBuffer len = get(Role.KEY_LENGTHS, lengths == null ? 4 : 4L * lengths.length);
        if (lengths != null) {
            write(len, Pointer.to(lengths), 4L * lengths.length);
        }
        MaskArgs structural = MaskArgs.of(r, len, lengths == null ? 0 : 1);
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

    /** Causality and window alone, with the placeholder buffers: the last one made serves while nothing changes. */
    private Masks plainMasks(AttentionRequest r) {
        ClBuffer len = get(Role.KEY_LENGTHS, 4);
        ClBuffer mask = get(Role.MASK, 4);
        ClBuffer bias = get(Role.BIAS, 4);
        Masks last = plain;
        MaskArgs m = last == null ? null : last.structural();
        if (m == null || m.upper() != (r.hasUpperBound() ? 1 : 0) || m.upperOffset() != r.upperOffset()
                || m.lower() != (r.hasLowerBound() ? 1 : 0) || m.lowerOffset() != r.lowerOffset()
                || m.keyLengths() != len || last.mask().buffer() != mask || last.bias().buffer() != bias) {
            plain = new Masks(MaskArgs.of(r, len, 0), new Operand(mask, NO_STRIDES, 0),
                    new Operand(bias, NO_STRIDES, 0));
        }
        return plain;
    }

    private Masks plain;

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
