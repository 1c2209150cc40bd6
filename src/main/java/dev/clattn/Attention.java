package dev.clattn;

import dev.clattn.cpu.CpuBackend;
import dev.clattn.opencl.OpenCl;
import dev.clattn.opencl.OpenClBackend;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine: one backend (an OpenCL device, else the CPU fallback) with its device buffers and built
 * kernels, reused across calls. Thread-safe: calls are serialised on the engine. Close it to free the device.
 *
 * <pre>{@code
 * try (Attention attention = Attention.open()) {
 *     AttentionRequest request = AttentionRequest.builder(Shape.of(2, 8, 1024, 64))
 *             .q(q).k(k).v(v).causal(Causal.TOP_LEFT).build();
 *     float[] out = attention.compute(request).output();
 * }
 * }</pre>
 */
public final class Attention implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Attention.class);

    private final Backend backend;

    private Attention(Backend backend) {
        this.backend = backend;
    }

    /** An engine configured from system properties and the environment. */
    public static Attention open() {
        return open(Config.fromEnvironment());
    }

    public static Attention open(Config config) {
        return new Attention(createBackend(config));
    }

    /** The backend the configuration asks for; AUTO falls back to the CPU when OpenCL has no device. */
    public static Backend createBackend(Config config) {
        if (config.backend() == BackendKind.CPU) {
            return new CpuBackend(config.threads());
        }
        OpenCl.Probe probe = OpenCl.probe();
        if (!probe.available()) {
            if (config.backend() == BackendKind.OPENCL) {
                throw new IllegalStateException("backend opencl: " + probe.problem());
            }
            LOG.info("clattn: {}; using the CPU fallback", probe.problem());
            return new CpuBackend(config.threads());
        }
        OpenCl.Device chosen = OpenCl.choose(probe, config).orElseThrow(() -> new IllegalArgumentException("device: no OpenCL device matches platform="
                        + config.platform() + " device=" + config.device() + "; available: "
                        + probe.devices().stream().map(d -> d.info().platformIndex() + ":" + d.info().deviceIndex()
                                + " " + d.info().name()).collect(Collectors.joining(", "))));
        return new OpenClBackend(chosen, config);
    }

    /**
     * Combines attention results computed over disjoint blocks of the keys (on different devices, or at
     * different times) into the result over all of them, by their log-sum-exp. Every part must carry its LSE
     * (request it with {@code returnLse(true)}) and have the same shape; the result carries the merged LSE.
     */
    public static AttentionResult merge(java.util.List<AttentionResult> parts) {
        if (parts == null || parts.isEmpty()) {
            throw new IllegalArgumentException("parts: expected at least one partial result, got none");
        }
        int rows = -1;
        int width = -1;
        float[][] outs = new float[parts.size()][];
        float[][] lses = new float[parts.size()][];
        for (int z = 0; z < parts.size(); z++) {
            AttentionResult p = parts.get(z);
            if (p.lse() == null) {
                throw new IllegalArgumentException("parts[" + z + "]: has no LSE; compute it with returnLse(true)");
            }
            if (rows < 0) {
                rows = p.lse().length;
                width = p.output().length / rows;
            }
            if (p.lse().length != rows || p.output().length != (long) rows * width) {
                throw new IllegalArgumentException("parts[" + z + "]: expected " + rows + " rows of " + width
                        + " outputs like parts[0], got " + p.lse().length + " rows and " + p.output().length
                        + " outputs");
            }
            outs[z] = p.output();
            lses[z] = p.lse();
        }
        float[] out = new float[rows * width];
        float[] lse = new float[rows];
        for (int row = 0; row < rows; row++) {
            lse[row] = dev.clattn.cpu.CpuReference.attentionMerge(outs, lses, row, width, out, row * width);
        }
        return new AttentionResult(out, null, lse);
    }

    public Backend backend() {
        return backend;
    }

    /** Runs one request; see {@link AttentionRequest} for the semantics. */
    public AttentionResult compute(AttentionRequest request) {
        synchronized (backend) {
            return backend.attention(request);
        }
    }

    /**
     * Frees the device memory kept between calls: buffers grow to the largest request seen and are reused,
     * so a server that served one huge request can hand that memory back. The next call allocates again.
     */
    public void releaseBuffers() {
        synchronized (backend) {
            backend.releaseBuffers();
        }
    }

    @Override
    public void close() {
        synchronized (backend) {
            backend.close();
        }
    }
}
