package dev.clattn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.AttentionRequest;
import dev.clattn.AttentionResult;
import dev.clattn.Causal;
import dev.clattn.Shape;
import dev.clattn.cli.Cli.Outcome;
import dev.clattn.cpu.CpuBackend;
import dev.clattn.io.Npy;
import dev.clattn.testing.Case;
import dev.clattn.testing.Naive;
import dev.clattn.testing.Naive.Precision;
import dev.clattn.testing.Tolerance;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code clattn run} contract end to end through .npy files. */
class RunCommandTest {
    @TempDir
    Path dir;

    private static Outcome clattn(String... args) {
        return Cli.clattn(args);
    }

    private Path floats(String name, int[] shape, float[] data) throws Exception {
        Path p = dir.resolve(name);
        Files.move(Npy.writeTemp(p, shape, data), p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return p;
    }

    private Path raw(String name, String descr, String shape, byte[] data) throws Exception {
        return dev.clattn.io.NpyTestAccess.write(dir.resolve(name), descr, shape, data);
    }

    private String[] args(String... extra) {
        List<String> a = new ArrayList<>(List.of("run", "--q", dir.resolve("q.npy").toString(), "--k",
                dir.resolve("k.npy").toString(), "--v", dir.resolve("v.npy").toString(), "--out",
                dir.resolve("o.npy").toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    private AttentionRequest writeInputs(Case c, int[] qShape, int[] kShape, int[] vShape) throws Exception {
        AttentionRequest r = c.request(true, true);
        floats("q.npy", qShape, r.q().array());
        floats("k.npy", kShape, r.k().array());
        floats("v.npy", vShape, r.v().array());
        return r;
    }

    @Test
    void rank4WithEveryOptionMatchesTheReference() throws Exception {
        Shape s = new Shape(2, 4, 2, 9, 13, 8, 6);
        AttentionRequest r = writeInputs(Case.of("cli", s), new int[] {2, 4, 9, 8}, new int[] {2, 2, 13, 8},
                new int[] {2, 2, 13, 6});
        raw("l.npy", "<i8", "2,", littleEndianLongs(13, 5));
        byte[] mask = new byte[9 * 13];
        Arrays.fill(mask, (byte) 1);
        mask[3] = 0;
        raw("m.npy", "|b1", "9, 13", mask);
        float[] bias = new float[13];
        bias[2] = -1.5f;
        floats("a.npy", new int[] {1, 13}, bias);
        Outcome o = clattn(args("--scale", "0.3", "--causal=bottom-right", "--key-lengths",
                dir.resolve("l.npy").toString(), "--mask", dir.resolve("m.npy").toString(), "--bias",
                dir.resolve("a.npy").toString(), "--weights", dir.resolve("p.npy").toString(), "--lse",
                dir.resolve("lse.npy").toString()));
        assertEquals(0, o.code(), o.err());
        AttentionRequest expected = AttentionRequest.builder(s).q(r.q().array()).k(r.k().array()).v(r.v().array())
                .scale(0.3f).causal(Causal.BOTTOM_RIGHT).keyLengths(new int[] {13, 5}).maskBytes(mask, 9, 13)
                .bias(bias, 1, 13).returnWeights(true).returnLse(true).build();
        Naive.Result f64 = new Naive(expected, Precision.F64).attention();
        Naive.Result f32 = new Naive(expected, Precision.F32).attention();
        Npy.Array out = Npy.read("o", dir.resolve("o.npy"));
        assertArrayEquals(new int[] {2, 4, 9, 6}, out.shape());
        Tolerance.check("O", out.floats(), f64.out(), f32.out());
        Npy.Array p = Npy.read("p", dir.resolve("p.npy"));
        assertArrayEquals(new int[] {2, 4, 9, 13}, p.shape());
        Tolerance.check("P", p.floats(), f64.weights(), f32.weights());
        Npy.Array lse = Npy.read("lse", dir.resolve("lse.npy"));
        assertArrayEquals(new int[] {2, 4, 9}, lse.shape());
        Tolerance.check("LSE", lse.floats(), f64.lse(), f32.lse());
    }

    /** --edges (int32 INDPTR, int64 INDICES) on both backends: O against the reference, P per edge [B,Hq,E]. */
    @Test
    void edgesMatchTheReferenceWithWeightsPerEdge() throws Exception {
        Shape s = new Shape(2, 2, 1, 6, 9, 8, 4);
        AttentionRequest r = writeInputs(Case.of("cli-edges", s), new int[] {2, 2, 6, 8}, new int[] {2, 1, 9, 8},
                new int[] {2, 1, 9, 4});
        int[] indptr = {0, 2, 2, 5, 6, 8, 9};
        int[] indices = {8, 0, 1, 2, 3, 4, 5, 7, 6};
        ByteBuffer ptr = ByteBuffer.allocate(4 * indptr.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : indptr) {
            ptr.putInt(x);
        }
        raw("ptr.npy", "<i4", "7,", ptr.array());
        long[] wide = Arrays.stream(indices).asLongStream().toArray();
        raw("idx.npy", "<i8", "9,", littleEndianLongs(wide));
        dev.clattn.Edges graph = dev.clattn.Edges.of(indptr, indices);
        AttentionRequest expected = AttentionRequest.builder(s).q(r.q().array()).k(r.k().array()).v(r.v().array())
                .edges(graph).returnWeights(true).build();
        Naive.Result f64 = new Naive(expected, Precision.F64).attention();
        Naive.Result f32 = new Naive(expected, Precision.F32).attention();
        for (String backend : new String[] {"cpu", "auto"}) {
            Outcome o = clattn(args("--edges", dir.resolve("ptr.npy") + "," + dir.resolve("idx.npy"), "--backend",
                    backend, "--weights", dir.resolve("p.npy").toString()));
            assertEquals(0, o.code(), o.err());
            Tolerance.check(backend + " O", Npy.read("o", dir.resolve("o.npy")).floats(), f64.out(), f32.out());
            Npy.Array p = Npy.read("p", dir.resolve("p.npy"));
            assertArrayEquals(new int[] {2, 2, 9}, p.shape());
            for (int bh = 0; bh < 4; bh++) {
                for (int i = 0; i < 6; i++) {
                    for (int e = indptr[i]; e < indptr[i + 1]; e++) {
                        double want = f64.weights()[(bh * 6 + i) * 9 + indices[e]];
                        assertEquals(want, p.floats()[bh * 9 + e], 1e-6, backend + " P at head " + bh + " edge " + e);
                    }
                }
            }
        }
    }

    /** --window on both backends, with causality and the weights, against the reference. */
    @Test
    void aWindowMatchesTheReference() throws Exception {
        Shape s = new Shape(1, 2, 2, 11, 19, 8, 8);
        AttentionRequest r = writeInputs(Case.of("cli-window", s), new int[] {1, 2, 11, 8}, new int[] {1, 2, 19, 8},
                new int[] {1, 2, 19, 8});
        for (String backend : new String[] {"cpu", "auto"}) {
            Outcome o = clattn(args("--window", "3,-1", "--causal=top-left", "--backend", backend, "--weights",
                    dir.resolve("p.npy").toString()));
            assertEquals(0, o.code(), o.err());
            AttentionRequest expected = AttentionRequest.builder(s).q(r.q().array()).k(r.k().array())
                    .v(r.v().array()).causal(Causal.TOP_LEFT).window(3, -1).returnWeights(true).build();
            Naive.Result f64 = new Naive(expected, Precision.F64).attention();
            Naive.Result f32 = new Naive(expected, Precision.F32).attention();
            Tolerance.check(backend + " O", Npy.read("o", dir.resolve("o.npy")).floats(), f64.out(), f32.out());
            Tolerance.check(backend + " P", Npy.read("p", dir.resolve("p.npy")).floats(), f64.weights(),
                    f32.weights());
        }
    }

    @Test
    void rank3And2KeepTheirLeadingRankOnEveryBackend() throws Exception {
        for (String backend : new String[] {"cpu", "auto"}) {
            Shape s3 = new Shape(3, 1, 1, 5, 7, 4, 2);
            AttentionRequest r3 = writeInputs(Case.of("r3", s3), new int[] {3, 5, 4}, new int[] {3, 7, 4},
                    new int[] {3, 7, 2});
            Outcome o = clattn(args("--causal", "--backend", backend, "--lse", dir.resolve("lse.npy").toString()));
            assertEquals(0, o.code(), o.err());
            assertArrayEquals(new int[] {3, 5, 2}, Npy.read("o", dir.resolve("o.npy")).shape());
            assertArrayEquals(new int[] {3, 5}, Npy.read("lse", dir.resolve("lse.npy")).shape());
            AttentionRequest causal = AttentionRequest.builder(s3).q(r3.q().array()).k(r3.k().array())
                    .v(r3.v().array()).causal(Causal.TOP_LEFT).build();
            Tolerance.check("O", Npy.read("o", dir.resolve("o.npy")).floats(),
                    new Naive(causal, Precision.F64).attention().out(),
                    new Naive(causal, Precision.F32).attention().out());

            writeInputs(Case.of("r2", new Shape(1, 1, 1, 6, 4, 3, 5)), new int[] {6, 3}, new int[] {4, 3},
                    new int[] {4, 5});
            o = clattn(args("--backend", backend, "--weights", dir.resolve("p.npy").toString()));
            assertEquals(0, o.code(), o.err());
            assertArrayEquals(new int[] {6, 5}, Npy.read("o", dir.resolve("o.npy")).shape());
            assertArrayEquals(new int[] {6, 4}, Npy.read("p", dir.resolve("p.npy")).shape());
        }
    }

    /** --layout bnhd: inputs and output as [B,N,H,D], the answer that of the [B,H,N,D] problem transposed. */
    @Test
    void theTokenMajorLayoutReadsAndWritesBnhd() throws Exception {
        Shape s = new Shape(2, 4, 2, 5, 7, 8, 3);
        Case c = Case.of("bnhd", s);
        AttentionRequest r = c.request(false, false);
        floats("q.npy", new int[] {2, 5, 4, 8}, swap(r.q().array(), 2, 4, 5, 8));
        floats("k.npy", new int[] {2, 7, 2, 8}, swap(r.k().array(), 2, 2, 7, 8));
        floats("v.npy", new int[] {2, 7, 2, 3}, swap(r.v().array(), 2, 2, 7, 3));
        Outcome o = clattn(args("--layout", "bnhd", "--backend", "auto", "--lse", dir.resolve("lse.npy").toString()));
        assertEquals(0, o.code(), o.err());
        Npy.Array out = Npy.read("o", dir.resolve("o.npy"));
        assertArrayEquals(new int[] {2, 5, 4, 3}, out.shape());
        assertArrayEquals(new int[] {2, 4, 5}, Npy.read("lse", dir.resolve("lse.npy")).shape());
        double[] f64 = new Naive(r, Precision.F64).attention().out();
        double[] f32 = new Naive(r, Precision.F32).attention().out();
        Tolerance.check("O", swap(out.floats(), 2, 5, 4, 3), f64, f32);
        Files.delete(dir.resolve("o.npy"));
        assertBadInput("--layout: expected bhnd or bnhd, got 'nhd'", "--layout", "nhd");
    }

    /** [B][X][Y][W] into [B][Y][X][W]. */
    private static float[] swap(float[] a, int b, int x, int y, int w) {
        float[] out = new float[a.length];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < x; j++) {
                for (int k = 0; k < y; k++) {
                    System.arraycopy(a, ((i * x + j) * y + k) * w, out, ((i * y + k) * x + j) * w, w);
                }
            }
        }
        return out;
    }

    private void assertBadInput(String expectedError, String... extra) {
        Outcome o = clattn(args(extra));
        assertEquals(2, o.code(), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(o.err().contains(expectedError), o.err());
        try (Stream<Path> files = Files.list(dir)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().contains("o.npy")
                    || f.getFileName().toString().contains("p.npy")), "no output file after bad input");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void badInputIsOneLineExitTwoAndNoOutput() throws Exception {
        writeInputs(Case.of("bad", new Shape(1, 2, 2, 5, 6, 4, 4)), new int[] {1, 2, 5, 4}, new int[] {1, 2, 6, 4},
                new int[] {1, 2, 6, 4});
        assertBadInput("--causal", "--causal=diagonal");
        assertBadInput("--backend", "--backend", "gpu");
        assertBadInput("--path: expected auto, fused or three-kernel, got 'slow'", "--path", "slow");
        assertBadInput("--storage: expected f32, f16-kv or f16, got 'f8'", "--storage", "f8");
        assertBadInput("Unknown option: '--frobnicate'", "--frobnicate");
        assertBadInput("--mask", "--mask", raw("m.npy", "|b1", "5, 5", new byte[25]).toString());
        assertBadInput("--key-lengths", "--key-lengths", raw("l.npy", "<i4", "1, 1", new byte[4]).toString());
        assertBadInput("--key-lengths: expected 0..6 (Nk)", "--key-lengths",
                raw("l9.npy", "<i4", "1,", littleEndianInts(9)).toString());
        assertBadInput("--bias", "--bias", raw("a.npy", "<f8", "6,", new byte[48]).toString(), "--weights",
                dir.resolve("p.npy").toString());
        floats("k.npy", new int[] {1, 2, 6, 3}, new float[36]);
        assertBadInput("--q: expected head dim D=3 (as in --k), got 4");
        floats("k.npy", new int[] {2, 6, 4}, new float[48]);
        assertBadInput("--k " + dir.resolve("k.npy") + ": expected rank 4 like --q, got shape [2, 6, 4]");
        Files.delete(dir.resolve("k.npy"));
        assertBadInput("cannot read");
        Outcome missing = clattn("run", "--q", "x.npy");
        assertEquals(2, missing.code());
    }

    @Test
    void pathAndStorageOptions() throws Exception {
        Shape s = new Shape(1, 2, 2, 9, 30, 8, 8);
        AttentionRequest r = writeInputs(Case.of("paths", s), new int[] {1, 2, 9, 8}, new int[] {1, 2, 30, 8},
                new int[] {1, 2, 30, 8});
        Naive.Result f64 = new Naive(r, Precision.F64).attention();
        Naive.Result f32 = new Naive(r, Precision.F32).attention();
        for (String path : new String[] {"fused", "three-kernel"}) {
            Outcome o = clattn(args("--path", path));
            assertEquals(0, o.code(), o.err());
            Tolerance.check(path + " O", Npy.read("o", dir.resolve("o.npy")).floats(), f64.out(), f32.out());
        }
        Outcome f16 = clattn(args("--storage", "f16"));
        assertEquals(0, f16.code(), f16.err());
        AttentionRequest rounded = Case.of("paths", s).request(false, false, dev.clattn.Storage.F16, true);
        Tolerance.check("f16 O", Npy.read("o", dir.resolve("o.npy")).floats(),
                new Naive(rounded, Precision.F64).attention().out(), new Naive(rounded, Precision.F32).attention().out());
        if (dev.clattn.opencl.OpenCl.probe().available()) {
            Files.delete(dir.resolve("o.npy"));
            assertBadInput("--weights: expected path auto or three-kernel (the fused path computes no attention "
                    + "weights), got path fused", "--path", "fused", "--weights",
                    dir.resolve("p.npy").toString());
            assertBadInput("--storage: expected f32 on the three-kernel path (half storage needs the fused path), "
                    + "got f16-kv", "--path", "three-kernel", "--storage", "f16-kv");
        }
    }

    @Test
    void infoAndDemoRun() {
        Outcome info = clattn("info");
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("Chosen: "), info.out());
        Outcome demo = clattn("demo", "--batch", "1", "--heads", "2", "--seq", "97", "--dim", "40", "--repeat", "1",
                "--backend", "cpu");
        assertEquals(0, demo.code(), demo.err());
        assertTrue(demo.out().contains("GFLOP/s"), demo.out());
        assertEquals(2, clattn("demo", "--repeat", "0").code());
        Outcome seq = clattn("demo", "--seq", "0");
        assertEquals(2, seq.code(), seq.err());
        assertEquals("clattn: --seq: expected >= 1, got 0", seq.err().strip());
        Outcome huge = clattn("demo", "--seq", "1000000", "--heads", "16");
        assertEquals(2, huge.code(), huge.err());
        assertTrue(huge.err().strip().startsWith("clattn: q: expected at most "), huge.err());
        assertEquals(1, huge.err().strip().lines().count(), huge.err());
        assertEquals("clattn: --heads: expected >= 1, got -1", clattn("demo", "--heads", "-1").err().strip());
        assertEquals("clattn: --backend: expected auto, opencl or cpu, got 'gpu'",
                clattn("demo", "--seq", "8", "--backend", "gpu").err().strip());
        for (String backend : new String[] {"cpu", "auto"}) {
            Outcome decode = clattn("demo", "--decode", "--prompt", "40", "--steps", "12", "--heads", "2", "--dim",
                    "8", "--backend", backend);
            assertEquals(0, decode.code(), decode.err());
            assertTrue(decode.out().contains("kv cache:") && decode.out().contains("re-upload:"), decode.out());
            assertTrue(decode.out().contains("both loops generated the same 12 tokens"), decode.out());
        }
        assertEquals("clattn: --prompt, --steps, --heads and --dim: expected >= 1, got 0, 256, 8 and 64",
                clattn("demo", "--decode", "--prompt", "0").err().strip());
    }

    private static byte[] littleEndianLongs(long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return b.array();
    }

    private static byte[] littleEndianInts(int... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putInt(x);
        }
        return b.array();
    }

    /** Mapped big-endian files reach every backend in their own byte order, not byte for byte. */
    @Test
    void bigEndianInputsGiveTheSameResult() throws Exception {
        Shape s = new Shape(1, 2, 2, 7, 9, 8, 8);
        int[][] shapes = {{1, 2, 7, 8}, {1, 2, 9, 8}, {1, 2, 9, 8}};
        AttentionRequest r = writeInputs(Case.of("be", s), shapes[0], shapes[1], shapes[2]);
        float[][] data = {r.q().array(), r.k().array(), r.v().array()};
        for (String backend : new String[] {"cpu", "auto"}) {
            writeInputs(Case.of("be", s), shapes[0], shapes[1], shapes[2]);
            assertEquals(0, clattn(args("--backend", backend)).code());
            float[] little = Npy.read("o", dir.resolve("o.npy")).floats();
            String[] names = {"q.npy", "k.npy", "v.npy"};
            for (int i = 0; i < 3; i++) {
                ByteBuffer big = ByteBuffer.allocate(4 * data[i].length).order(ByteOrder.BIG_ENDIAN);
                big.asFloatBuffer().put(data[i]);
                raw(names[i], ">f4", Arrays.toString(shapes[i]).replaceAll("[\\[\\]]", ""), big.array());
            }
            Outcome o = clattn(args("--backend", backend));
            assertEquals(0, o.code(), o.err());
            assertArrayEquals(little, Npy.read("o", dir.resolve("o.npy")).floats(), backend);
        }
    }

    @Test
    void resultIsTheEngines() throws Exception {
        Shape s = new Shape(1, 2, 1, 7, 7, 5, 5);
        AttentionRequest r = writeInputs(Case.of("same", s), new int[] {1, 2, 7, 5}, new int[] {1, 1, 7, 5},
                new int[] {1, 1, 7, 5});
        assertEquals(0, clattn(args("--backend", "cpu")).code());
        try (CpuBackend cpu = new CpuBackend(2)) {
            // The CLI asked for no weights, and neither does this call: with them the fallback takes its other path.
            AttentionResult direct = cpu.attention(Case.of("same", s).request(false, false));
            assertArrayEquals(r.q().array(), Case.of("same", s).request(false, false).q().array());
            assertArrayEquals(direct.output(), Npy.read("o", dir.resolve("o.npy")).floats());
        }
    }
}
