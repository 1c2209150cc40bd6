package dev.clattn.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.AttentionRequest;
import dev.clattn.Causal;
import dev.clattn.Config;
import dev.clattn.Shape;
import dev.clattn.opencl.KernelSource;
import dev.clattn.opencl.OpenCl;
import dev.clattn.opencl.OpenClDevices;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tuner on a real device: every candidate validated, wrong and invalid ones rejected, results resumable. */
class TunerTest {
    private static final AttentionRequest PROBLEM = Float64Check.selfAttention(new Shape(1, 2, 2, 40, 40, 16, 16),
            Causal.TOP_LEFT, new Random(4));

    /** The vectorised kernel, edited so that ROWS=3 gives a wrong answer: the tuner must refuse it. */
    private static Path brokenKernels(Path dir) throws Exception {
        String text = dev.clattn.testing.TuningKernels.rowsOnly();
        String broken = text.replace("const float l = row_sum[r];", "const float l = row_sum[r] * (ROWS == 3 ? 2 : 1);");
        assertFalse(broken.equals(text));
        Files.writeString(dir.resolve("attention_fused_vec.cl"), broken);
        return dir;
    }

    @Test
    void exhaustiveSearchRejectsWrongCandidatesAndResumes(@TempDir Path dir) throws Exception {
        OpenCl.Device device = OpenClDevices.require();
        Config config = Config.builderFromEnvironment().kernelDir(brokenKernels(dir)).build();
        KernelSource source = KernelSource.load("attention_fused_vec", config.kernelDir());
        Path cacheFile = dir.resolve("cache.jsonl");
        Tuner tuner = new Tuner(device, config, source, PROBLEM, 2, TuneCache.open(cacheFile));
        Tuner.Result result = tuner.run("exhaustive", 100, 300, 1, (c, best) -> { });
        assertEquals(6, result.tried().size());
        Tuner.Candidate three = result.tried().stream().filter(c -> c.params().get("ROWS") == 3).findFirst()
                .orElseThrow();
        assertFalse(three.ok());
        assertTrue(three.reason().startsWith("wrong: max error"), three.reason());
        assertNotNull(result.best());
        assertTrue(result.best().ok());
        assertTrue(result.best().params().get("ROWS") != 3);
        double fastest = result.tried().stream().filter(Tuner.Candidate::ok).mapToDouble(Tuner.Candidate::rate)
                .max().orElseThrow();
        assertEquals(fastest, result.best().rate());

        List<String> lines = Files.readAllLines(cacheFile);
        assertEquals(6, lines.size());
        Files.writeString(cacheFile, lines.get(0) + "\n" + lines.get(1) + "\n{\"params\":{\"RO");
        TuneCache resumed = TuneCache.open(cacheFile);
        assertEquals(2, resumed.size(), "a line cut by an interruption is dropped");
        new Tuner(device, config, source, PROBLEM, 2, resumed).run("exhaustive", 100, 300, 1, (c, best) -> { });
        assertEquals(6, resumed.size());
        assertEquals(6, Files.readAllLines(cacheFile).size(), "the cut line dropped, only the missing four measured");
    }

    /**
     * A stage of the three-kernel path, tuned on that path and timed alone: qkt narrowed to WPT_K and edited so
     * that WPT_K=2 scales the scores wrongly, which the float64 check of the whole call must catch.
     */
    @Test
    void aThreeKernelStageIsTunedOnItsPathAndWrongCandidatesAreRejected(@TempDir Path dir) throws Exception {
        String text = dev.clattn.testing.TuningKernels.only("qkt", "WPT_K");
        String broken = text.replace("SCORE_OF(acc[wq][wk], scale)",
                "SCORE_OF(acc[wq][wk], scale) * (WPT_K == 2 ? 1.5f : 1.0f)");
        assertFalse(broken.equals(text));
        Files.writeString(dir.resolve("qkt.cl"), broken);
        OpenCl.Device device = OpenClDevices.require();
        Config config = Config.builderFromEnvironment().kernelDir(dir).build();
        KernelSource source = KernelSource.load("qkt", dir);
        Tuner tuner = new Tuner(device, config, source, PROBLEM, 2, TuneCache.open(null));
        assertEquals("GFLOP/s", tuner.unit());
        Tuner.Result result = tuner.run("exhaustive", 100, 300, 1, (c, best) -> { });
        assertEquals(source.space().get("WPT_K").size(), result.tried().size(), result.tried().toString());
        for (Tuner.Candidate c : result.tried()) {
            boolean wrong = c.params().get("WPT_K") == 2;
            assertEquals(!wrong, c.ok(), c.toString());
            assertTrue(!wrong || c.reason().startsWith("wrong: max error"), c.reason());
        }
        assertTrue(result.best().params().get("WPT_K") != 2);
        assertTrue(result.best().medianMs() > 0 && Double.isFinite(result.best().rate()), result.best().toString());
    }

