package dev.clattn;

import dev.clattn.spi.Backend;

import java.util.List;

/**
 * Float data uploaded once and kept by the engine (in device memory on OpenCL, a private copy on the CPU
 * fallback), to be used by many requests without crossing to the device again: a prompt's K and V, a shared
 * prefix. Give it to a request with {@code AttentionRequest.Builder.k(tensor)} (or q, v) where the host data
 * would go; it must have the elements that argument needs. An engine of several lanes holds one copy per lane.
 * Close it to free the memory; the engine frees those still open when it closes. Using it after either is an
 * {@link IllegalStateException}, and with another engine an {@link InvalidRequestException}.
 */
public final class DeviceTensor implements AutoCloseable {
    private final List<Backend> owners;
    private final List<Object> handles;
    private final long length;
    private volatile boolean closed;

    DeviceTensor(List<Backend> owners, List<Object> handles, long length) {
        this.owners = List.copyOf(owners);
        this.handles = List.copyOf(handles);
        this.length = length;
    }

    /** Elements held. */
    public long length() {
        return length;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * The backend's own handle to the data (its device buffer, or its array), for {@code argument} of a request
     * that {@code backend} runs.
     */
    Object handle(Backend backend, String argument) {
        if (closed) {
            throw new IllegalStateException(argument + ": the device tensor was closed");
        }
        int at = owners.indexOf(backend);
        if (at < 0) {
            throw new InvalidRequestException(argument, "a tensor uploaded to this engine", "one of another engine");
        }
        return handles.get(at);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            for (int i = 0; i < owners.size(); i++) {
                owners.get(i).freeResident(handles.get(i));
            }
        }
    }
}
