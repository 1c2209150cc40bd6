package dev.clattn.cli;

import dev.clattn.AttentionRequest;
import dev.clattn.Causal;
import dev.clattn.Shape;
import dev.clattn.testing.Naive;
import dev.clattn.testing.Tolerance;
import dev.clattn.tune.Float64Check;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Both ONNX Runtime routes of {@code bench --peer ort} against the float64 reference on every output element:
 * a wrong model (scale missing or the default, K not transposed, the causal mask off by one or bottom-right, query heads
 * mapped to the wrong key heads) is an error far above the float32 tolerance.
 */
class OrtPeerTest {
    private static OrtPeer ort;

    /**
     * Maven's test class path always has ONNX Runtime (a provided dependency); bench/gpu's kit, with only the
     * CLI jar, does not, and skips these tests.
     */
    static void assumeOrt() {
        try {
            BenchPeers.requireOrt();
        } catch (IllegalArgumentException e) {
            Assumptions.abort(e.getMessage());
        }
    }

    @BeforeAll
    static void start() {
        assumeOrt();
        ort = new OrtPeer();
    }

    @ParameterizedTest(name = "{0} {1} causal={2}")
    @CsvSource({
        "MATMUL, 'B=1,H=2,N=67,D=16', false",
        "MATMUL, 'B=1,H=2,N=67,D=16', true",
        "ATTENTION, 'B=1,H=2,N=67,D=16', false",
        "ATTENTION, 'B=1,H=2,N=67,D=16', true",
        // Grouped heads, Nq < Nk and Dv != D: top-left causality with keys beyond the last query.
        "MATMUL, 'B=2,Hq=4,Hk=2,Nq=19,Nk=45,D=16,Dv=24', false",
        "MATMUL, 'B=2,Hq=4,Hk=2,Nq=19,Nk=45,D=16,Dv=24', true",
        "ATTENTION, 'B=2,Hq=4,Hk=2,Nq=19,Nk=45,D=16,Dv=24', false",
        "ATTENTION, 'B=2,Hq=4,Hk=2,Nq=19,Nk=45,D=16,Dv=24', true",
    })
    void matchesTheFloat64Reference(OrtPeer.Route route, String shape, boolean causal) {
        Shape s = BenchWorkloads.parse(shape);
        AttentionRequest plain = Float64Check.selfAttention(s, Causal.NONE, new Random(7));
        // Not 1/sqrt(D), the Attention op's default: a model that drops the scale must fail.
        AttentionRequest r = AttentionRequest.builder(s).q(plain.q().toArray()).k(plain.k().toArray())
                .v(plain.v().toArray()).causal(causal ? Causal.TOP_LEFT : Causal.NONE).scale(0.4f).build();
        float[] out = ort.attention(route, r);
        Tolerance.check(route.path + " " + shape + (causal ? " causal" : ""), out,
                new Naive(r, Naive.Precision.F64).attention().out(), new Naive(r, Naive.Precision.F32).attention().out());
    }
}
