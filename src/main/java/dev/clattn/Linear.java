package dev.clattn;

/**
 * Y = X·Wᵀ + b, PyTorch's {@code nn.Linear} (W is [out][in]): the projections of attention layers and the
 * non-local block's 1×1 convolutions, run on the engine ({@link Attention#computeLinear}) by linear.cl.
 *
 * @param x      [rows][in], row-major
 * @param weight [out][in]
 * @param bias   [out], or null for none
 */
public record Linear(float[] x, int rows, int in, float[] weight, int out, float[] bias) {
    public Linear {
        if (rows < 1 || in < 1 || out < 1) {
            throw new InvalidRequestException("linear", "rows, in and out >= 1", rows + ", " + in + " and " + out);
        }
        if (x == null || x.length != (long) rows * in) {
            throw new InvalidRequestException("x", "[rows, in] = [" + rows + ", " + in + "] = " + (long) rows * in
                    + " floats", x == null ? "null" : x.length + " floats");
        }
        if (weight == null || weight.length != (long) out * in) {
            throw new InvalidRequestException("weight", "[out, in] = [" + out + ", " + in + "] = " + (long) out * in
                    + " floats", weight == null ? "null" : weight.length + " floats");
        }
        if (bias != null && bias.length != out) {
            throw new InvalidRequestException("bias", "[out] = " + out + " floats", bias.length + " floats");
        }
        HostMemory.floats("output", (long) rows * out);
    }
}
