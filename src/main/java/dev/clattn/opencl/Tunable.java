package dev.clattn.opencl;

/** A launcher of one kernel at one parameter set, which a tuning profile may choose per shape. */
interface Tunable extends AutoCloseable {
    KernelParams params();

    @Override
    void close();
}
