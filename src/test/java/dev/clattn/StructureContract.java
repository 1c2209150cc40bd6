package dev.clattn;

import dev.clattn.spi.Backend;
import dev.clattn.testing.Case;
import dev.clattn.testing.Naive;
import dev.clattn.testing.Tolerance;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Attention shaped by structure, on every backend that implements this with its own backend: a sliding window
 * must give what the equivalent boolean mask gives, on the fused path (O, LSE) and with the weights, as the
 * naive reference computes it from the mask alone (it never sees the window).
 */
public interface StructureContract {
    Backend structureBackend();

    private static List<Case> windowCases() {
        return List.of(
                Case.of("w-local", new Shape(1, 2, 2, 97, 97, 64, 64)).window(16, 0),
                Case.of("w-both", new Shape(2, 4, 2, 17, 97, 40, 40)).window(5, 3).causal(Causal.BOTTOM_RIGHT),
                Case.of("w-left-GQA", new Shape(1, 4, 1, 70, 150, 24, 16)).window(40, -1).keyLengths(120),
                Case.of("w-right-top-left", new Shape(1, 1, 1, 33, 33, 3, 5)).window(-1, 2).causal(Causal.TOP_LEFT),
                Case.of("w-empty", new Shape(1, 1, 1, 40, 9, 8, 8)).window(0, 0));
    }

    /** The window as a boolean [Nq, Nk] mask, written from its definition. */
    private static byte[] windowMask(Shape s, int left, int right) {
        byte[] m = new byte[s.queryLen() * s.keyLen()];
        for (int i = 0; i < s.queryLen(); i++) {
            long diagonal = (long) i + s.keyLen() - s.queryLen();
            for (int j = 0; j < s.keyLen(); j++) {
                boolean in = (left < 0 || j >= diagonal - left) && (right < 0 || j <= diagonal + right);
                m[i * s.keyLen() + j] = (byte) (in ? 1 : 0);
            }
        }
        return m;
    }

    @Test
    default void aWindowGivesTheAnswerOfItsBooleanMask() {
        for (Case c : windowCases()) {
            for (boolean weights : new boolean[] {false, true}) {
                AttentionRequest windowed = c.request(weights, true);
                Shape s = windowed.shape();
                AttentionRequest masked = AttentionRequest.builder(s).q(windowed.q().array())
                        .k(windowed.k().array()).v(windowed.v().array()).causal(windowed.causal())
                        .keyLengths(windowed.keyLengths()).returnWeights(weights).returnLse(true)
                        .maskBytes(windowMask(s, c.window()[0], c.window()[1]), s.queryLen(), s.keyLen()).build();
                Naive.Result f64 = new Naive(masked, Naive.Precision.F64).attention();
                Naive.Result f32 = new Naive(masked, Naive.Precision.F32).attention();
                AttentionResult got = structureBackend().attention(windowed);
                String what = c + (weights ? " with weights" : "");
                Tolerance.check(what + " O", got.output(), f64.out(), f32.out());
                Tolerance.check(what + " LSE", got.lse(), f64.lse(), f32.lse());
                if (weights) {
                    Tolerance.check(what + " P", got.weights(), f64.weights(), f32.weights());
                }
            }
        }
    }
}
