import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.clattn.AttentionRequest;
import dev.clattn.Causal;
import dev.clattn.Shape;
import dev.clattn.tune.Float64Check;
import java.io.ByteArrayOutputStream;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * ONNX Runtime's Java API as a peer for `clattn bench --peer`: a MatMul -> Softmax -> MatMul graph (with a causal
 * additive mask when causal), written here as ONNX protobuf bytes, run on the same inputs as clattn's bench
 * (Float64Check.selfAttention with seed 1), checked against the same float64 sample, written as peer.csv rows.
 * ORT never reaches clattn's jar: run it with both jars on the class path (bench/peers/ort.sh).
 *
 *   java -cp CLATTN_CLI_JAR:ONNXRUNTIME_JAR bench/peers/OrtPeer.java OUT.csv REPEAT B,H,N,D[,causal] ...
 */
public final class OrtPeer {
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int repeat = Integer.parseInt(args[1]);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<String> lines = new ArrayList<>(List.of("path,B,H,Nq,Nk,D,causal,median_ms,min_ms,gflops,max_error,device"));
        for (int a = 2; a < args.length; a++) {
            String[] f = args[a].split(",");
            int b = Integer.parseInt(f[0]);
            int h = Integer.parseInt(f[1]);
            int n = Integer.parseInt(f[2]);
            int d = Integer.parseInt(f[3]);
            boolean causal = f.length > 4 && f[4].equals("causal");
            Shape s = Shape.of(b, h, n, d);
            AttentionRequest r = Float64Check.selfAttention(s, causal ? Causal.TOP_LEFT : Causal.NONE, new Random(1));
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession session = env.createSession(model(b, h, n, d, causal, r.scale()), options);
                    OnnxTensor q = tensor(env, r.q().array(), b, h, n, d);
                    OnnxTensor k = tensor(env, r.k().array(), b, h, n, d);
                    OnnxTensor v = tensor(env, r.v().array(), b, h, n, d)) {
                Map<String, OnnxTensor> inputs = Map.of("q", q, "k", k, "v", v);
                float[] o;
                try (OrtSession.Result res = session.run(inputs)) {
                    o = flat(((OnnxTensor) res.get(0)).getFloatBuffer());
                }
                double error = Float64Check.sampledError(r, o, 16);
                if (!(error <= 1e-4)) {
                    throw new IllegalStateException(args[a] + ": max error " + error + " against float64 exceeds "
                            + "1e-4 (as clattn bench's --max-error); not timed");
                }
                double[] ms = new double[repeat];
                for (int i = 0; i < repeat; i++) {
                    long t0 = System.nanoTime();
                    session.run(inputs).close();
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
                Arrays.sort(ms);
                double median = ms[repeat / 2];
                double flops = 4.0 * b * h * n * (double) n * d * (causal ? 0.5 : 1.0);
                String line = String.format(Locale.ROOT, "ort-matmul-fp32,%d,%d,%d,%d,%d,%s,%.4f,%.4f,%.2f,%.2e,"
                        + "\"ONNX Runtime %s CPU (%d threads)\"", b, h, n, n, d, causal, median, ms[0],
                        flops / (median * 1e6), error, env.getVersion(), Runtime.getRuntime().availableProcessors());
                System.out.println(line);
                lines.add(line);
            }
        }
        Files.write(out, lines);
    }

    private static OnnxTensor tensor(OrtEnvironment env, float[] data, long... shape) throws Exception {
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
    }

    private static float[] flat(FloatBuffer b) {
        float[] x = new float[b.remaining()];
        b.get(x);
        return x;
    }

    /** O = softmax(scale * Q K^T [+ causal mask]) V over [B,H,N,D] inputs q, k, v. */
    static byte[] model(int b, int h, int n, int d, boolean causal, float scale) {
        List<byte[]> nodes = new ArrayList<>();
        nodes.add(node("Transpose", List.of("k"), "kt", attrInts("perm", 0, 1, 3, 2)));
        nodes.add(node("MatMul", List.of("q", "kt"), "s", null));
        nodes.add(node("Mul", List.of("s", "scale"), causal ? "ss" : "sm", null));
        if (causal) {
            nodes.add(node("Add", List.of("ss", "mask"), "sm", null));
        }
        nodes.add(node("Softmax", List.of("sm"), "p", attrInt("axis", -1)));
        nodes.add(node("MatMul", List.of("p", "v"), "o", null));
        List<byte[]> inits = new ArrayList<>();
        inits.add(floatTensor("scale", new long[0], new float[] {scale}));
        if (causal) {
            float[] mask = new float[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    mask[i * n + j] = Float.NEGATIVE_INFINITY;
                }
            }
            inits.add(floatTensor("mask", new long[] {n, n}, mask));
        }
        Proto g = new Proto();
        nodes.forEach(x -> g.bytes(1, x));
        g.string(2, "attention");
        inits.forEach(x -> g.bytes(5, x));
        for (String in : List.of("q", "k", "v")) {
            g.bytes(11, valueInfo(in, b, h, n, d));
        }
        g.bytes(12, valueInfo("o", b, h, n, d));
        Proto opset = new Proto().string(1, "").varint(2, 13);
        return new Proto().varint(1, 8).bytes(8, opset.done()).bytes(7, g.done()).done();
    }

    private static byte[] node(String op, List<String> inputs, String output, byte[] attribute) {
        Proto p = new Proto();
        inputs.forEach(i -> p.string(1, i));
        p.string(2, output).string(4, op);
        if (attribute != null) {
            p.bytes(5, attribute);
        }
        return p.done();
    }

    private static byte[] attrInt(String name, long value) {
        return new Proto().string(1, name).varint(3, value).varint(20, 2).done();
    }

    private static byte[] attrInts(String name, long... values) {
        Proto p = new Proto().string(1, name);
        for (long v : values) {
            p.varint(8, v);
        }
        return p.varint(20, 7).done();
    }

    private static byte[] floatTensor(String name, long[] dims, float[] data) {
        Proto p = new Proto();
        for (long x : dims) {
            p.varint(1, x);
        }
        java.nio.ByteBuffer raw = java.nio.ByteBuffer.allocate(4 * data.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(data);
        return p.varint(2, 1).string(8, name).bytes(9, raw.array()).done();
    }

    private static byte[] valueInfo(String name, long... dims) {
        Proto shape = new Proto();
        for (long x : dims) {
            shape.bytes(1, new Proto().varint(1, x).done());
        }
        byte[] tensor = new Proto().varint(1, 1).bytes(2, shape.done()).done();
        return new Proto().string(1, name).bytes(2, new Proto().bytes(1, tensor).done()).done();
    }

    /** The protobuf wire format's two field kinds an ONNX graph needs: varints and length-delimited bytes. */
    static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        private void raw(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        Proto varint(int field, long v) {
            raw((long) field << 3);
            raw(v);
            return this;
        }

        Proto bytes(int field, byte[] b) {
            raw(((long) field << 3) | 2);
            raw(b.length);
            out.writeBytes(b);
            return this;
        }

        Proto string(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        byte[] done() {
            return out.toByteArray();
        }
    }
}