    /** A tune: list the tuner cannot use would promise a search that never runs. */
    @Test
    void everyKernelFileWithATuneListIsOneTheTunerTakes() throws Exception {
        try (var files = Files.list(Path.of("kernels"))) {
            List<String> listed = files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".cl"))
                    .map(f -> f.substring(0, f.length() - 3)).filter(k -> !k.equals("common"))
                    .filter(k -> !KernelSource.load(k, null).space().isEmpty()).sorted().toList();
            assertEquals(Tuner.KERNELS.stream().sorted().toList(), listed);
        }
    }

    /**
     * attention_paged, tuned on decode steps from a KV cache (blocks of 15 on a CPU device, so that the GPU
     * kernel runs there), every candidate checked against float64: WG_SIZE 32 edited to scale the scores wrongly.
     */
    @Test
    void thePagedKernelIsTunedOnDecodeStepsAndWrongCandidatesAreRejected(@TempDir Path dir) throws Exception {
        String text = new String(Tuner.class.getResourceAsStream("/kernels/attention_paged.cl").readAllBytes(),
                StandardCharsets.UTF_8);
        String broken = text.replace("visible ? s[r] * scale : -INFINITY", "visible ? s[r] * scale * (WG_SIZE == 32 "
                + "? 1.5f : 1.0f) : -INFINITY");
        assertFalse(broken.equals(text));
        Files.writeString(dir.resolve("attention_paged.cl"), broken);
        OpenCl.Device device = OpenClDevices.require();
        Config config = Config.builder().kernelDir(dir).build();
        AttentionRequest decode = Float64Check.selfAttention(new Shape(2, 4, 2, 1, 300, 16, 16), Causal.NONE,
                new Random(5));
        Tuner tuner = new Tuner(device, config, KernelSource.load("attention_paged", dir), decode, 2,
                TuneCache.open(null));
        assertEquals("GB/s", tuner.unit());
        Tuner.Result result = tuner.run("exhaustive", 100, 300, 1, (c, best) -> { });
        assertEquals(4, result.tried().size(), result.tried().toString());
        for (Tuner.Candidate c : result.tried()) {
            boolean wrong = c.params().get("WG_SIZE") == 32;
            assertEquals(!wrong, c.ok(), c.toString());
            assertTrue(!wrong || c.reason().startsWith("wrong: max error"), c.reason());
            assertTrue(wrong || c.rate() > 0, c.toString());
        }
    }

    @Test
    void aKernelOutsideTheTunedOnesIsRefusedByName() {
        Config config = Config.builderFromEnvironment().build();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Tuner(OpenClDevices.require(), config, KernelSource.load("pack_kt", null), PROBLEM, 1,
                        TuneCache.open(null)));
        assertTrue(e.getMessage().startsWith("kernel: expected one of attention_flash, ") && e.getMessage()
                .endsWith("got 'pack_kt'"), e.getMessage());
    }

    @Test
    void constraintViolationsAreRejectedBeforeAnyBuild() {
        OpenCl.Device device = OpenClDevices.require();
        Config config = Config.builderFromEnvironment().build();
        Tuner tuner = new Tuner(device, config, KernelSource.load("attention_fused", null), PROBLEM, 1,
                TuneCache.open(null));
        Tuner.Candidate bad = tuner.evaluate(Map.of("TILE_Q", 8, "WPT_Q", 2, "TILE_K", 16, "THREADS_X", 32,
                "TILE_D", 8, "TILE_J", 8));
        assertFalse(bad.ok());
        assertTrue(bad.reason().contains("TILE_K must be a multiple of THREADS_X"), bad.reason());
        Tuner.Result annealed = tuner.run("anneal", 6, 300, 7, (c, best) -> { });
        assertEquals(6, annealed.tried().size());
        assertTrue(annealed.defaults().ok(), annealed.defaults().reason());
    }
}
