package dev.clattn.opencl;

/**
 * What clattn needs to know about one OpenCL device. Pure data, so that device choice and kernel-parameter
 * checks can be tested without a device.
 */
public record DeviceInfo(
        int platformIndex,
        String platformName,
        String platformVendor,
        int deviceIndex,
        String name,
        String vendor,
        String driverVersion,
        String type,
        int computeUnits,
        int clockMHz,
        long globalMemBytes,
        long localMemBytes,
        long maxAllocBytes,
        long maxWorkGroupSize,
        String openclCVersion,
        boolean fp64,
        boolean fp16,
        int preferredFloatVector) {

    /** Preference when choosing a device by default: GPU over accelerator over anything else over CPU. */
    public int typeRank() {
        return switch (type) {
            case "GPU" -> 3;
            case "ACCELERATOR" -> 2;
            case "CPU" -> 0;
            default -> 1;
        };
    }

    public boolean isCpu() {
        return "CPU".equals(type);
    }

    /** A one-line description for logs and the CLI. */
    public String describe() {
        return name.trim() + " (" + type + ", " + platformName.trim() + ", driver " + driverVersion.trim() + ")";
    }
}
