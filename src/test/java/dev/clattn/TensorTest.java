package dev.clattn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.clattn.cpu.CpuBackend;
import dev.clattn.testing.Data;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Shapes by name and shapes read from the tensors: the same problem as the positional Shape, or an error. */
class TensorTest {
    @Test
    void theNamedBuilderFillsTheUsualDefaults() {
        assertEquals(new Shape(2, 32, 8, 1, 4096, 128, 128), Shape.builder().batch(2).queryHeads(32).kvHeads(8)
                .queryLen(1).keyLen(4096).headDim(128).build());
        assertEquals(Shape.of(1, 8, 100, 64), Shape.builder().queryHeads(8).queryLen(100).headDim(64).build());
        assertEquals("queryLen: expected a value (Shape.builder().queryLen(...)), got none", assertThrows(
                InvalidRequestException.class, () -> Shape.builder().queryHeads(8).headDim(64).build()).getMessage());
        assertEquals("kvHeads: expected a divisor of Hq=8, got Hk=3", assertThrows(InvalidRequestException.class,
                () -> Shape.builder().queryHeads(8).kvHeads(3).queryLen(1).headDim(4).build()).getMessage());
    }

    @Test
    void theShapeComesFromTheTensorsAndGivesTheSameAnswer() {
        Random rnd = new Random(3);
        Shape s = new Shape(2, 6, 3, 5, 7, 8, 4);
        float[] q = Data.gaussian(rnd, s.qElements(), 1);
        float[] k = Data.gaussian(rnd, s.kElements(), 1);
        float[] v = Data.gaussian(rnd, s.vElements(), 1);
        AttentionRequest byTensors = AttentionRequest.builder(Tensor.of(q, 2, 6, 5, 8), Tensor.of(k, 2, 3, 7, 8),
                Tensor.of(java.nio.FloatBuffer.wrap(v), 2, 3, 7, 4)).causal(Causal.BOTTOM_RIGHT).build();
        assertEquals(s, byTensors.shape());
        AttentionRequest positional = AttentionRequest.builder(s).q(q).k(k).v(v).causal(Causal.BOTTOM_RIGHT).build();
        try (CpuBackend cpu = new CpuBackend(2)) {
            assertArrayEquals(cpu.attention(positional).output(), cpu.attention(byTensors).output());
        }
        assertEquals(new Shape(1, 6, 3, 5, 7, 8, 4), AttentionRequest.builder(Tensor.of(new float[6 * 5 * 8], 6, 5, 8),
                Tensor.of(new float[3 * 7 * 8], 3, 7, 8), Tensor.of(new float[3 * 7 * 4], 3, 7, 4)).build().shape());
    }

    @Test
    void tensorsThatDisagreeAreNamed() {
        Tensor q = Tensor.of(new float[2 * 6 * 5 * 8], 2, 6, 5, 8);
        assertEquals("k: expected batch 2 like q's, got batch 1", assertThrows(InvalidRequestException.class,
                () -> AttentionRequest.builder(q, Tensor.of(new float[3 * 7 * 8], 1, 3, 7, 8),
                        Tensor.of(new float[3 * 7 * 4], 1, 3, 7, 4))).getMessage());
        assertEquals("v: expected keyLen 7 like k's, got keyLen 6", assertThrows(InvalidRequestException.class,
                () -> AttentionRequest.builder(q, Tensor.of(new float[2 * 3 * 7 * 8], 2, 3, 7, 8),
                        Tensor.of(new float[2 * 3 * 6 * 4], 2, 3, 6, 4))).getMessage());
        assertEquals("k: expected a head count dividing q's 6, got 4 heads", assertThrows(
                InvalidRequestException.class, () -> AttentionRequest.builder(q, Tensor.of(new float[2 * 4 * 7 * 8], 2,
                        4, 7, 8), Tensor.of(new float[2 * 4 * 7 * 4], 2, 4, 7, 4))).getMessage());
        assertEquals("dims: expected [2, 6, 5, 8] = 480 floats, got 479 floats of data", assertThrows(
                InvalidRequestException.class, () -> Tensor.of(new float[479], 2, 6, 5, 8)).getMessage());
        assertEquals("dims: expected [B, H, N, D] or [H, N, D], got [4, 5]", assertThrows(
                InvalidRequestException.class, () -> Tensor.of(new float[20], 4, 5)).getMessage());
    }
}
