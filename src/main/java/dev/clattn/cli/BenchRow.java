package dev.clattn.cli;

import dev.clattn.Shape;
import dev.clattn.Storage;

/**
 * One line of a benchmark: a whole path, or one kernel of it timed alone by profiling events.
 *
 * @param path fused, three-kernel, cpu, java-loop or kv-cache
 * @param kernel the kernel's name for a kernel row, "" for the whole path
 * @param tuning where the kernel parameters came from: "profiles" (with any that match) or "defaults"
 * @param mask none, causal, padding or bias ({@link BenchWorkloads#request})
 * @param hostMedianMs end to end on the host clock, transfers included (NaN for kernel rows)
 * @param kernelMedianMs device time from profiling events: all the path's kernels, or this kernel (NaN on the CPU)
 * @param gflops useful FLOPs (visible pairs only: causal counts half) over the kernel median, or over the host
 *     median without one
 * @param gflopsEndToEnd the path's FLOPs over the host median
 * @param gbPerS bytes read and written over the kernel median, for memory-bound kernels (softmax_rows,
 *     attention_paged)
 * @param peakFraction gflops over the measured FMA peak, or gbPerS over the measured copy bandwidth
 * @param error max |O − float64| over sampled rows, checked before timing (NaN for kernel rows)
 */
record BenchRow(String path, String kernel, String tuning, Shape shape, String mask, Storage storage,
        double hostMedianMs, double hostMinMs, double kernelMedianMs, double kernelMinMs, double gflops,
        double gflopsEndToEnd, double gbPerS, double peakFraction, double error, long deviceBytes, String device,
        String params) {

    /**
     * FLOPs of the whole attention over the visible share of (query, key) pairs: 4·B·H·Nq·Nk·D (Q·Kᵀ and A·V)
     * times that share (one half when causal).
     */
    static double attentionFlops(Shape s, double visible) {
        return (2.0 * s.headDim() + 2.0 * s.valueDim()) * s.heads() * s.queryLen() * (double) s.keyLen() * visible;
    }

    /** FLOPs of one kernel when it is compute-bound, else NaN. */
    static double kernelFlops(String kernel, Shape s, double visible) {
        double pairs = (double) s.heads() * s.queryLen() * s.keyLen() * visible;
        return switch (kernel) {
            case "qkt" -> 2 * pairs * s.headDim();
            case "av" -> 2 * pairs * s.valueDim();
            case "attention_flash", "attention_fused", "attention_fused_vec" -> attentionFlops(s, visible);
            default -> Double.NaN;
        };
    }

    /** Bytes one kernel reads and writes when it is memory-bound, else NaN. */
    static double kernelBytes(String kernel, Shape s) {
        // softmax_rows reads every score and writes every weight, hidden ones included.
        // attention_paged reads every cached key and value row once per KV head.
        return switch (kernel) {
            case "softmax_rows" -> 2.0 * 4 * s.heads() * s.queryLen() * s.keyLen();
            case "attention_paged", "attention_paged_vec" -> 4.0 * s.batch() * s.kvHeads() * s.keyLen() * (s.headDim() + s.valueDim());
            default -> Double.NaN;
        };
    }

    String label() {
        return kernel.isEmpty() ? path : "  " + kernel;
    }
}
