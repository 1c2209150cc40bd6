package dev.clattn.opencl;

import dev.clattn.Shape;
import java.util.Map;

/** Host launcher of softmax_rows.cl: masked row-wise softmax in place, one work-group per row. */
final class SoftmaxRowsKernel extends Launcher {
    SoftmaxRowsKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
        build("");
    }

    @Override
    protected void checkParams() {
        int wg = params.get("WG_SIZE");
        require(wg >= 1 && Integer.bitCount(wg) == 1, "WG_SIZE must be a power of two");
    }

    @Override
    protected long workGroupSize() {
        return params.get("WG_SIZE");
    }

    @Override
    protected long localMemBytes() {
        return 4L * params.get("WG_SIZE");
    }

    void enqueue(Shape s, Chunk c, ClBuffer scores, ClBuffer lse, boolean writeLse, Masks masks) {
        MaskArgs mask = masks.structural();
        Operand boolMask = masks.mask();
        Operand bias = masks.bias();
        begin("").mem(scores).mem(lse).i(writeLse ? 1 : 0)
                .i(s.queryHeads()).i(s.queryLen()).i(s.keyLen()).i(c.bh0()).i(c.i0()).i(c.rows()).mask(mask)
                .operand(boolMask).operand(bias);
        int wg = params.get("WG_SIZE");
        launch(new long[] {(long) c.rows() * wg, c.heads()}, new long[] {wg, 1});
    }
}
