package dev.clattn.testing;

import dev.clattn.Causal;
import dev.clattn.Shape;
import java.util.List;

/** Every test shape and mask combination, in one place. */
public final class TestCases {
    private TestCases() {
    }

    private static Shape shape(int b, int hq, int hk, int nq, int nk, int d, int dv) {
        return new Shape(b, hq, hk, nq, nk, d, dv);
    }

    /** The whole pipeline's cases: awkward sizes, every mask kind and combination, large logits, planted NaN. */
    public static List<Case> pipeline() {
        return List.of(
                Case.of("N1-D1", shape(1, 1, 1, 1, 1, 1, 1)),
                Case.of("N2-D3", shape(1, 1, 1, 2, 2, 3, 3)),
                Case.of("N17-D40-BH4", shape(2, 2, 2, 17, 17, 40, 40)),
                Case.of("N97-D64-causal", shape(1, 2, 2, 97, 97, 64, 64)).causal(Causal.TOP_LEFT),
                Case.of("N255-D111", shape(1, 1, 1, 255, 255, 111, 111)),
                Case.of("N1025-D128-causal", shape(1, 1, 1, 1025, 1025, 128, 128)).causal(Causal.BOTTOM_RIGHT),
                Case.of("N70-D128-causal", shape(1, 2, 2, 70, 150, 128, 128)).causal(Causal.BOTTOM_RIGHT),
                Case.of("D256-Dv200", shape(1, 1, 1, 33, 40, 256, 200)),
                Case.of("Dv-ne-D", shape(2, 2, 2, 33, 33, 40, 24)),
                Case.of("Nq<Nk-top-left", shape(1, 2, 2, 17, 97, 64, 64)).causal(Causal.TOP_LEFT).plantNaN(),
                Case.of("Nq<Nk-bottom-right", shape(1, 2, 2, 17, 97, 64, 64)).causal(Causal.BOTTOM_RIGHT),
                Case.of("Nq>Nk-top-left", shape(1, 2, 2, 97, 17, 64, 48)).causal(Causal.TOP_LEFT),
                Case.of("Nq>Nk-bottom-right", shape(1, 2, 2, 97, 17, 64, 48)).causal(Causal.BOTTOM_RIGHT),
                Case.of("GQA", shape(2, 8, 2, 64, 64, 32, 32)).causal(Causal.TOP_LEFT),
                Case.of("MQA", shape(1, 4, 1, 50, 70, 16, 16)),
                Case.of("key-lengths", shape(3, 2, 2, 40, 40, 16, 16)).keyLengths(40, 7, 0).plantNaN(),
                Case.of("mask-NqNk", shape(2, 2, 2, 30, 45, 16, 16)).mask(0.6, 30, 45),
                Case.of("mask-full-4d-sparse", shape(2, 2, 1, 20, 20, 8, 8)).mask(0.05, 2, 2, 20, 20).plantNaN(),
                Case.of("mask-B11Nk", shape(2, 2, 2, 20, 33, 8, 8)).mask(0.7, 2, 1, 1, 33).plantNaN(),
                Case.of("bias-Nk", shape(2, 2, 2, 20, 33, 8, 8)).bias(2, 33),
                Case.of("bias-HNqNk", shape(2, 3, 3, 20, 33, 8, 8)).bias(3, 3, 20, 33),
                Case.of("bias-large-negative", shape(1, 2, 2, 25, 25, 16, 16)).bias(1e4, 2, 1, 25),
                Case.of("all-masks", shape(2, 4, 2, 37, 53, 24, 20)).causal(Causal.BOTTOM_RIGHT).keyLengths(53, 30)
                        .mask(0.8, 2, 1, 37, 53).bias(1, 4, 1, 53).plantNaN(),
                Case.of("large-logits", shape(1, 2, 2, 97, 97, 64, 64)).amplitude(30),
                Case.of("large-logits-causal", shape(2, 2, 2, 65, 65, 40, 40)).causal(Causal.TOP_LEFT).amplitude(30),
                Case.of("window-local", shape(1, 2, 2, 97, 97, 64, 64)).window(16, 0).plantNaN(),
                Case.of("window-both-sides", shape(1, 2, 2, 17, 97, 40, 40)).window(5, 3).plantNaN(),
                Case.of("window-1025", shape(1, 1, 1, 1025, 1025, 111, 111)).window(255, 0).plantNaN(),
                Case.of("window-left-only-D3", shape(2, 2, 1, 40, 33, 3, 3)).window(3, -1),
                Case.of("window-empty-rows", shape(1, 1, 1, 97, 17, 16, 16)).window(0, 0).plantNaN(),
                Case.of("window-all-masks", shape(2, 4, 2, 37, 53, 24, 20)).causal(Causal.TOP_LEFT)
                        .keyLengths(53, 30).mask(0.8, 2, 1, 37, 53).bias(1, 4, 1, 53).window(7, 20).plantNaN());
    }

