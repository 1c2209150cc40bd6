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

    /**
     * The class whose shipped parameters apply when no tuned profile does: cpu, nvidia-gpu, amd-gpu,
     * intel-gpu, or gpu for any other.
     */
    public String deviceClass() {
        if (isCpu()) {
            return "cpu";
        }
        String v = (vendor + " " + platformVendor).toLowerCase(java.util.Locale.ROOT);
        return v.contains("nvidia") ? "nvidia-gpu" : v.contains("advanced micro devices") || v.contains("amd")
                ? "amd-gpu" : v.contains("intel") ? "intel-gpu" : "gpu";
    }

    /** The fused kernel that suits this device: the vectorised one on CPUs, the GPU-shaped one elsewhere. */
    public String fusedKernel() {
        return isCpu() ? "attention_fused_vec" : "attention_flash";
    }

    /** A one-line description for logs and the CLI. */
    public String describe() {
        return name.trim() + " (" + type + ", " + platformName.trim() + ", driver " + driverVersion.trim() + ")";
    }
}
