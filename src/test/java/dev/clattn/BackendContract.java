package dev.clattn;

import dev.clattn.spi.Backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.testing.Case;
import dev.clattn.testing.Data;
import dev.clattn.testing.Naive;
import dev.clattn.testing.Naive.Precision;
import dev.clattn.testing.TestCases;
import dev.clattn.testing.Tolerance;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What every backend must do, checked against the float64 reference with the one tolerance rule. */
public abstract class BackendContract {

    /** The backend under test; subclasses own and close it. */
    protected abstract Backend backend();

    public static Stream<Case> pipelineCases() {
        return TestCases.pipeline().stream();
    }

    public static Stream<Case> stageCases() {
        return TestCases.stages().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pipelineCases")
    void attentionMatchesReference(Case c) {
        checkAttention(backend(), c);
    }

    /**
     * Q, K, V and O as [B, N, H, D] give the [B, H, N, D] answer transposed, bit for bit, with the weights and
     * LSE as before: on every path (the fused one, the three-kernel one for the weights) and in fp16 storage.
     */
    @Test
    void theTokenMajorLayoutGivesTheSameAnswerTransposed() {
        int checked = 0;
        for (Case c : TestCases.pipeline()) {
            AttentionRequest r = c.request(true, true);
            if (r.mask() != null || r.bias() != null || checked == 6) {
                continue;
            }
            checked++;
            Shape s = r.shape();
            for (boolean weights : new boolean[] {true, false}) {
                AttentionRequest bhnd = AttentionRequest.builder(s).q(r.q().array()).k(r.k().array())
                        .v(r.v().array()).causal(r.causal()).keyLengths(r.keyLengths()).scale(r.scale())
                        .returnWeights(weights).returnLse(true).storage(weights ? Storage.F32 : Storage.F16_KV)
                        .build();
                AttentionRequest bnhd = AttentionRequest.builder(s)
                        .q(swap(r.q().array(), s.batch(), s.queryHeads(), s.queryLen(), s.headDim()))
                        .k(swap(r.k().array(), s.batch(), s.kvHeads(), s.keyLen(), s.headDim()))
                        .v(swap(r.v().array(), s.batch(), s.kvHeads(), s.keyLen(), s.valueDim()))
                        .layout(Layout.BNHD).causal(r.causal()).keyLengths(r.keyLengths()).scale(r.scale())
                        .returnWeights(weights).returnLse(true).storage(weights ? Storage.F32 : Storage.F16_KV)
                        .build();
                AttentionResult a = backend().attention(bhnd);
                AttentionResult b = backend().attention(bnhd);
                assertArrayEquals(swap(a.output(), s.batch(), s.queryHeads(), s.queryLen(), s.valueDim()), b.output(),
                        c + " O, weights " + weights);
                assertArrayEquals(a.lse(), b.lse(), c + " LSE");
                if (weights) {
                    assertArrayEquals(a.weights(), b.weights(), c + " P");
                }
            }
        }
        assertEquals(6, checked, "cases without mask or bias");
    }

    /** [B][X][Y][W] into [B][Y][X][W], written here apart from the library's transposes. */
    private static float[] swap(float[] a, int b, int x, int y, int w) {
        float[] out = new float[a.length];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < x; j++) {
                for (int k = 0; k < y; k++) {
                    for (int e = 0; e < w; e++) {
                        out[((i * y + k) * x + j) * w + e] = a[((i * x + j) * y + k) * w + e];
                    }
                }
            }
        }
        return out;
    }

    /** Q, K and V held by the backend give the answer of the same host data, bit for bit, call after call. */
    @Test
    void residentTensorsGiveTheAnswerOfTheirHostData() {
        for (Case c : TestCases.pipeline().subList(0, 8)) {
            AttentionResult expected = backend().attention(c.request(false, true));
            List<DeviceTensor> held = new java.util.ArrayList<>();
            try {
                AttentionRequest r = c.requestResident(true, data -> {
                    DeviceTensor t = new DeviceTensor(List.of(backend()), List.of(backend().uploadResident(
                            FloatData.of(data.clone()))), data.length);
                    held.add(t);
                    return t;
                });
                for (int call = 0; call < 2; call++) {
                    AttentionResult got = backend().attention(r);
                    assertArrayEquals(expected.output(), got.output(), c + " O, call " + call);
                    assertArrayEquals(expected.lse(), got.lse(), c + " LSE, call " + call);
                }
                held.get(1).close();
                IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                        () -> backend().attention(r));
                assertEquals("k: the device tensor was closed", e.getMessage());
            } finally {
                held.forEach(DeviceTensor::close);
            }
        }
    }

    /**
     * O written into the caller's array or buffer (heap, a slice at a position, direct in the platform's order
     * and in the other) is the answer the backend returns on its own, and nothing past it is touched.
     */
    @Test
    void attentionIntoTheCallersMemoryIsTheSameAnswer() {
        for (Case c : TestCases.pipeline().subList(0, 6)) {
            AttentionRequest r = c.request(false, false);
            float[] expected = backend().attention(r).output();
            int n = expected.length;
            float[] array = new float[n];
            backend().attentionInto(r, FloatData.of(array));
            assertArrayEquals(expected, array, c + " array");
            java.nio.FloatBuffer heap = java.nio.FloatBuffer.allocate(n + 5);
            heap.position(3);
            heap.limit(3 + n);
            backend().attentionInto(r, FloatData.of(heap));
            for (java.nio.ByteOrder order : new java.nio.ByteOrder[] {java.nio.ByteOrder.nativeOrder(),
                    java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN ? java.nio.ByteOrder.LITTLE_ENDIAN
                            : java.nio.ByteOrder.BIG_ENDIAN}) {
                java.nio.FloatBuffer direct = java.nio.ByteBuffer.allocateDirect(4 * (n + 2)).order(order)
                        .asFloatBuffer();
                direct.put(0, 7f).put(n + 1, 7f).position(1).limit(1 + n);
                backend().attentionInto(r, FloatData.of(direct));
                float[] got = new float[n];
                direct.duplicate().get(got);
                assertArrayEquals(expected, got, c + " direct " + order);
                assertEquals(7f, direct.duplicate().clear().get(0), "before the position");
                assertEquals(7f, direct.duplicate().clear().get(n + 1), "past the limit");
            }
            float[] got = new float[n];
            heap.duplicate().get(got);
            assertArrayEquals(expected, got, c + " heap buffer at position 3");
            assertEquals(0f, heap.array()[2], "before the position");
            assertEquals(0f, heap.array()[n + 3], "past the limit");
        }
    }

    /**
     * O, P and LSE of one case against the float64 reference, asked for with the weights and without them
     * (on OpenCL: the three-kernel and the fused path); rows without a visible key exactly zero.
     */
    protected static void checkAttention(Backend backend, Case c) {
        AttentionRequest r = c.request(true, true);
        Naive.Result f64 = new Naive(r, Precision.F64).attention();
        Naive.Result f32 = new Naive(r, Precision.F32).attention();
        AttentionResult got = backend.attention(r);
        Tolerance.check(c + " O", got.output(), f64.out(), f32.out());
        Tolerance.check(c + " P", got.weights(), f64.weights(), f32.weights());
        Tolerance.check(c + " LSE", got.lse(), f64.lse(), f32.lse());
        assertEmptyRowsExactlyZero(c, r, got);
        AttentionResult lean = backend.attention(c.request(false, true));
        Tolerance.check(c + " O (no weights)", lean.output(), f64.out(), f32.out());
        Tolerance.check(c + " LSE (no weights)", lean.lse(), f64.lse(), f32.lse());
        assertEmptyRowsExactlyZero(c, r, lean);
    }

    public static Stream<Arguments> storageCases() {
        return Stream.of(Storage.F16_KV, Storage.F16).flatMap(storage -> Stream.of(0, 3, 8, 12, 14, 21, 22)
                .map(i -> Arguments.of(storage, TestCases.pipeline().get(i))));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("storageCases")
    void halfStorageAnswersForTheRoundedInputs(Storage storage, Case c) {
        AttentionResult got = backend().attention(c.request(false, true, storage, false));
        AttentionRequest rounded = c.request(false, true, storage, true);
        Naive.Result f64 = new Naive(rounded, Precision.F64).attention();
        Naive.Result f32 = new Naive(rounded, Precision.F32).attention();
        Tolerance.check(storage + " " + c + " O", got.output(), f64.out(), f32.out());
        Tolerance.check(storage + " " + c + " LSE", got.lse(), f64.lse(), f32.lse());
    }

    @Test
    void repeatedRunsAreBitForBitIdentical() {
        for (Case c : List.of(TestCases.pipeline().get(5), TestCases.pipeline().get(21))) {
            for (boolean weights : new boolean[] {false, true}) {
                AttentionResult a = backend().attention(c.request(weights, true));
                AttentionResult b = backend().attention(c.request(weights, true));
                assertArrayEquals(a.output(), b.output(), c + " O");
                assertArrayEquals(a.lse(), b.lse(), c + " LSE");
            }
        }
    }

    @Test
    void decodeShapesMatchTheReference() {
        checkAttention(backend(), Case.of("decode-1x4099", new Shape(2, 4, 2, 1, 4099, 64, 64)).keyLengths(4099, 1234)
                .plantNaN());
        checkAttention(backend(), Case.of("decode-3x2500-causal", new Shape(1, 2, 1, 3, 2500, 40, 24))
                .causal(Causal.BOTTOM_RIGHT));
    }

    private static void assertEmptyRowsExactlyZero(Case c, AttentionRequest r, AttentionResult got) {
        Shape s = r.shape();
        for (int row = 0; row < s.lseElements(); row++) {
            if (got.lse()[row] == Float.NEGATIVE_INFINITY) {
                for (int x = 0; x < s.valueDim(); x++) {
                    assertEquals(0f, got.output()[row * s.valueDim() + x], c + ": empty row " + row);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stageCases")
    void qktMatchesReference(Case c) {
        AttentionRequest r = c.request(false, false);
        Tolerance.check(c + " S", backend().qkt(r), new Naive(r, Precision.F64).qkt(),
                new Naive(r, Precision.F32).qkt());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stageCases")
    void softmaxRowsMatchesReference(Case c) {
        AttentionRequest r = c.request(false, false);
        float[] scores = Data.gaussian(new Random(c.seed()), r.shape().scoreElements(), 4);
        scores[scores.length / 3] = Float.NEGATIVE_INFINITY;
        float[] lse = new float[(int) r.shape().lseElements()];
        double[] lse64 = new double[lse.length];
        double[] lse32 = new double[lse.length];
        float[] p = backend().softmaxRows(r, scores, lse);
        Tolerance.check(c + " P", p, new Naive(r, Precision.F64).softmaxRows(scores, lse64),
                new Naive(r, Precision.F32).softmaxRows(scores, lse32));
        Tolerance.check(c + " LSE", lse, lse64, lse32);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stageCases")
    void avMatchesReference(Case c) {
        AttentionRequest r = c.request(false, false);
        float[] weights = Data.weights(c.seed(), r.shape().scoreElements());
        Tolerance.check(c + " O", backend().av(r, weights), new Naive(r, Precision.F64).av(weights),
                new Naive(r, Precision.F32).av(weights));
    }

    @Test
    void optionalOutputsOnlyWhenAsked() {
        Case c = TestCases.pipeline().get(3);
        AttentionResult plain = backend().attention(c.request(false, false));
        AttentionResult withLse = backend().attention(c.request(false, true));
        assertNull(plain.weights());
        assertNull(plain.lse());
        assertNull(withLse.weights());
        assertArrayEquals(withLse.output(), plain.output());
        AttentionResult full = backend().attention(c.request(true, false));
        assertNull(full.lse());
        assertEquals(c.shape().scoreElements(), full.weights().length);
    }

    @Test
    void nanInLiveInputPropagates() {
        Shape s = new Shape(1, 1, 1, 4, 6, 8, 8);
        AttentionRequest r = Case.of("nan-live", s).causal(Causal.TOP_LEFT).request(false, true);
        r.k().array()[2 * 8 + 1] = Float.NaN; // key 2: seen by rows 2 and 3 only
        AttentionResult got = backend().attention(r);
        for (int i = 0; i < 4; i++) {
            boolean expectNaN = i >= 2;
            assertEquals(expectNaN, Float.isNaN(got.output()[i * 8]), "row " + i);
            assertEquals(expectNaN, Float.isNaN(got.lse()[i]), "lse row " + i);
        }
    }

    @Test
    void finiteLargeNegativeBiasIsNotAMask() {
        Shape s = new Shape(1, 1, 1, 3, 5, 4, 4);
        float[] bias = new float[3 * 5];
        Arrays.fill(bias, -1e4f);
        Arrays.fill(bias, 0, 5, Float.NEGATIVE_INFINITY); // row 0: hidden by -inf, row 1-2: finite large bias
        Random rnd = new Random(7);
        AttentionRequest r = AttentionRequest.builder(s).q(Data.gaussian(rnd, 12, 1)).k(Data.gaussian(rnd, 20, 1))
                .v(Data.gaussian(rnd, 20, 1)).bias(bias, 3, 5).returnLse(true).returnWeights(true).build();
        AttentionResult got = backend().attention(r);
        Naive.Result f64 = new Naive(r, Precision.F64).attention();
        Tolerance.check("O", got.output(), f64.out(), new Naive(r, Precision.F32).attention().out());
        assertEquals(Float.NEGATIVE_INFINITY, got.lse()[0]);
        for (int x = 0; x < 4; x++) {
            assertEquals(0f, got.output()[x]);
        }
        double rowSum = 0;
        for (int j = 0; j < 5; j++) {
            rowSum += got.weights()[5 + j];
        }
        assertEquals(1.0, rowSum, 1e-5);
    }

    @Test
    void directFloatBufferInputs() {
        Case c = TestCases.pipeline().get(7);
        AttentionRequest arrays = c.request(false, false);
        AttentionRequest buffers = AttentionRequest.builder(c.shape()).q(direct(arrays.q().array(), 3))
                .k(direct(arrays.k().array(), 0)).v(direct(arrays.v().array(), 5)).build();
        assertArrayEquals(backend().attention(arrays).output(), backend().attention(buffers).output());
    }

    /**
     * Every kind of FloatBuffer a caller may hold gives the array's answer: the driver copies bytes, so a
     * buffer whose byte order is not the platform's (Java's default for allocateDirect and FileChannel.map)
     * must be converted, never uploaded as it is.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.clattn.testing.FloatBuffers#kinds")
    void everyFloatBufferKindGivesTheArrayAnswer(dev.clattn.testing.FloatBuffers.Kind kind) throws Exception {
        Case c = TestCases.pipeline().get(7);
        AttentionRequest arrays = c.request(false, true);
        try (dev.clattn.testing.FloatBuffers held = new dev.clattn.testing.FloatBuffers()) {
            AttentionRequest buffers = AttentionRequest.builder(c.shape())
                    .q(held.of(kind, arrays.q().array())).k(held.of(kind, arrays.k().array()))
                    .v(held.of(kind, arrays.v().array())).causal(arrays.causal()).returnLse(true).build();
            AttentionResult got = backend().attention(buffers);
            Naive.Result f64 = new Naive(arrays, Precision.F64).attention();
            Tolerance.check(kind + " O", got.output(), f64.out(), new Naive(arrays, Precision.F32).attention().out());
            assertArrayEquals(backend().attention(arrays).output(), got.output(), kind + " O, bit for bit");
            assertArrayEquals(backend().attention(arrays).lse(), got.lse(), kind + " LSE, bit for bit");
        }
    }

    /** A direct buffer holding {@code data} from position {@code pad}. */
    static FloatBuffer direct(float[] data, int pad) {
        FloatBuffer b = ByteBuffer.allocateDirect(4 * (data.length + pad)).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        b.position(pad);
        b.put(data);
        b.position(pad);
        assertTrue(b.isDirect());
        return b;
    }
}
