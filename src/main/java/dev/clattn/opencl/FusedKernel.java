package dev.clattn.opencl;

import dev.clattn.Shape;
import dev.clattn.Storage;

/** A fused attention kernel: the portable one or the CPU-vectorised one; both write O (or parts) and LSE. */
interface FusedKernel extends AutoCloseable {
    /** Query rows per work-group. */
    int tileQ();

    /** Keys per step, the granularity of key splits. */
    int tileK();

    boolean supports(Storage storage);

    /** Checks the variant for this shape against the device before it is built. */
    void checkShape(Shape s);

    KernelParams params();

    void enqueue(Shape s, Storage storage, float scale, int splits, int splitKeys, ClBuffer q, ClBuffer k, ClBuffer v,
            ClBuffer o, ClBuffer lse, Masks masks);

    @Override
    void close();
}
