package dev.clattn.opencl;

import dev.clattn.AttentionRequest;
import dev.clattn.AttentionResult;
import dev.clattn.FloatData;
import dev.clattn.HostMemory;
import dev.clattn.InvalidRequestException;
import dev.clattn.Shape;
import dev.clattn.Storage;
import dev.clattn.opencl.DeviceBuffers.Role;
import org.jocl.Pointer;

/**
 * Attention over a graph's edges: attention_edges gathers each row's neighbours, so device memory is O(E) beside
 * Q, K, V and O, whatever Nq × Nk is. Float32 storage (the gather reads rows of K and V where they lie).
 */
final class EdgesPath implements AutoCloseable {
    private final DeviceBuffers buffers;
    private final DeviceLayout layout;
    private final AttentionEdgesKernel kernel;
    private final int maxGridGroups;

    EdgesPath(DeviceBuffers buffers, DeviceLayout layout, AttentionEdgesKernel kernel, int maxGridGroups) {
        this.buffers = buffers;
        this.layout = layout;
        this.kernel = kernel;
        this.maxGridGroups = maxGridGroups;
    }

    String describe() {
        return "attention_edges " + kernel.params();
    }

    /** With {@code into}, O goes there and the result is null. */
    AttentionResult attention(AttentionRequest r, FloatData into) {
        if (r.storage() != Storage.F32) {
            throw new InvalidRequestException("storage", "f32 with a graph (edges)", r.storage().name());
        }
        Shape s = r.shape();
        int[] indptr = dev.clattn.spi.Backends.edgeOffsets(r.edges());
        int[] indices = dev.clattn.spi.Backends.edgeKeys(r.edges());
        long edges = indices.length;
        if (into == null) {
            HostMemory.Plan plan = new HostMemory.Plan().add("output", 4 * s.outElements());
            if (r.wantWeights()) {
                plan.add("weights", 4L * s.heads() * edges);
            }
            if (r.wantLse()) {
                plan.add("lse", 4 * s.lseElements());
            }
            plan.require();
        }
        long[] needs = buffers.needs(r);
        needs[Role.EDGE_OFFSETS.ordinal()] = 4L * indptr.length;
        needs[Role.EDGE_KEYS.ordinal()] = 4 * Math.max(1, edges);
        needs[Role.EDGE_WEIGHTS.ordinal()] = r.wantWeights() ? 4L * s.heads() * Math.max(1, edges) : 4;
        buffers.require(needs);
        ClBuffer q = layout.input(Role.Q, r, "q");
        ClBuffer k = layout.input(Role.K, r, "k");
        ClBuffer v = layout.input(Role.V, r, "v");
        ClBuffer offsets = buffers.get(Role.EDGE_OFFSETS, 4L * indptr.length);
        buffers.write(offsets, Pointer.to(indptr), 4L * indptr.length);
        ClBuffer keys = buffers.get(Role.EDGE_KEYS, 4 * Math.max(1, edges));
        if (edges > 0) {
            buffers.write(keys, Pointer.to(indices), 4 * edges);
        }
        ClBuffer p = buffers.get(Role.EDGE_WEIGHTS, needs[Role.EDGE_WEIGHTS.ordinal()]);
        Masks masks = buffers.masks(r);
        ClBuffer o = buffers.get(Role.O, 4 * s.outElements());
        ClBuffer lse = buffers.get(Role.LSE, 4 * s.lseElements());
        kernel.enqueue(s, ScoreDefines.of(r), r.scale(), q, k, v, o, lse, p, r.wantWeights(), offsets, keys, edges,
                masks, maxGridGroups);
        float[] out = layout.output(o, r, into);
        if (into != null) {
            return null;
        }
        return new AttentionResult(out, r.wantWeights() ? buffers.readAll("weights", p, s.heads() * edges) : null,
                r.wantLse() ? buffers.readAll("lse", lse, s.lseElements()) : null);
    }

    @Override
    public void close() {
        kernel.close();
    }
}
