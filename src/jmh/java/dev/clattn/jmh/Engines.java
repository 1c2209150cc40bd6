package dev.clattn.jmh;

import dev.clattn.Attention;
import dev.clattn.AttentionPath;
import dev.clattn.AttentionRequest;
import dev.clattn.BackendKind;
import dev.clattn.Causal;
import dev.clattn.Config;
import dev.clattn.Shape;
import dev.clattn.tune.Float64Check;
import java.util.Random;

/** Engines and requests for the JMH benchmarks, named as {@code clattn bench} names its paths. */
final class Engines {
    private Engines() {
    }

    static Attention open(String path) {
        Config.Builder b = switch (path) {
            case "cpu" -> Config.builderFromEnvironment().backend(BackendKind.CPU);
            case "fused" -> Config.builderFromEnvironment().backend(BackendKind.OPENCL).path(AttentionPath.FUSED);
            case "three-kernel" -> Config.builderFromEnvironment().backend(BackendKind.OPENCL).path(AttentionPath.THREE_KERNEL);
            default -> throw new IllegalArgumentException("path: expected cpu, fused or three-kernel, got '" + path
                    + "'");
        };
        return Attention.open(b.build());
    }

    static AttentionRequest selfAttention(int heads, int n, boolean causal) {
        return Float64Check.selfAttention(Shape.of(1, heads, n, 64), causal ? Causal.TOP_LEFT : Causal.NONE,
                new Random(1));
    }
}
