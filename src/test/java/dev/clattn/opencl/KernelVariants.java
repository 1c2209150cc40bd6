package dev.clattn.opencl;

import dev.clattn.Config;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Backends whose one kernel runs with a given parameter set, so that each kernel is checked with its file
 * defaults (the GPU shape: many work-items sharing local memory), odd tiles that divide nothing, and
 * single-work-item groups, whatever device the suite runs on.
 */
final class KernelVariants {
    private static final Map<String, OpenClBackend> BACKENDS = new ConcurrentHashMap<>();

    private KernelVariants() {
    }

    /** Parameter sets by label; "defaults" stands for the kernel file's own defaults. */
    static Map<String, Map<String, Integer>> sets(String kernel) {
        Map<String, Map<String, Integer>> sets = new LinkedHashMap<>();
        sets.put("file-defaults", KernelSource.load(kernel, null).defaults());
        switch (kernel) {
            case "qkt" -> {
                sets.put("odd", Map.of("TILE_Q", 6, "WPT_Q", 2, "TILE_K", 10, "WPT_K", 5, "TILE_D", 7));
                sets.put("single", Map.of("TILE_Q", 1, "WPT_Q", 1, "TILE_K", 1, "WPT_K", 1, "TILE_D", 1));
            }
            case "av" -> {
                sets.put("odd", Map.of("TILE_Q", 6, "WPT_Q", 2, "TILE_V", 10, "WPT_V", 5, "TILE_J", 7));
                sets.put("single", Map.of("TILE_Q", 1, "WPT_Q", 1, "TILE_V", 1, "WPT_V", 1, "TILE_J", 1));
            }
            case "attention_fused" -> {
                sets.put("odd", Map.of("TILE_Q", 6, "WPT_Q", 2, "TILE_K", 10, "THREADS_X", 5, "TILE_D", 7,
                        "TILE_J", 5));
                sets.put("single", Map.of("TILE_Q", 1, "WPT_Q", 1, "TILE_K", 1, "THREADS_X", 1, "TILE_D", 1,
                        "TILE_J", 1));
            }
            case "attention_flash" -> {
                // The NVIDIA defaults with their shuffles emulated through local memory (the same data movement
                // as shfl.sync, which only NVIDIA compiles), for D 64 and D 128; then tiles that divide nothing.
                // Two alternating K/V buffers in the NVIDIA sets and in "odd" (local memory exchange), whose
                // slice count per key tile changes with D, so that the alternation crosses tiles at either parity.
                sets.put("nvidia-d64-emulated", Map.of("TILE_Q", 64, "KV_BUFFERS", 2, "EXCHANGE", 2, "UNROLL", 0));
                sets.put("nvidia-d128-emulated", Map.of("TILE_Q", 64, "TILE_D", 32, "TILE_J", 16, "KV_BUFFERS", 2,
                        "EXCHANGE", 2, "UNROLL", 0));
                sets.put("amd-intel", Map.of("TILE_Q", 64, "WPT_Q", 4, "UNROLL", 0));
                sets.put("odd", Map.of("TILE_Q", 6, "WPT_Q", 2, "TILE_K", 10, "WPT_K", 5, "TILE_D", 7,
                        "TILE_J", 5, "KV_BUFFERS", 2, "UNROLL", 0));
                sets.put("odd-emulated", Map.of("TILE_Q", 9, "WPT_Q", 3, "TILE_K", 12, "WPT_K", 3, "TILE_D", 5,
                        "TILE_J", 6, "EXCHANGE", 2, "UNROLL", 0));
                sets.put("single", Map.of("TILE_Q", 1, "WPT_Q", 1, "TILE_K", 1, "WPT_K", 1, "TILE_D", 1,
                        "TILE_J", 1, "UNROLL", 0));
            }
            case "attention_fused_vec" -> {
                sets.put("rows1", Map.of("ROWS", 1));
                sets.put("rows3-vw4-nv1-dvb1-subs1", Map.of("ROWS", 3, "VW", 4, "NV", 1, "DVB", 1, "SUBS", 1));
                sets.put("rows5-vw16-nv2-dvb3-subs3", Map.of("ROWS", 5, "VW", 16, "NV", 2, "DVB", 3, "SUBS", 3));
            }
            case "attention_merge" -> {
                sets.put("wg1", Map.of("WG_SIZE", 1));
                sets.put("wg7", Map.of("WG_SIZE", 7));
            }
            case "softmax_rows" -> {
                sets.put("wg1", Map.of("WG_SIZE", 1));
                sets.put("wg64", Map.of("WG_SIZE", 64));
            }
            default -> throw new IllegalArgumentException(kernel);
        }
        return sets;
    }

    static OpenClBackend backend(String kernel, String label) {
        // The merge kernel only runs when the keys are split.
        Config config = Config.builderFromEnvironment().keySplits(kernel.equals("attention_merge") ? 3 : 0)
                .fusedKernel(Config.FUSED_KERNELS.contains(kernel) ? kernel : null).build();
        return BACKENDS.computeIfAbsent(kernel + "/" + label, key -> new OpenClBackend(OpenClDevices.require(),
                config, Map.of(kernel, sets(kernel).get(label))));
    }

    /** (parameter-set label, case) pairs. */
    static Stream<Arguments> arguments(String kernel, List<?> cases) {
        return sets(kernel).keySet().stream().flatMap(label -> cases.stream().map(c -> Arguments.of(label, c)));
    }

    static void closeAll() {
        BACKENDS.values().forEach(OpenClBackend::close);
        BACKENDS.clear();
    }
}
