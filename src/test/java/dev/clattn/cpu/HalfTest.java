package dev.clattn.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clattn.testing.Data;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The library's bit-level fp16 rounding against the test's scale-and-round one. */
class HalfTest {
    @Test
    void matchesAnIndependentRounding() {
        float[] special = {0f, -0f, 1f, 65504f, 65520f, -70000f, 6.1e-5f, 5.96e-8f, 2.98e-8f, 2.99e-8f, 1e-9f,
            1.00048828125f, 1.00146484375f, Float.NaN, Float.POSITIVE_INFINITY, 3.14159f};
        for (float x : special) {
            assertEquals(Data.roundHalf(x), Half.round(x), "x=" + x);
        }
        Random rnd = new Random(3);
        for (int n = 0; n < 200_000; n++) {
            float x = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(12) - 8));
            assertEquals(Data.roundHalf(x), Half.round(x), "x=" + x);
        }
    }
}
