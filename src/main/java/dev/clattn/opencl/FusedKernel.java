package dev.clattn.opencl;

import dev.clattn.Shape;
import dev.clattn.Storage;

/** A fused attention kernel: the portable one or the CPU-vectorised one; both write O (or parts) and LSE. */
interface FusedKernel extends Tunable {
    /** Query rows per work-group. */
    int tileQ();

    /** Keys per step, the granularity of key splits. */
    int tileK();

    boolean supports(Storage storage);

    /** Keys per panel when the kernel reads K packed by pack_kt (transposed per tile of keys), else 0. */
    default int keyPanel() {
        return 0;
    }

    /** Whether this shape fits the device with these parameters (else the path takes the portable kernel). */
    default boolean fits(Shape s) {
        return true;
    }

    /**
     * Checks this shape's program against the device before anything is uploaded: builds it and asks the
     * driver what it needs; throws naming the parameters and the shape.
     */
    void checkShape(Shape s, Storage storage);

    /**
     * Launches query heads [head0, head0 + heads) of the B·Hq heads, so that a device limiting the work-groups
     * per grid dimension can take the problem in parts; the buffers always hold all heads. {@code score} holds
     * the request's {@link ScoreDefines}.
     */
    void enqueue(Shape s, Storage storage, String score, float scale, int splits, int splitKeys, int head0, int heads,
            ClBuffer q, ClBuffer k, ClBuffer v, ClBuffer o, ClBuffer lse, Masks masks);
}
