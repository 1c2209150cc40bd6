package dev.clattn.opencl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.Config;
import dev.clattn.NlMeans;
import dev.clattn.testing.NaiveNlMeans;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Both patch kernels against non-local means from its definition: attention_patches_vec (a CPU device's choice)
 * and attention_patches (the work-group kernel other devices take), the latter forced here by dropping the
 * former from the backend.
 */
class AttentionPatchesKernelTest {
    @Test
    void bothKernelsMatchTheDefinition() throws Exception {
        Object[][] cases = {{23, 37, 1, 20f, 5, 7}, {17, 19, 3, 30f, 3, 9}, {4, 5, 1, 15f, 3, 9}, {40, 33, 1, 10f, 7, 11},
            {9, 70, 3, 25f, 1, 3}};
        for (boolean vec : new boolean[] {true, false}) {
            try (OpenClBackend b = new OpenClBackend(OpenClDevices.require(), Config.fromEnvironment())) {
                if (!vec) {
                    java.lang.reflect.Field f = OpenClBackend.class.getDeclaredField("patchesVec");
                    f.setAccessible(true);
                    f.set(b, null);
                }
                for (Object[] k : cases) {
                    Random rnd = new Random((int) k[0] * 31L + (int) k[1]);
                    int n = (int) k[0] * (int) k[1] * (int) k[2];
                    float[] p = new float[n];
                    for (int i = 0; i < n; i++) {
                        p[i] = (float) Math.max(0, Math.min(255, Math.rint(90 + 5 * (i % 13) + 30 * rnd.nextGaussian())));
                    }
                    NlMeans.Image u = new NlMeans.Image((int) k[0], (int) k[1], (int) k[2], p);
                    double[] want = NaiveNlMeans.exact(u, (float) k[3], (int) k[4], (int) k[5]);
                    float[] got = b.attentionPatches(NlMeans.request(u, (float) k[3], (int) k[4], (int) k[5]));
                    for (int i = 0; i < want.length; i++) {
                        assertTrue(Math.abs(got[i] - want[i]) <= 2e-3, (vec ? "vec " : "work-group ")
                                + java.util.Arrays.toString(k) + " at " + i + ": " + got[i] + ", expected " + want[i]);
                    }
                }
            }
        }
    }
}
