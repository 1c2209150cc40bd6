package dev.clattn.opencl;

import static org.jocl.CL.CL_TRUE;
import static org.jocl.CL.clEnqueueReadBuffer;
import static org.jocl.CL.clEnqueueWriteBuffer;

import dev.clattn.AttentionRequest;
import dev.clattn.AttentionResult;
import dev.clattn.Backend;
import dev.clattn.Broadcast;
import dev.clattn.Causal;
import dev.clattn.Config;
import dev.clattn.FloatData;
import dev.clattn.Shape;
import dev.clattn.opencl.DeviceBuffers.Role;
import dev.clattn.opencl.SoftmaxRowsKernel.Operand;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jocl.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three-kernel OpenCL path: qkt, softmax_rows and av over chunks of the score matrix that fit the device
 * score buffer. Not thread-safe by itself: {@link dev.clattn.Attention} serialises calls.
 */
public final class OpenClBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(OpenClBackend.class);
    private static final long[] NO_STRIDES = new long[4];

    private final ClContext context;
    private final DeviceBuffers buffers;
    private final long scoreBudget;
    private QktKernel qkt;
    private SoftmaxRowsKernel softmax;
    private AvKernel av;
    private boolean closed;

    public OpenClBackend(OpenCl.Device device, Config config) {
        this(device, config, Map.of());
    }

    /**
     * A backend whose kernels use {@code overrides} (kernel name → tunable → value) on top of the built-in
     * parameters; an override naming a tunable the kernel does not declare is an error.
     */
    public OpenClBackend(OpenCl.Device device, Config config, Map<String, Map<String, Integer>> overrides) {
        this.context = new ClContext(device);
        this.buffers = new DeviceBuffers(context);
        DeviceInfo info = device.info();
        this.scoreBudget = Math.min(config.scoreBufferBytes(), info.maxAllocBytes());
        try {
            KernelSource qktSource = KernelSource.load("qkt", config.kernelDir());
            qkt = new QktKernel(context, qktSource, params(qktSource, info, overrides));
            KernelSource softmaxSource = KernelSource.load("softmax_rows", config.kernelDir());
            softmax = new SoftmaxRowsKernel(context, softmaxSource, params(softmaxSource, info, overrides));
            KernelSource avSource = KernelSource.load("av", config.kernelDir());
            av = new AvKernel(context, avSource, params(avSource, info, overrides));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("clattn: OpenCL on {}; qkt {}, softmax_rows {}, av {}; kernels from {}", info.describe(),
                qkt.params(), softmax.params(), av.params(),
                config.kernelDir() == null ? "the jar" : config.kernelDir());
    }

    private static Map<String, Integer> params(KernelSource source, DeviceInfo info,
            Map<String, Map<String, Integer>> overrides) {
        Map<String, Integer> values = new HashMap<>(BuiltinParams.of(source, info));
        values.putAll(overrides.getOrDefault(source.name(), Map.of()));
        return values;
    }

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public String device() {
        return context.info().describe();
    }

    public DeviceInfo info() {
        return context.info();
    }

    /** Bytes of device memory the engine holds now. */
    public long deviceBytesHeld() {
        return buffers.heldBytes();
    }

    @Override
    public AttentionResult attention(AttentionRequest r) {
        Shape s = r.shape();
        ClBuffer q = upload(Role.Q, r.q());
        ClBuffer k = upload(Role.K, r.k());
        ClBuffer v = upload(Role.V, r.v());
        ClBuffer o = buffers.get(Role.O, 4 * s.outElements());
        ClBuffer lse = buffers.get(Role.LSE, r.wantLse() ? 4 * s.lseElements() : 4);
        MaskArgs mask = structuralMask(r);
        Operand boolMask = boolMask(r);
        Operand bias = bias(r);
        float[] weights = r.wantWeights() ? new float[r.scoreArrayLength("weights")] : null;
        for (Chunk c : chunks(s)) {
            ClBuffer scores = buffers.get(Role.SCORES, 4 * c.elements(s.keyLen()));
            qkt.enqueue(s, r.scale(), c, q, k, scores, mask);
            softmax.enqueue(s, c, scores, lse, r.wantLse(), mask, boolMask, bias);
            av.enqueue(s, c, scores, v, o, mask, anyMask(r));
            if (weights != null) {
                read(scores, 0, weights, c.offset(s, s.keyLen()), c.elements(s.keyLen()));
            }
        }
        float[] out = new float[(int) s.outElements()];
        read(o, 0, out, 0, out.length);
        float[] lseOut = null;
        if (r.wantLse()) {
            lseOut = new float[(int) s.lseElements()];
            read(lse, 0, lseOut, 0, lseOut.length);
        }
        return new AttentionResult(out, weights, lseOut);
    }

    @Override
    public float[] qkt(AttentionRequest r) {
        Shape s = r.shape();
        float[] out = new float[r.scoreArrayLength("scores")];
        ClBuffer q = upload(Role.Q, r.q());
        ClBuffer k = upload(Role.K, r.k());
        MaskArgs mask = structuralMask(r);
        for (Chunk c : chunks(s)) {
            ClBuffer scores = buffers.get(Role.SCORES, 4 * c.elements(s.keyLen()));
            qkt.enqueue(s, r.scale(), c, q, k, scores, mask);
            read(scores, 0, out, c.offset(s, s.keyLen()), c.elements(s.keyLen()));
        }
        return out;
    }

    @Override
    public float[] softmaxRows(AttentionRequest r, float[] scores, float[] lseOut) {
        Shape s = r.shape();
        r.checkScores("scores", scores);
        r.checkLse(lseOut);
        float[] out = new float[scores.length];
        ClBuffer lse = buffers.get(Role.LSE, lseOut != null ? 4 * s.lseElements() : 4);
        MaskArgs mask = structuralMask(r);
        Operand boolMask = boolMask(r);
        Operand bias = bias(r);
        for (Chunk c : chunks(s)) {
            long n = c.elements(s.keyLen());
            ClBuffer buf = buffers.get(Role.SCORES, 4 * n);
            write(buf, Pointer.to(scores).withByteOffset(4 * c.offset(s, s.keyLen())), 4 * n);
            softmax.enqueue(s, c, buf, lse, lseOut != null, mask, boolMask, bias);
            read(buf, 0, out, c.offset(s, s.keyLen()), n);
        }
        if (lseOut != null) {
            read(lse, 0, lseOut, 0, lseOut.length);
        }
        return out;
    }

    @Override
    public float[] av(AttentionRequest r, float[] weights) {
        Shape s = r.shape();
        r.checkScores("weights", weights);
        ClBuffer v = upload(Role.V, r.v());
        ClBuffer o = buffers.get(Role.O, 4 * s.outElements());
        MaskArgs mask = structuralMask(r);
        for (Chunk c : chunks(s)) {
            long n = c.elements(s.keyLen());
            ClBuffer buf = buffers.get(Role.SCORES, 4 * n);
            write(buf, Pointer.to(weights).withByteOffset(4 * c.offset(s, s.keyLen())), 4 * n);
            av.enqueue(s, c, buf, v, o, mask, anyMask(r));
        }
        float[] out = new float[(int) s.outElements()];
        read(o, 0, out, 0, out.length);
        return out;
    }

    private List<Chunk> chunks(Shape s) {
        return Chunk.plan(s, scoreBudget);
    }

    private static boolean anyMask(AttentionRequest r) {
        return r.mask() != null || r.bias() != null;
    }

    private MaskArgs structuralMask(AttentionRequest r) {
        Shape s = r.shape();
        int[] lengths = r.keyLengths();
        ClBuffer buf = buffers.get(Role.KEY_LENGTHS, lengths == null ? 4 : 4L * lengths.length);
        if (lengths != null) {
            write(buf, Pointer.to(lengths), 4L * lengths.length);
        }
        boolean causal = r.causal() != Causal.NONE;
        return new MaskArgs(causal ? 1 : 0, r.causal().offset(s.queryLen(), s.keyLen()), buf, lengths == null ? 0 : 1);
    }

    private Operand boolMask(AttentionRequest r) {
        Broadcast<byte[]> m = r.mask();
        if (m == null) {
            return new Operand(buffers.get(Role.MASK, 4), NO_STRIDES, 0);
        }
        ClBuffer buf = buffers.get(Role.MASK, m.data().length);
        write(buf, Pointer.to(m.data()), m.data().length);
        return new Operand(buf, m.strides(), 1);
    }

    private Operand bias(AttentionRequest r) {
        Broadcast<float[]> b = r.bias();
        if (b == null) {
            return new Operand(buffers.get(Role.BIAS, 4), NO_STRIDES, 0);
        }
        ClBuffer buf = buffers.get(Role.BIAS, 4L * b.data().length);
        write(buf, Pointer.to(b.data()), 4L * b.data().length);
        return new Operand(buf, b.strides(), 1);
    }

    private ClBuffer upload(Role role, FloatData data) {
        long bytes = 4 * data.length();
        ClBuffer buf = buffers.get(role, bytes);
        if (data.array() != null) {
            write(buf, Pointer.to(data.array()), bytes);
        } else if (data.buffer().isDirect()) {
            write(buf, Pointer.to(data.buffer()), bytes);
        } else {
            write(buf, Pointer.to(data.toArray()), bytes);
        }
        return buf;
    }

    private void write(ClBuffer buf, Pointer src, long bytes) {
        if (bytes > 0) {
            clEnqueueWriteBuffer(context.queue(), buf.mem(), CL_TRUE, 0, bytes, src, 0, null, null);
        }
    }

    private void read(ClBuffer buf, long srcOffset, float[] dst, long dstOffset, long count) {
        clEnqueueReadBuffer(context.queue(), buf.mem(), CL_TRUE, 4 * srcOffset, 4 * count,
                Pointer.to(dst).withByteOffset(4 * dstOffset), 0, null, null);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Launcher l : new Launcher[] {qkt, softmax, av}) {
            if (l != null) {
                l.close();
            }
        }
        buffers.close();
        context.close();
    }
}
