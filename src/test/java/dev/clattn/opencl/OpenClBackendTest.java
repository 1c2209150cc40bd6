package dev.clattn.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.AttentionRequest;
import dev.clattn.Causal;
import dev.clattn.Config;
import dev.clattn.KernelBuildException;
import dev.clattn.Shape;
import dev.clattn.testing.Case;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenClBackendTest extends OpenClContract implements dev.clattn.KvCacheContract {
    @Override
    public dev.clattn.spi.Backend kvBackend() {
        return backend();
    }

    /** A pool larger than the device's largest buffer is refused by name when the cache is made, not later. */
    @Test
    void aKvCachePoolBeyondTheDeviceIsRefusedByName() {
        DeviceInfo info = OpenClDevices.require().info();
        int perBlock = 8 * 16 * 128 * 4;
        int blocks = (int) Math.min(Integer.MAX_VALUE, info.maxAllocBytes() / perBlock + 1);
        dev.clattn.RequestTooLargeException e = assertThrows(dev.clattn.RequestTooLargeException.class,
                () -> backend().kvStore(new dev.clattn.KvCache.Layout(8, 128, 128, 16, blocks)));
        assertEquals("blocks", e.argument(), e.getMessage());
    }

    /** Pools count against the device's memory together: a second cache that would overcommit it is refused. */
    @Test
    void kvCachePoolsTogetherCannotOvercommitTheDevice() {
        DeviceInfo info = OpenClDevices.require().info();
        long perBlock = 2L * 8 * 16 * 128 * 4;
        int blocks = (int) Math.min(info.maxAllocBytes() / (perBlock / 2), info.globalMemBytes() * 6 / 10 / perBlock);
        dev.clattn.KvCache.Layout layout = new dev.clattn.KvCache.Layout(8, 128, 128, 16, blocks);
        if (2 * blocks * perBlock <= info.globalMemBytes()) {
            return; // a device whose largest buffer is small beside its memory: two pools fit, nothing to refuse
        }
        try (dev.clattn.spi.KvStore first = backend().kvStore(layout)) {
            dev.clattn.RequestTooLargeException e = assertThrows(dev.clattn.RequestTooLargeException.class,
                    () -> backend().kvStore(layout));
            assertEquals("blocks", e.argument(), e.getMessage());
            assertTrue(e.getMessage().contains("other caches"), e.getMessage());
        }
        backend().kvStore(layout).close();
    }

    @Override
    protected Config config() {
        return Config.fromEnvironment();
    }

    @Test
    void scoresLargerThanTheBufferRunInChunks() {
        Config oneMiB = Config.builderFromEnvironment().scoreBufferMiB(1).build();
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
        backend().attention(c.request(true, true));
        long held = backend().deviceBytesHeld();
        for (int n = 0; n < 3; n++) {
            backend().attention(c.request(true, true));
        }
        assertEquals(held, backend().deviceBytesHeld());
        float[] before = backend().attention(c.request(true, true)).output();
        backend().releaseBuffers();
        assertEquals(0, backend().deviceBytesHeld());
        assertArrayEquals(before, backend().attention(c.request(true, true)).output(), "the same answer after release");
        long again = backend().deviceBytesHeld();
        assertTrue(again > 0 && again <= held, again + " bytes after release, " + held + " before");
    }

    @Test
    void bufferOverTheDeviceLimitIsRefusedClearly() {
        long maxFloats = backend().info().maxAllocBytes() / 4;
        int d = 256;
        int n = (int) Math.min(Integer.MAX_VALUE / d - 8, maxFloats / d + 1);
        Shape s = new Shape(1, 1, 1, 1, n, d, 1);
        if ((long) n * d * 4 <= backend().info().maxAllocBytes()) {
            return; // a device whose max allocation exceeds what a Java array holds: nothing to refuse
        }
        AttentionRequest r = AttentionRequest.builder(s).q(new float[d]).k(new float[n * d]).v(new float[n]).build();
        dev.clattn.RequestTooLargeException e = assertThrows(dev.clattn.RequestTooLargeException.class,
                () -> backend().attention(r));
        assertEquals("k", e.argument());
        assertEquals(4L * n * d, e.bytes());
        assertTrue(e.expected().startsWith("at most the device's largest buffer of "), e.getMessage());
    }

    @Test
    void buffersThatTogetherExceedTheDeviceMemoryAreRefusedBeforeAnyIsAllocated() {
        OpenCl.Device real = OpenClDevices.require();
        DeviceInfo i = real.info();
        DeviceInfo small = new DeviceInfo(i.platformIndex(), i.platformName(), i.platformVendor(), i.deviceIndex(),
                i.name(), i.vendor(), i.driverVersion(), i.type(), i.computeUnits(), i.clockMHz(), 64L << 20,
                i.localMemBytes(), 32L << 20, i.maxWorkGroupSize(), i.openclCVersion(), i.fp64(), i.fp16(),
                i.preferredFloatVector());
        try (OpenClBackend tiny = new OpenClBackend(new OpenCl.Device(small, real.platform(), real.id()),
                Config.builderFromEnvironment().build())) {
            int n = 4 << 20; // Q, K, V and O of 16 MiB each: each fits one buffer, all of them do not fit 64 MiB
            Shape s = new Shape(1, 1, 1, 256, 256, n / 256, n / 256);
            AttentionRequest r = AttentionRequest.builder(s).q(new float[n]).k(new float[n]).v(new float[n]).build();
            dev.clattn.RequestTooLargeException e = assertThrows(dev.clattn.RequestTooLargeException.class,
                    () -> tiny.attention(r));
            assertTrue(e.expected().contains("64.0 MiB of device memory"), e.getMessage());
            assertEquals(0, tiny.deviceBytesHeld(), "nothing allocated for the refused call");
            Shape ok = new Shape(1, 2, 1, 3, 5, 8, 8);
            AttentionRequest fits = AttentionRequest.builder(ok).q(new float[48]).k(new float[40]).v(new float[40])
                    .build();
            assertEquals(48, tiny.attention(fits).output().length);
        }
    }

    @Test
    void kernelsLoadFromADirectoryAndBuildErrorsCarryTheLog(@TempDir Path dir) throws Exception {
        String good;
        try (var in = getClass().getResourceAsStream("/kernels/av.cl")) {
            good = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Files.writeString(dir.resolve("av.cl"), good.replace("acc[wq][wv] = 0.0f;", "acc[wq][wv] = undeclared;"));
        Config config = Config.builderFromEnvironment().kernelDir(dir).build();
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
        try (OpenClBackend plain = new OpenClBackend(device, Config.builderFromEnvironment().profileDir(dir.resolve("none")).build());
                OpenClBackend tuned = new OpenClBackend(device, Config.builderFromEnvironment().profileDir(dir).build());
                OpenClBackend forced = new OpenClBackend(device, Config.builderFromEnvironment().profileDir(dir)
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
    void programCacheBoundsTheProgramsHeldAndResultsStayRight() throws Exception {
        Config two = Config.builderFromEnvironment().programCache(2).keySplits(3).build();
        try (OpenClBackend small = new OpenClBackend(OpenClDevices.require(), two)) {
            java.lang.reflect.Field field = OpenClBackend.class.getDeclaredField("context");
            field.setAccessible(true);
            ClContext context = (ClContext) field.get(small);
            // Each head dimension is a program per kernel; the fused call also runs attention_merge (3 key splits)
            // and the weighted call the three-kernel path, so every call evicts what the last one built.
            for (int d : new int[] {8, 24, 40, 8, 64, 24}) {
                checkAttention(small, Case.of("programs-d" + d, new Shape(1, 2, 1, 17, 70, d, d + 8))
                        .causal(Causal.BOTTOM_RIGHT));
                assertTrue(context.programsHeld() <= 2, context.programsHeld() + " programs held after D=" + d);
            }
            assertEquals(2, context.programsHeld());
        }
    }

    @Test
    void closeIsIdempotent() {
        OpenClBackend b = new OpenClBackend(OpenClDevices.require(), Config.fromEnvironment());
        b.close();
        b.close();
    }
}
