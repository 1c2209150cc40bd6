package dev.clattn;

/**
 * An OpenCL call failed: carries the call ({@code clEnqueueNDRangeKernel}), the OpenCL error name
 * ({@code CL_OUT_OF_RESOURCES}) and its code. The engine stays usable unless the error says the device is lost.
 */
public final class DeviceException extends RuntimeException {
    private final String call;
    private final String errorName;
    private final int errorCode;

    public DeviceException(String call, String errorName, int errorCode, String context, Throwable cause) {
        super(call + " failed: " + errorName + " (" + errorCode + ")" + (context == null ? "" : " " + context), cause);
        this.call = call;
        this.errorName = errorName;
        this.errorCode = errorCode;
    }

    /** The OpenCL function that failed. */
    public String call() {
        return call;
    }

    /** The OpenCL error name, such as {@code CL_MEM_OBJECT_ALLOCATION_FAILURE}. */
    public String errorName() {
        return errorName;
    }

    public int errorCode() {
        return errorCode;
    }
}
