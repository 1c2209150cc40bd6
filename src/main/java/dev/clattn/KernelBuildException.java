package dev.clattn;

/** An OpenCL kernel failed to compile; carries the compiler's build log and the options used. */
public final class KernelBuildException extends RuntimeException {
    private final String kernel;
    private final String options;
    private final String buildLog;

    public KernelBuildException(String kernel, String options, String buildLog, Throwable cause) {
        super("building kernel '" + kernel + "' failed with options [" + options + "]:\n" + buildLog, cause);
        this.kernel = kernel;
        this.options = options;
        this.buildLog = buildLog;
    }

    public String kernel() {
        return kernel;
    }

    public String options() {
        return options;
    }

    public String buildLog() {
        return buildLog;
    }
}