    /**
     * A kernel's many parameter sets (each a program to build per head dimension) over the pipeline cases
     * that hold every semantic once: awkward sizes, causal alignments, GQA, key lengths, each mask kind, large
     * logits, planted NaN.
     */
    public static List<Case> pipelineCore() {
        List<String> names = List.of("N1-D1", "N255-D111", "N1025-D128-causal", "D256-Dv200", "Dv-ne-D",
                "Nq<Nk-top-left", "Nq>Nk-bottom-right", "GQA", "key-lengths", "mask-full-4d-sparse",
                "bias-large-negative", "all-masks", "large-logits-causal", "window-local", "window-1025",
                "window-empty-rows", "window-all-masks");
        return pipeline().stream().filter(c -> names.contains(c.name())).toList();
    }

    /**
     * The core cases small enough for a kernel whose every sub-group shuffle is emulated with two barriers
     * (attention_flash's EXCHANGE 2 on a CPU device): every semantic, D up to 128, N up to 150.
     */
    public static List<Case> pipelineSmall() {
        List<String> names = List.of("N1-D1", "N17-D40-BH4", "N70-D128-causal", "Dv-ne-D", "Nq<Nk-top-left",
                "Nq>Nk-bottom-right", "GQA", "key-lengths", "mask-full-4d-sparse", "all-masks", "large-logits-causal",
                "window-both-sides", "window-empty-rows", "window-all-masks");
        return pipeline().stream().filter(c -> names.contains(c.name())).toList();
    }

    /**
     * Four cases for a program that builds slowly on a CPU device (a GPU kernel's fully unrolled code, 7–10 s a
     * program under PoCL): one head dimension each of 1, 128, 32 and 24, causal, GQA and every mask together.
     */
    public static List<Case> pipelineFew() {
        List<String> names = List.of("N1-D1", "N70-D128-causal", "GQA", "all-masks", "window-all-masks");
        return pipeline().stream().filter(c -> names.contains(c.name())).toList();
    }

    /**
     * The score functions' and the mean normalisation's cases: awkward sizes (N 1, 97, 1025; D 1, 3, 111), GQA,
     * both causal alignments, key lengths, a mask, a bias, a window, NaN planted where no query looks.
     */
    public static List<Case> scores() {
        return List.of(
                Case.of("s-N1-D1", shape(1, 1, 1, 1, 1, 1, 1)),
                Case.of("s-N97-D3-GQA", shape(2, 4, 2, 97, 97, 3, 3)).causal(Causal.TOP_LEFT),
                Case.of("s-D111-mask-bias", shape(1, 2, 1, 40, 70, 111, 40)).mask(0.7, 1, 1, 40, 70).bias(1, 2, 1, 70)
                        .plantNaN(),
                Case.of("s-Nq<Nk-key-lengths", shape(2, 2, 2, 17, 97, 16, 16)).causal(Causal.BOTTOM_RIGHT)
                        .keyLengths(97, 50).plantNaN(),
                Case.of("s-Nq>Nk-top-left", shape(1, 2, 2, 97, 17, 24, 8)).causal(Causal.TOP_LEFT),
                Case.of("s-window", shape(1, 2, 2, 97, 97, 64, 64)).window(16, 3).plantNaN(),
                Case.of("s-1025", shape(1, 1, 1, 1025, 1025, 8, 8)).causal(Causal.BOTTOM_RIGHT));
    }

    /** Shapes for one stage at a time: tile edges on every axis. */
    public static List<Case> stages() {
        return List.of(
                Case.of("stage-1", shape(1, 1, 1, 1, 1, 1, 1)),
                Case.of("stage-17x97-D3", shape(2, 2, 1, 17, 97, 3, 5)).causal(Causal.BOTTOM_RIGHT),
                Case.of("stage-97x17-D111", shape(1, 2, 2, 97, 17, 111, 40)).causal(Causal.TOP_LEFT),
                Case.of("stage-255-D64", shape(1, 1, 1, 255, 255, 64, 64)).keyLengths(200),
                Case.of("stage-1025-D128", shape(1, 1, 1, 1025, 130, 128, 128)).mask(0.5, 1025, 130).plantNaN(),
                Case.of("stage-mixed", shape(2, 4, 2, 37, 53, 24, 20)).causal(Causal.TOP_LEFT).keyLengths(53, 30)
                        .bias(1, 4, 1, 53).plantNaN());
    }
}
