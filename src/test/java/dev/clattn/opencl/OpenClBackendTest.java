package dev.clattn.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.AttentionRequest;
import dev.clattn.Backend;
import dev.clattn.BackendContract;
import dev.clattn.Causal;
import dev.clattn.Config;
import dev.clattn.KernelBuildException;
import dev.clattn.Shape;
import dev.clattn.testing.Case;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenClBackendTest extends BackendContract {
    private static OpenClBackend backend;

    @BeforeAll
    static void open() {
        backend = new OpenClBackend(OpenClDevices.require(), Config.fromEnvironment());
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
        }
    }

    @Override
    protected Backend backend() {
        return backend;
    }

    @Test
    void scoresLargerThanTheBufferRunInChunks() {
        Config oneMiB = Config.builder().scoreBufferMiB(1).build();
        try (OpenClBackend small = new OpenClBackend(OpenClDevices.require(), oneMiB)) {
            // Several whole heads per chunk: 300 x 300 floats = 352 KiB per head.
            checkAttention(small, Case.of("chunk-heads", new Shape(3, 2, 1, 300, 300, 16, 8))
                    .causal(Causal.TOP_LEFT).plantNaN());
            // Part of a head per chunk: 600 x 1025 floats = 2.3 MiB per head.
            checkAttention(small, Case.of("chunk-rows", new Shape(1, 2, 2, 600, 1025, 8, 8))
                    .causal(Causal.BOTTOM_RIGHT).keyLengths(1000));
        }
    }

    @Test
    void deviceBuffersAreReusedAcrossCalls() {
        Case c = Case.of("reuse", new Shape(2, 2, 2, 64, 64, 32, 32)).causal(Causal.TOP_LEFT);
        backend.attention(c.request(true, true));
        long held = backend.deviceBytesHeld();
        for (int n = 0; n < 3; n++) {
            backend.attention(c.request(true, true));
        }
        assertEquals(held, backend.deviceBytesHeld());
        float[] before = backend.attention(c.request(true, true)).output();
        backend.releaseBuffers();
        assertEquals(0, backend.deviceBytesHeld());
        assertArrayEquals(before, backend.attention(c.request(true, true)).output(), "the same answer after release");
        long again = backend.deviceBytesHeld();
        assertTrue(again > 0 && again <= held, again + " bytes after release, " + held + " before");
    }

    @Test
    void bufferOverTheDeviceLimitIsRefusedClearly() {
        long maxFloats = backend.info().maxAllocBytes() / 4;
        int d = 256;
        int n = (int) Math.min(Integer.MAX_VALUE / d - 8, maxFloats / d + 1);
        Shape s = new Shape(1, 1, 1, 1, n, d, 1);
        if ((long) n * d * 4 <= backend.info().maxAllocBytes()) {
            return; // a device whose max allocation exceeds what a Java array holds: nothing to refuse
        }
        AttentionRequest r = AttentionRequest.builder(s).q(new float[d]).k(new float[n * d]).v(new float[n]).build();
        dev.clattn.RequestTooLargeException e = assertThrows(dev.clattn.RequestTooLargeException.class,
                () -> backend.attention(r));
        assertEquals("k", e.argument());
        assertEquals(4L * n * d, e.bytes());
        assertTrue(e.expected().startsWith("at most the device's largest buffer of "), e.getMessage());
    }

    @Test
    void kernelsLoadFromADirectoryAndBuildErrorsCarryTheLog(@TempDir Path dir) throws Exception {
        String good;
        try (var in = getClass().getResourceAsStream("/kernels/av.cl")) {
            good = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Files.writeString(dir.resolve("av.cl"), good.replace("acc[wq][wv] = 0.0f;", "acc[wq][wv] = undeclared;"));
        Config config = Config.builder().kernelDir(dir).build();
        KernelBuildException e = assertThrows(KernelBuildException.class,
                () -> new OpenClBackend(OpenClDevices.require(), config));
        assertTrue(e.kernel().contains(dir.resolve("av.cl").toString()), e.kernel());
        assertTrue(e.buildLog().contains("undeclared"), e.buildLog());
        assertTrue(e.options().contains("-DTILE_Q=") || e.options().contains("-cl-std"), e.options());
    }

    @Test
    void profilesThenExplicitParametersChooseTheFusedKernelsTiles(@TempDir Path dir) throws Exception {
        OpenCl.Device device = OpenClDevices.require();
        DeviceInfo info = device.info();
        String name = info.isCpu() ? "attention_fused_vec" : "attention_fused";
        String param = info.isCpu() ? "ROWS" : "WPT_Q";
        KernelSource source = KernelSource.load(name, null);
        Shape s = new Shape(1, 2, 2, 300, 300, 64, 64);
        dev.clattn.tune.Profiles.save(dir, new dev.clattn.tune.Profile(info.vendor(), info.name(),
                info.driverVersion(), name, source.hash(), 64, 256, 512, java.util.Map.of(param, 2), 1, "2026-11-21"));
        try (OpenClBackend plain = new OpenClBackend(device, Config.builder().profileDir(dir.resolve("none")).build());
                OpenClBackend tuned = new OpenClBackend(device, Config.builder().profileDir(dir).build());
                OpenClBackend forced = new OpenClBackend(device, Config.builder().profileDir(dir)
                        .params(java.util.Map.of(name, java.util.Map.of(param, 1))).build())) {
            assertTrue(!plain.fusedKernel(s).contains(param + "=2"), plain.fusedKernel(s));
            assertTrue(tuned.fusedKernel(s).contains(param + "=2"), tuned.fusedKernel(s));
            assertTrue(!tuned.fusedKernel(new Shape(1, 2, 2, 300, 300, 40, 40)).contains(param + "=2"),
                    "another head dimension keeps the defaults");
            assertTrue(forced.fusedKernel(s).contains(param + "=1"), forced.fusedKernel(s));
            checkAttention(tuned, Case.of("tuned", s).causal(Causal.TOP_LEFT));
        }
    }

    @Test
    void closeIsIdempotent() {
        OpenClBackend b = new OpenClBackend(OpenClDevices.require(), Config.fromEnvironment());
        b.close();
        b.close();
    }
}
