package dev.clattn.opencl;

import dev.clattn.AttentionRequest;
import dev.clattn.FloatData;
import dev.clattn.Layout;
import dev.clattn.Shape;
import dev.clattn.opencl.DeviceBuffers.Role;

/**
 * Q, K and V in, and O out, in the request's layout: uploaded as they are, and for [B, N, H, D] transposed on
 * the device through one staging buffer (the in-order queue runs each transpose before the next upload over
 * it), so that every kernel reads [B, H, N, D] and the host never transposes.
 */
final class DeviceLayout {
    private final DeviceBuffers buffers;
    private final TransposeHeadsKernel transpose;
    private final RopeKernel rope;
    /** The last rotary table made, what it was made for, and the buffer it was last written to. */
    private TableKey tableKey;
    private float[] table;
    private ClBuffer tableBuffer;

    /** What a rotary table depends on. */
    private record TableKey(int positions, int first, int headDim, float base) {
    }

    DeviceLayout(DeviceBuffers buffers, TransposeHeadsKernel transpose, RopeKernel rope) {
        this.buffers = buffers;
        this.transpose = transpose;
        this.rope = rope;
    }

    /** Staging bytes a call in this layout needs beside its own buffers. */
    static long stagingBytes(AttentionRequest r) {
        Shape s = r.shape();
        return r.layout() == Layout.BHND ? 0
                : 4 * Math.max(Math.max(s.qElements(), s.kElements()), Math.max(s.vElements(), s.outElements()));
    }

    /** The request's Q, K or V by name. */
    static FloatData data(AttentionRequest r, String name) {
        return switch (name) {
            case "q" -> r.q();
            case "k" -> r.k();
            default -> r.v();
        };
    }

    /**
     * Q, K or V ({@code name}) as [B, H, N, D] in the buffer of {@code role}, Q and K rotated when the request has
     * rotary positions (a resident tensor into the role's buffer, never in place).
     */
    ClBuffer input(Role role, AttentionRequest r, String name) {
        ClBuffer b = unrotated(role, r, name);
        if (r.rope() == 0 || name.equals("v")) {
            return b;
        }
        Shape s = r.shape();
        boolean query = name.equals("q");
        ClBuffer dst = b;
        if (data(r, name).resident() != null && r.layout() == Layout.BHND) {
            dst = buffers.get(role, 4 * data(r, name).length());
        }
        rope.enqueue(b, dst, ropeTable(r), (long) s.batch() * (query ? s.queryHeads() : s.kvHeads())
                * (query ? s.queryLen() : s.keyLen()), query ? s.queryLen() : s.keyLen(), s.headDim(),
                dev.clattn.Rope.offset(s, query));
        return dst;
    }

    /**
     * The request's rotary table on the device: made once per (positions, D, base) and written once per buffer
     * (a decoding loop's calls of one shape share it; a released or grown buffer is written again).
     */
    private ClBuffer ropeTable(AttentionRequest r) {
        Shape s = r.shape();
        TableKey key = new TableKey(dev.clattn.Rope.positions(s), dev.clattn.Rope.firstPosition(s), s.headDim(),
                r.rope());
        ClBuffer onDevice = buffers.get(Role.ROPE, dev.clattn.Rope.tableBytes(s));
        if (!key.equals(tableKey)) {
            table = dev.clattn.Rope.table(s, r.rope());
            tableKey = key;
            tableBuffer = null;
        }
        if (onDevice != tableBuffer) {
            buffers.write(onDevice, org.jocl.Pointer.to(table), dev.clattn.Rope.tableBytes(s));
            tableBuffer = onDevice;
        }
        return onDevice;
    }

    private ClBuffer unrotated(Role role, AttentionRequest r, String name) {
        Shape s = r.shape();
        FloatData data = data(r, name);
        if (r.layout() == Layout.BHND) {
            return buffers.upload(role, data);
        }
        ClBuffer raw = buffers.upload(Role.LAYOUT, data);
        ClBuffer dst = buffers.get(role, 4 * data.length());
        boolean query = name.equals("q");
        transpose.enqueue(raw, dst, s.batch(), query ? s.queryLen() : s.keyLen(), query ? s.queryHeads()
                : s.kvHeads(), name.equals("v") ? s.valueDim() : s.headDim());
        return dst;
    }

    /** O [B, Hq, Nq, Dv] from {@code o} in the request's layout: a new array, or into {@code into} (then null). */
    float[] output(ClBuffer o, AttentionRequest r, FloatData into) {
        Shape s = r.shape();
        ClBuffer src = o;
        if (r.layout() == Layout.BNHD) {
            src = buffers.get(Role.LAYOUT, 4 * s.outElements());
            transpose.enqueue(o, src, s.batch(), s.queryHeads(), s.queryLen(), s.valueDim());
        }
        if (into != null) {
            buffers.readInto(src, into, s.outElements());
            return null;
        }
        return buffers.readAll("output", src, s.outElements());
    }
}
