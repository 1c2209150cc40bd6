package dev.clattn.opencl;

import dev.clattn.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * A slice of the score matrix that fits the device score buffer: heads [bh0, bh0 + heads) and query rows
 * [i0, i0 + rows). Either whole heads (rows = Nq) or part of one head; both are contiguous in [B,Hq,Nq,Nk].
 */
record Chunk(int bh0, int heads, int i0, int rows) {
    /** Element offset of the chunk in a [B,Hq,Nq,width] array. */
    long offset(Shape s, int width) {
        return ((long) bh0 * s.queryLen() + i0) * width;
    }

    long elements(int width) {
        return (long) heads * rows * width;
    }

    /**
     * Chunks within the score budget whose heads and rows each fit {@code maxGroups}: the kernels put rows
     * (in tiles of at least one) in grid dimension 1 and heads in dimension 2, which some devices limit (NVIDIA's
     * y and z to 65535 groups).
     */
    static List<Chunk> plan(Shape s, long budgetBytes, int maxGroups) {
        long rowBytes = 4L * s.keyLen();
        if (rowBytes > budgetBytes) {
            throw new IllegalArgumentException("keyLen (Nk): one score row of " + s.keyLen()
                    + " keys needs " + rowBytes + " bytes, over the score buffer budget of " + budgetBytes + " bytes");
        }
        List<Chunk> chunks = new ArrayList<>();
        long headBytes = rowBytes * s.queryLen();
        if (headBytes <= budgetBytes && s.queryLen() <= maxGroups) {
            int per = (int) Math.min(maxGroups, budgetBytes / headBytes);
            for (int bh = 0; bh < s.heads(); bh += per) {
                chunks.add(new Chunk(bh, Math.min(per, s.heads() - bh), 0, s.queryLen()));
            }
        } else {
            int rows = (int) Math.min(Math.min(s.queryLen(), maxGroups), budgetBytes / rowBytes);
            for (int bh = 0; bh < s.heads(); bh++) {
                for (int i = 0; i < s.queryLen(); i += rows) {
                    chunks.add(new Chunk(bh, 1, i, Math.min(rows, s.queryLen() - i)));
                }
            }
        }
        return chunks;
    }
}
