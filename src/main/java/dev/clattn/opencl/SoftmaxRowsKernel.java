package dev.clattn.opencl;

import dev.clattn.Shape;
import java.util.Map;

/** Host launcher of softmax_rows.cl: masked row-wise softmax in place, one work-group per row. */
final class SoftmaxRowsKernel extends Launcher {
    SoftmaxRowsKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
        build("");
    }

    /** {@code normalize}: the request's {@link ScoreDefines#normalize}. */
    void enqueue(Shape s, String normalize, Chunk c, ClBuffer scores, ClBuffer lse, boolean writeLse, Masks masks) {
        MaskArgs mask = masks.structural();
        Operand boolMask = masks.mask();
        Operand bias = masks.bias();
        begin(normalize).mem(scores).mem(lse).i(writeLse ? 1 : 0)
                .i(s.queryHeads()).i(s.queryLen()).i(s.keyLen()).i(c.bh0()).i(c.i0()).i(c.rows()).mask(mask)
                .operand(boolMask).operand(bias);
        launchGroups(c.rows(), c.heads());
    }
}
