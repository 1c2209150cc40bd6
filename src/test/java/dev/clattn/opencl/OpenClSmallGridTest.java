package dev.clattn.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.Config;
import dev.clattn.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whole contract on a device that pretends to allow only 3 work-groups per grid dimension (NVIDIA allows
 * 65535 in y and z): the fused path launches its heads in parts, the three-kernel path plans smaller chunks,
 * and the key splits stay within the limit.
 */
class OpenClSmallGridTest extends OpenClContract {
    private static final int LIMIT = 3;
    @Override
    protected Config config() {
        return Config.builderFromEnvironment().maxGridGroups(LIMIT).keySplits(5).build();
    }

    @Test
    void keySplitsStayWithinTheLimit() {
        assertEquals(LIMIT, backend().keySplits(new Shape(1, 1, 1, 1, 4096, 64, 64)));
    }

    @Test
    void chunksCoverEveryRowOnceWithinTheLimit() {
        Shape s = new Shape(2, 4, 2, 10, 6, 3, 3);
        for (long budget : new long[] {1 << 20, 4L * 6 * 10, 4L * 6 * 4, 4L * 6}) {
            List<Chunk> chunks = Chunk.plan(s, budget, LIMIT);
            int[][] seen = new int[s.heads()][s.queryLen()];
            for (Chunk c : chunks) {
                assertTrue(c.heads() <= LIMIT && c.rows() <= LIMIT, c + " within " + LIMIT);
                assertTrue(c.elements(s.keyLen()) * 4 <= budget, c + " within the budget " + budget);
                for (int h = c.bh0(); h < c.bh0() + c.heads(); h++) {
                    for (int i = c.i0(); i < c.i0() + c.rows(); i++) {
                        seen[h][i]++;
                    }
                }
            }
            for (int[] head : seen) {
                for (int count : head) {
                    assertEquals(1, count, "every (head, row) in exactly one chunk, budget " + budget);
                }
            }
        }
    }
}
