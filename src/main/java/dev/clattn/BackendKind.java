package dev.clattn;

import java.util.Locale;

/** Which backend an engine uses. */
public enum BackendKind {
    /** The chosen OpenCL device, else the CPU fallback. */
    AUTO,
    /** OpenCL only: fails when there is no device. */
    OPENCL,
    /** The plain-Java fallback. */
    CPU;

    public static BackendKind parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("backend", "auto, opencl or cpu", "'" + text + "'", e);
        }
    }
}
