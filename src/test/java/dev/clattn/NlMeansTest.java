package dev.clattn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Non-local means on both backends against the definition in float64, borders and small images included. */
class NlMeansTest {
    private static NlMeans.Image random(int height, int width, int channels, long seed) {
        Random rnd = new Random(seed);
        float[] p = new float[height * width * channels];
        for (int i = 0; i < p.length; i++) {
            // A smooth ramp with noise, so that some patches look alike and the weights vary.
            p[i] = (float) Math.max(0, Math.min(255, Math.rint(120 + 3 * (i % 17) + 25 * rnd.nextGaussian())));
        }
        return new NlMeans.Image(height, width, channels, p);
    }

    @Test
    void everyPixelMatchesTheDefinitionOnBothBackends() {
        Object[][] cases = {{23, 37, 1, 20f, 5, 7}, {17, 19, 3, 30f, 3, 9}, {4, 5, 1, 15f, 3, 9}, {1, 6, 3, 10f, 3, 3},
            {9, 9, 1, 20f, 1, 1}, {12, 8, 1, 5f, 7, 5}};
        for (BackendKind kind : new BackendKind[] {BackendKind.CPU, BackendKind.AUTO}) {
            try (Attention engine = Attention.open(Config.builderFromEnvironment().backend(kind).build())) {
                for (Object[] k : cases) {
                    NlMeans.Image u = random((int) k[0], (int) k[1], (int) k[2], k[0].hashCode() * 7L + (int) k[1]);
                    float h = (float) k[3];
                    int patch = (int) k[4];
                    int search = (int) k[5];
                    double[] want = dev.clattn.testing.NaiveNlMeans.exact(u, h, patch, search);
                    // The patch kernels, and the same filter as ordinary attention calls.
                    float[][] got = {NlMeans.denoise(engine, u, h, patch, search).pixels(),
                        NlMeans.denoiseAsAttention(engine, u, h, patch, search).pixels()};
                    for (int g = 0; g < got.length; g++) {
                        for (int i = 0; i < want.length; i++) {
                            if (!(Math.abs(got[g][i] - want[i]) <= 2e-3)) {
                                fail(kind + (g == 0 ? " " : " as attention ") + java.util.Arrays.toString(k) + " at "
                                        + i + ": " + got[g][i] + ", expected " + want[i]);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void badSizesAreRefusedByName() {
        NlMeans.Image u = random(4, 4, 1, 1);
        try (Attention engine = Attention.open(Config.builderFromEnvironment().backend(BackendKind.CPU).build())) {
            assertEquals("patch: expected an odd size >= 1, got 4", assertThrows(InvalidRequestException.class,
                    () -> NlMeans.denoise(engine, u, 10, 4, 5)).getMessage());
            assertEquals("search: expected an odd size >= 1, got 0", assertThrows(InvalidRequestException.class,
                    () -> NlMeans.denoise(engine, u, 10, 3, 0)).getMessage());
            assertEquals("h: expected a finite filter strength > 0, got -1.0", assertThrows(
                    InvalidRequestException.class, () -> NlMeans.denoise(engine, u, -1, 3, 5)).getMessage());
        }
        assertEquals("image: expected 2 x 2 x 1 = 4 values, got 3 values", assertThrows(InvalidRequestException.class,
                () -> new NlMeans.Image(2, 2, 1, new float[3])).getMessage());
    }
}
