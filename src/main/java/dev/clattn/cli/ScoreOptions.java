package dev.clattn.cli;

import dev.clattn.AttentionRequest;
import dev.clattn.Normalize;
import dev.clattn.Score;
import dev.clattn.io.Npy;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The score function and normalisation options of {@code clattn run}, checked against each other. */
final class ScoreOptions {
    @Option(names = "--score", defaultValue = "dot", paramLabel = "dot|neg-sq-dist|additive", description = "dot: "
            + "scale*q.k (scale 1/sqrt(D)); neg-sq-dist: -scale*|q-k|^2 (scale 1/D); additive: act(a_q.q + a_k.k)")
    String score;
    @Option(names = "--additive", paramLabel = "A.npy", description = "float32 [2,D] or [Hq,2,D]: row 0 multiplies "
            + "the query, row 1 the key (--score additive)")
    Path additive;
    @Option(names = "--activation", paramLabel = "relu|leaky-relu[=SLOPE]", description = "the additive score's "
            + "activation: relu (default) or leaky-relu, slope " + Score.DEFAULT_LEAKY_SLOPE + " unless given")
    String activation;
    @Option(names = "--normalize", defaultValue = "softmax", paramLabel = "softmax|mean", description = "mean: "
            + "P = s/n over a row's n visible keys (no --lse)")
    String normalize;

    /** The arguments the library may blame, and the options carrying them. */
    static final java.util.Map<String, String> OPTIONS = java.util.Map.of("additive", "--additive", "activation",
            "--activation", "normalize", "--normalize", "score", "--score");

    /** Sets the score and normalisation; reads A only with {@code --score additive}. */
    void apply(AttentionRequest.Builder b) {
        String kind = score.strip().toLowerCase(Locale.ROOT);
        if (!kind.equals("additive")) {
            if (additive != null) {
                throw new IllegalArgumentException("--additive: expected --score additive, got --score " + score);
            }
            if (activation != null) {
                throw new IllegalArgumentException("--activation: expected --score additive, got --score " + score);
            }
        }
        b.score(switch (kind) {
            case "dot" -> Score.dot();
            case "neg-sq-dist" -> Score.negSqDist();
            case "additive" -> additive();
            default -> throw new IllegalArgumentException("--score: expected dot, neg-sq-dist or additive, got '"
                    + score + "'");
        });
        b.normalize(switch (normalize.strip().toLowerCase(Locale.ROOT)) {
            case "softmax" -> Normalize.SOFTMAX;
            case "mean" -> Normalize.MEAN;
            default -> throw new IllegalArgumentException("--normalize: expected softmax or mean, got '" + normalize
                    + "'");
        });
    }

    private Score additive() {
        if (additive == null) {
            throw new IllegalArgumentException("--additive: expected A.npy (float32 [2,D] or [Hq,2,D]) with --score "
                    + "additive, got none");
        }
        Npy.Array a = Npy.read("--additive " + additive, additive);
        return Score.additive(a.floats(), a.shape()).leakyRelu(slope());
    }

    /** 0 for relu; the given slope, or GAT's, for leaky-relu. */
    private float slope() {
        String text = activation == null ? "relu" : activation.strip().toLowerCase(Locale.ROOT);
        if (text.equals("relu")) {
            return 0f;
        }
        if (text.equals("leaky-relu")) {
            return Score.DEFAULT_LEAKY_SLOPE;
        }
        if (text.startsWith("leaky-relu=")) {
            try {
                float s = Float.parseFloat(text.substring("leaky-relu=".length()));
                if (Float.isFinite(s)) {
                    return s;
                }
            } catch (NumberFormatException e) {
                // reported below, with the whole value
            }
        }
        throw new IllegalArgumentException("--activation: expected relu, leaky-relu or leaky-relu=SLOPE (a finite "
                + "number), got '" + activation + "'");
    }
}
