package dev.clattn.cli;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.clattn.AttentionRequest;
import dev.clattn.Causal;
import dev.clattn.Shape;
import dev.clattn.Storage;
import dev.clattn.tune.Float64Check;
import dev.clattn.tune.Timing;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code clattn bench --peer ort}: ONNX Runtime's Java API (CPU execution provider) on the bench's own requests,
 * by two routes: {@link OnnxModel#matmulSoftmax} and the standard Attention op. Each route is checked against
 * float64 on sampled rows like clattn's rows, then timed end to end from Java arrays, as clattn's figures are:
 * input tensors made from the arrays, the run, the output copied back into an array.
 *
 * <p>ONNX Runtime is a provided dependency, absent from the CLI jar: nothing may load this class before
 * {@link BenchPeers#requireOrt} has found ONNX Runtime on the class path.
 */
final class OrtPeer {
    /** The routes, in the order they run. */
    enum Route {
        MATMUL("ort-matmul", "MatMul, Softmax, MatMul (opset 23)"),
        ATTENTION("ort-attention", "Attention op (opset 23)");

        final String path;
        final String graph;

        Route(String path, String graph) {
            this.path = path;
            this.graph = graph;
        }

        byte[] model(Shape s, boolean causal, float scale) {
            return this == MATMUL ? OnnxModel.matmulSoftmax(s, causal, scale) : OnnxModel.attentionOp(s, causal, scale);
        }
    }

    /** What the bench's options say of checking and timing a row. */
    record Settings(int warmup, int repeat, double maxError, double fmaGflops) {
    }

    /** ONNX Runtime's process-wide environment; each row's session is closed after it, its threads with it. */
    private final OrtEnvironment env;
    private final int threads = Runtime.getRuntime().availableProcessors();

    OrtPeer() {
        try {
            env = OrtEnvironment.getEnvironment();
        } catch (RuntimeException | LinkageError e) {
            // The Java classes are there but the native library is not usable (an unsupported platform).
            throw new IllegalStateException("--peer ort: ONNX Runtime's native library did not load: " + e, e);
        }
    }

    String device() {
        return "ONNX Runtime " + env.getVersion() + " CPU (" + threads + " threads)";
    }

    /** One call of {@code route} on {@code r} in a session of its own (for the tests). */
    float[] attention(Route route, AttentionRequest r) {
        try (OrtSession session = session(route, r)) {
            return call(session, r);
        } catch (OrtException e) {
            throw failed(route, r, e);
        }
    }

    /**
     * A checked and timed row per route, for a request the bench made with mask none or causal; a route whose
     * score tensors would not fit in half the machine's memory is skipped with a note on {@code log}.
     */
    List<BenchRow> measure(AttentionRequest r, String mask, Settings settings, PrintWriter log) {
        Shape s = r.shape();
        List<BenchRow> rows = new ArrayList<>();
        for (Route route : Route.values()) {
            // Scores, masked scores and weights: three [B,Hq,Nq,Nk] float tensors at once in the MatMul route;
            // the CPU Attention op too holds the weights of all heads.
            double bytes = 3.0 * 4 * s.heads() * s.queryLen() * s.keyLen();
            if (bytes > totalMemory() / 2.0) {
                log.printf("%s %s %s: skipped, its score tensors (%.1f GiB) would not fit in half the memory%n",
                        route.path, s, mask, bytes / (1L << 30));
                continue;
            }
            try (OrtSession session = session(route, r)) {
                rows.add(measure(route, session, r, mask, settings));
            } catch (OrtException e) {
                throw failed(route, r, e);
            }
        }
        return rows;
    }

    private BenchRow measure(Route route, OrtSession session, AttentionRequest r, String mask, Settings settings)
            throws OrtException {
        Shape s = r.shape();
        double error = Float64Check.sampledError(r, call(session, r), 16);
        if (!(error <= settings.maxError())) {
            throw new IllegalStateException(route.path + " " + s + " " + mask + ": max error " + error
                    + " against float64 exceeds --max-error " + settings.maxError() + "; not timed");
        }
        for (int i = 1; i < settings.warmup(); i++) {
            call(session, r);
        }
        double[] ms = Timing.sortedMillis(settings.repeat(), () -> {
            try {
                call(session, r);
            } catch (OrtException e) {
                throw failed(route, r, e);
            }
        });
        double flops = BenchRow.attentionFlops(s, BenchWorkloads.visibleFraction(s, mask));
        double median = Timing.Samples.median(ms);
        double gflops = flops / (median * 1e6);
        return new BenchRow(route.path, "", "-", s, mask, Storage.F32, median, Timing.Samples.min(ms), Double.NaN,
                Double.NaN, gflops, gflops, Double.NaN, gflops / settings.fmaGflops(), error, 0, device(),
                route.graph + ", intra-op threads=" + threads);
    }

    private OrtSession session(Route route, AttentionRequest r) throws OrtException {
        if (r.causal() == Causal.BOTTOM_RIGHT || r.mask() != null || r.bias() != null || r.keyLengths() != null) {
            throw new IllegalArgumentException("--peer ort: expected mask none or causal (top-left), got another");
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return env.createSession(route.model(r.shape(), r.causal() == Causal.TOP_LEFT, r.scale()), options);
        }
    }

    /** O from the request's arrays, end to end: what a user of ONNX Runtime's Java API does per call. */
    private float[] call(OrtSession session, AttentionRequest r) throws OrtException {
        Shape s = r.shape();
        try (OnnxTensor q = tensor(r.q().toArray(), s.batch(), s.queryHeads(), s.queryLen(), s.headDim());
                OnnxTensor k = tensor(r.k().toArray(), s.batch(), s.kvHeads(), s.keyLen(), s.headDim());
                OnnxTensor v = tensor(r.v().toArray(), s.batch(), s.kvHeads(), s.keyLen(), s.valueDim());
                OrtSession.Result result = session.run(Map.of("q", q, "k", k, "v", v))) {
            FloatBuffer o = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] out = new float[o.remaining()];
            o.get(out);
            return out;
        }
    }

    private OnnxTensor tensor(float[] data, long... shape) throws OrtException {
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
    }

    private static RuntimeException failed(Route route, AttentionRequest r, OrtException e) {
        return new IllegalStateException(route.path + " " + r.shape() + ": ONNX Runtime failed: " + e.getMessage(), e);
    }

    private static long totalMemory() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
    }
}
