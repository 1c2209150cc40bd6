package dev.clattn;

/**
 * A valid request whose arrays or device buffers need more memory than the JVM heap or the device can
 * give; refused before anything is allocated. {@link #argument()} names the array, {@link #bytes()} what it
 * alone would need.
 */
public final class RequestTooLargeException extends InvalidRequestException {
    private final long bytes;

    public RequestTooLargeException(String argument, long bytes, String limit) {
        super(argument, "at most " + limit, Bytes.describe(bytes) + " (" + bytes + " bytes)");
        this.bytes = bytes;
    }

    public long bytes() {
        return bytes;
    }
}
