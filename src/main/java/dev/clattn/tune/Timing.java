package dev.clattn.tune;

import java.util.Arrays;

/** Host-clock timing of repeated calls, shared by the demo, the benchmarks and the tuner. */
public final class Timing {
    private Timing() {
    }

    /** Runs {@code call} {@code repeat} times and returns each duration in milliseconds, sorted. */
    public static double[] sortedMillis(int repeat, Runnable call) {
        double[] ms = new double[repeat];
        for (int n = 0; n < repeat; n++) {
            long t0 = System.nanoTime();
            call.run();
            ms[n] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms;
    }
}
