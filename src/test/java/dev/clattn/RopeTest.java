package dev.clattn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.clattn.testing.Data;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Rotary positions with what the contract's reference check leaves out: resident Q and K (rotated into a copy,
 * so a second call sees them unrotated), the token-major layout, and the request's checks.
 */
class RopeTest {
    private static final Shape S = new Shape(2, 4, 2, 5, 9, 8, 8);

    @Test
    void residentTensorsAndTheTokenMajorLayoutGiveTheHostAnswer() {
        Random rnd = new Random(8);
        float[] q = Data.gaussian(rnd, S.qElements(), 1);
        float[] k = Data.gaussian(rnd, S.kElements(), 1);
        float[] v = Data.gaussian(rnd, S.vElements(), 1);
        for (BackendKind kind : new BackendKind[] {BackendKind.CPU, BackendKind.AUTO}) {
            try (Attention engine = Attention.open(Config.builderFromEnvironment().backend(kind).build());
                    DeviceTensor qd = engine.upload(q);
                    DeviceTensor kd = engine.upload(k)) {
                float[] host = engine.compute(AttentionRequest.builder(S).q(q).k(k).v(v).rope(500f).build()).output();
                for (int call = 0; call < 2; call++) {
                    assertArrayEquals(host, engine.compute(AttentionRequest.builder(S).q(qd).k(kd).v(v).rope(500f)
                            .build()).output(), kind + " resident, call " + call);
                }
                float[] out = engine.compute(AttentionRequest.builder(S).q(bnhd(q, S.queryHeads(), S.queryLen()))
                        .k(bnhd(k, S.kvHeads(), S.keyLen())).v(bnhd(v, S.kvHeads(), S.keyLen())).layout(Layout.BNHD)
                        .rope(500f).build()).output();
                assertArrayEquals(bnhd(host, S.queryHeads(), S.queryLen()), out, kind + " BNHD");
            }
        }
    }

    /** [B, H, N, D] to [B, N, H, D] for D = 8. */
    private static float[] bnhd(float[] x, int heads, int len) {
        float[] out = new float[x.length];
        for (int b = 0; b < S.batch(); b++) {
            for (int h = 0; h < heads; h++) {
                for (int n = 0; n < len; n++) {
                    System.arraycopy(x, ((b * heads + h) * len + n) * 8, out, ((b * len + n) * heads + h) * 8, 8);
                }
            }
        }
        return out;
    }

    @Test
    void badRotaryRequestsAreRefusedByName() {
        Shape odd = new Shape(1, 1, 1, 2, 2, 3, 3);
        assertEquals("rope: expected an even head dimension D (rotate half), got D=3", assertThrows(
                InvalidRequestException.class, () -> AttentionRequest.builder(odd).q(new float[6]).k(new float[6])
                        .v(new float[6]).rope(10000f).build()).getMessage());
        assertEquals("rope: expected a finite base > 1 (10000 in GPT-NeoX and LLaMA), got 1.0", assertThrows(
                InvalidRequestException.class, () -> AttentionRequest.builder(S).q(new float[(int) S.qElements()])
                        .k(new float[(int) S.kElements()]).v(new float[(int) S.vElements()]).rope(1f).build())
                .getMessage());
    }
}
