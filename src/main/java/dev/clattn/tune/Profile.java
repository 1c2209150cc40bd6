package dev.clattn.tune;

import java.util.Map;

/**
 * The tuned parameters of one kernel on one device for one shape bucket (head dimension, range of N).
 * A profile only applies to the kernel source it was tuned on ({@code sourceHash}), and only to the N of the
 * power-of-two buckets its range covers whole ({@link Profiles#bucket}). {@code gflops} is the rate the tuner
 * confirmed, in its unit for the kernel (GB/s for softmax_rows).
 */
public record Profile(String vendor, String device, String driver, String kernel, String sourceHash, int headDim,
        int nMin, int nMax, Map<String, Integer> params, double gflops, String date) {

    public Profile {
        params = Map.copyOf(params);
    }

    /** Same device, kernel, source and shape bucket: a newer tuning result replaces the older one. */
    boolean sameSlot(Profile o) {
        return vendor.equals(o.vendor) && device.equals(o.device) && driver.equals(o.driver) && kernel.equals(o.kernel)
                && sourceHash.equals(o.sourceHash) && headDim == o.headDim && nMin == o.nMin && nMax == o.nMax;
    }

    /** Whether [nMin, nMax] holds the whole power-of-two bucket {@code k}, N in [2^k, 2^(k+1)). */
    boolean covers(int k) {
        return nMin <= 1L << k && nMax >= (1L << (k + 1)) - 1;
    }

    long width() {
        return (long) nMax - nMin;
    }
}
