package dev.clattn.tune;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/** Timing of repeated calls, shared by the demo, the benchmarks and the tuner. */
public final class Timing {
    private Timing() {
    }

    /**
     * Sorted durations (ms) of repeated calls: on the host clock, and on the device per kernel from profiling
     * events (empty when the backend does not profile).
     *
     * @param hostMs end to end, transfers included
     * @param kernelMs device time of all the call's kernels together; empty without profiling
     * @param perKernelMs device time per kernel name
     */
    public record Samples(double[] hostMs, double[] kernelMs, Map<String, double[]> perKernelMs) {
        public static double median(double[] sorted) {
            return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
        }

        public static double min(double[] sorted) {
            return sorted.length == 0 ? Double.NaN : sorted[0];
        }
    }

    /** Runs {@code call} {@code repeat} times and returns each duration in milliseconds, sorted. */
    public static double[] sortedMillis(int repeat, Runnable call) {
        return sample(repeat, call, Map::of).hostMs();
    }

    /**
     * Runs {@code call} {@code repeat} times; after each, {@code kernelMillis} gives the device time per kernel
     * of that call (and forgets it). A kernel that runs in only some calls counts zero in the others.
     */
    public static Samples sample(int repeat, Runnable call, Supplier<Map<String, Double>> kernelMillis) {
        kernelMillis.get(); // drop whatever earlier calls left
        double[] host = new double[repeat];
        double[] total = new double[repeat];
        Map<String, double[]> per = new TreeMap<>();
        boolean profiled = false;
        for (int n = 0; n < repeat; n++) {
            long t0 = System.nanoTime();
            call.run();
            host[n] = (System.nanoTime() - t0) / 1e6;
            Map<String, Double> kernels = kernelMillis.get();
            profiled |= !kernels.isEmpty();
            for (Map.Entry<String, Double> e : kernels.entrySet()) {
                per.computeIfAbsent(e.getKey(), k -> new double[repeat])[n] = e.getValue();
                total[n] += e.getValue();
            }
        }
        Arrays.sort(host);
        Arrays.sort(total);
        per.values().forEach(Arrays::sort);
        return new Samples(host, profiled ? total : new double[0], per);
    }
}
