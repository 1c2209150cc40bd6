package dev.clattn.opencl;

import dev.clattn.AttentionRequest;
import dev.clattn.AttentionResult;
import dev.clattn.HostMemory;
import dev.clattn.Shape;
import dev.clattn.opencl.DeviceBuffers.Role;
import java.util.List;
import org.jocl.Pointer;

/**
 * qkt, softmax_rows and av over chunks of the score matrix no larger than the score buffer: the path that can
 * return the weights P, and each stage on its own.
 */
final class ThreeKernelPath implements AutoCloseable {
    private final DeviceBuffers buffers;
    private final long scoreBudget;
    private final int maxGridGroups;
    private final DeviceLayout layout;
    private final ProfiledKernels<QktKernel> qkt;
    private final ProfiledKernels<SoftmaxRowsKernel> softmax;
    private final ProfiledKernels<AvKernel> av;

    ThreeKernelPath(DeviceBuffers buffers, long scoreBudget, int maxGridGroups, ProfiledKernels<QktKernel> qkt,
            ProfiledKernels<SoftmaxRowsKernel> softmax, ProfiledKernels<AvKernel> av, DeviceLayout layout) {
        this.buffers = buffers;
        this.layout = layout;
        this.scoreBudget = scoreBudget;
        this.maxGridGroups = maxGridGroups;
        this.qkt = qkt;
        this.softmax = softmax;
        this.av = av;
    }

    String describe() {
        return "qkt " + qkt.defaults().params() + ", softmax_rows " + softmax.defaults().params() + ", av "
                + av.defaults().params();
    }

    private List<Chunk> chunks(Shape s) {
        return Chunk.plan(s, scoreBudget, maxGridGroups);
    }

    AttentionResult attention(AttentionRequest r) {
        Shape s = r.shape();
        new HostMemory.Plan().results(r).require();
        long[] needs = buffers.needs(r);
        needs[Role.SCORES.ordinal()] = chunks(s).stream().mapToLong(c -> 4 * c.elements(s.keyLen())).max().orElse(4);
        buffers.require(needs);
        ClBuffer q = layout.input(Role.Q, r, "q");
        ClBuffer k = layout.input(Role.K, r, "k");
        ClBuffer v = layout.input(Role.V, r, "v");
        ClBuffer o = buffers.get(Role.O, 4 * s.outElements());
        ClBuffer lse = buffers.get(Role.LSE, r.wantLse() ? 4 * s.lseElements() : 4);
        Masks masks = buffers.masks(r);
        float[] weights = r.wantWeights() ? HostMemory.floats("weights", r.scoreArrayLength("weights")) : null;
        for (Chunk c : chunks(s)) {
            ClBuffer scores = buffers.get(Role.SCORES, 4 * c.elements(s.keyLen()));
            qkt.forShape(s).enqueue(s, ScoreDefines.score(r), r.scale(), c, q, k, scores, masks.structural());
            softmax.forShape(s).enqueue(s, ScoreDefines.normalize(r), c, scores, lse, r.wantLse(), masks);
            av.forShape(s).enqueue(s, c, scores, v, o, masks.structural(), masks.any());
            if (weights != null) {
                buffers.read(scores, 0, weights, c.offset(s, s.keyLen()), c.elements(s.keyLen()));
            }
        }
        return new AttentionResult(layout.output(o, r, null), weights,
                r.wantLse() ? buffers.readAll("lse", lse, s.lseElements()) : null);
    }

    float[] qkt(AttentionRequest r) {
        Shape s = r.shape();
        float[] out = HostMemory.floats("scores", r.scoreArrayLength("scores"));
        ClBuffer q = layout.input(Role.Q, r, "q");
        ClBuffer k = layout.input(Role.K, r, "k");
        Masks masks = buffers.masks(r);
        for (Chunk c : chunks(s)) {
            ClBuffer scores = buffers.get(Role.SCORES, 4 * c.elements(s.keyLen()));
            qkt.forShape(s).enqueue(s, ScoreDefines.score(r), r.scale(), c, q, k, scores, masks.structural());
            buffers.read(scores, 0, out, c.offset(s, s.keyLen()), c.elements(s.keyLen()));
        }
        return out;
    }

    float[] softmaxRows(AttentionRequest r, float[] scores, float[] lseOut) {
        Shape s = r.shape();
        float[] out = HostMemory.floats("weights", scores.length);
        ClBuffer lse = buffers.get(Role.LSE, lseOut != null ? 4 * s.lseElements() : 4);
        Masks masks = buffers.masks(r);
        for (Chunk c : chunks(s)) {
            long n = c.elements(s.keyLen());
            ClBuffer buf = buffers.get(Role.SCORES, 4 * n);
            buffers.write(buf, Pointer.to(scores).withByteOffset(4 * c.offset(s, s.keyLen())), 4 * n);
            softmax.forShape(s).enqueue(s, ScoreDefines.normalize(r), c, buf, lse, lseOut != null, masks);
            buffers.read(buf, 0, out, c.offset(s, s.keyLen()), n);
        }
        if (lseOut != null) {
            buffers.read(lse, 0, lseOut, 0, lseOut.length);
        }
        return out;
    }

    float[] av(AttentionRequest r, float[] weights) {
        Shape s = r.shape();
        ClBuffer v = layout.input(Role.V, r, "v");
        ClBuffer o = buffers.get(Role.O, 4 * s.outElements());
        Masks masks = buffers.masks(r);
        for (Chunk c : chunks(s)) {
            long n = c.elements(s.keyLen());
            ClBuffer buf = buffers.get(Role.SCORES, 4 * n);
            buffers.write(buf, Pointer.to(weights).withByteOffset(4 * c.offset(s, s.keyLen())), 4 * n);
            av.forShape(s).enqueue(s, c, buf, v, o, masks.structural(), masks.any());
        }
        return layout.output(o, r, null);
    }

    @Override
    public void close() {
        qkt.close();
        softmax.close();
        av.close();
    }
}
