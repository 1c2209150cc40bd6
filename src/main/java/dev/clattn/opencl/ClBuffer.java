package dev.clattn.opencl;

import static org.jocl.CL.clReleaseMemObject;

import org.jocl.cl_mem;

/** A device buffer of a known size; {@code close()} releases it once. */
public final class ClBuffer implements AutoCloseable {
    private final cl_mem mem;
    private final long bytes;
    private final org.jocl.Pointer pointer;
    private boolean closed;

    ClBuffer(cl_mem mem, long bytes) {
        this.mem = mem;
        this.bytes = bytes;
        this.pointer = org.jocl.Pointer.to(mem);
    }

    public cl_mem mem() {
        if (closed) {
            throw new IllegalStateException("device buffer used after close");
        }
        return mem;
    }

    /** A pointer to the handle, as clSetKernelArg takes it: made once, not per launch. */
    org.jocl.Pointer pointer() {
        mem();
        return pointer;
    }

    boolean isClosed() {
        return closed;
    }

    public long bytes() {
        return bytes;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            clReleaseMemObject(mem);
        }
    }
}
