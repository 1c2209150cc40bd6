package dev.clattn.opencl;

import dev.clattn.DeviceException;
import java.util.function.Supplier;
import org.jocl.CL;
import org.jocl.CLException;

/** The one place where JOCL's CLException becomes a {@link DeviceException} naming the call and the error. */
final class ClCalls {
    private ClCalls() {
    }

    /**
     * Runs one OpenCL call. {@code context} says what the call was for; it is built only on failure, so that
     * the hot path (kernel arguments, launches) pays for no message.
     */
    static <T> T check(String call, Supplier<String> context, Supplier<T> op) {
        try {
            return op.get();
        } catch (CLException e) {
            throw new DeviceException(call, CL.stringFor_errorCode(e.getStatus()), e.getStatus(), context.get(), e);
        }
    }

    /** The DeviceException for a call made directly, where a lambda per call would be the hot path's cost. */
    static DeviceException failed(String call, CLException e, String context) {
        return new DeviceException(call, CL.stringFor_errorCode(e.getStatus()), e.getStatus(), context, e);
    }
}
