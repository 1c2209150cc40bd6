package dev.clattn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {
    @Test
    void defaults() {
        Config c = Config.builder(Map.of(), k -> null).build();
        assertEquals(BackendKind.AUTO, c.backend());
        assertNull(c.device());
        assertNull(c.kernelDir());
        assertEquals(256L << 20, c.scoreBufferBytes());
        assertFalse(c.requireOpenCl());
        assertFalse(c.profiling());
        assertTrue(c.useProfiles());
    }

    @Test
    void profilingAndNoProfiles() {
        Config c = Config.builder(Map.of("CLATTN_PROFILING", "true", "CLATTN_PROFILES", "none"), k -> null).build();
        assertTrue(c.profiling());
        assertFalse(c.useProfiles());
        assertTrue(c.toString().contains("profiles=none profiling=on"), c.toString());
        Config d = Config.builder(Map.of("CLATTN_PROFILES", "/p"), k -> "clattn.profiling".equals(k) ? "0" : null)
                .build();
        assertFalse(d.profiling());
        assertEquals(Path.of("/p"), d.profileDir());
    }

    @Test
    void environmentThenPropertiesThenBuilder() {
        Map<String, String> env = Map.of("CLATTN_BACKEND", "cpu", "CLATTN_DEVICE", "Tesla", "CLATTN_KERNELS", "/k",
                "CLATTN_REQUIRE_OPENCL", "1", "CLATTN_SCORE_BUFFER_MIB", "8");
        Map<String, String> props = Map.of("clattn.device", "H100");
        Config c = Config.builder(env, props::get).build();
        assertEquals(BackendKind.CPU, c.backend());
        assertEquals("H100", c.device());
        assertEquals(Path.of("/k"), c.kernelDir());
        assertEquals(8L << 20, c.scoreBufferBytes());
        assertTrue(c.requireOpenCl());
        assertEquals("1", Config.builder(env, props::get).device("1").build().device());
    }

    @Test
    void paramsOverrideString() {
        Config c = Config.builder(Map.of("CLATTN_PARAMS", "attention_fused.TILE_Q=64, attention_fused.WPT_Q=8,av.TILE_J=4"),
                k -> null).build();
        assertEquals(Map.of("attention_fused", Map.of("TILE_Q", 64, "WPT_Q", 8), "av", Map.of("TILE_J", 4)), c.params());
        assertEquals("clattn.params: expected kernel.NAME=value[,...], got 'TILE_Q=3'",
                assertThrows(IllegalArgumentException.class,
                        () -> Config.builder(Map.of("CLATTN_PARAMS", "TILE_Q=3"), k -> null)).getMessage());
    }

    @Test
    void badValuesAreNamed() {
        assertEquals("clattn.threads: expected an integer, got 'many'", assertThrows(IllegalArgumentException.class,
                () -> Config.builder(Map.of("CLATTN_THREADS", "many"), k -> null)).getMessage());
        assertEquals("threads: expected >= 1, got 0", assertThrows(IllegalArgumentException.class,
                () -> Config.builder(Map.of(), k -> null).threads(0)).getMessage());
    }

    /**
     * A server's engine must not change with the process it runs in: the hermetic defaults and builder ignore
     * a malformed CLATTN_THREADS, a CLATTN_PARAMS and a clattn.backend property, which fromEnvironment reads.
     */
    @Test
    void theDefaultsReadNothingFromTheProcess() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(javaBin, "-Dclattn.backend=cpu", "-cp",
                System.getProperty("java.class.path"), ConfigProbe.class.getName()).redirectErrorStream(true);
        pb.environment().put("CLATTN_THREADS", "many");
        pb.environment().put("CLATTN_PARAMS", "attention_fused.TILE_Q=64");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        Config defaults = Config.builder(Map.of(), k -> null).build();
        String expected = defaults.toString().replace("profiles=" + defaults.profileDir(), "profiles=(jar)");
        assertTrue(out.contains("defaults: " + expected + "\n"), out);
        assertTrue(out.contains("builder: " + expected.replace("threads=" + defaults.threads(), "threads=3")
                + "\n"), out);
        assertTrue(out.contains("environment: clattn.threads: expected an integer, got 'many'\n"), out);
        assertFalse(out.contains("TILE_Q"), out);
    }
}
