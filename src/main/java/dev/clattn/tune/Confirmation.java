package dev.clattn.tune;

import java.util.Arrays;
import java.util.List;

/**
 * The verdict on a search's winner, from the defaults and the winner measured again, alternately, round by
 * round: on a noisy machine a search's winner may only have been lucky once. Each round gives a ratio
 * r = defaults time / best time; a round's two timings are taken back to back, so the machine getting busier
 * or quieter between rounds moves both and leaves r alone.
 * <ul>
 * <li>{@link #speedup()}: the median of the per-round ratios, the figure to report;
 * <li>{@link #spread()}: half their range, (max r − min r) / 2: how far the confirmation itself moves;
 * <li>{@link #improves()}: speedup − 1 > spread, the winner beats the defaults by more than that noise (with
 *     two rounds: both ratios above 1). Anything less is "no improvement" and not worth a profile.
 * </ul>
 *
 * @param defaultsMs median over the rounds of the defaults' time
 * @param bestMs     median over the rounds of the winner's time
 * @param ratios     defaults / best, per round, in round order
 */
public record Confirmation(double defaultsMs, double bestMs, List<Double> ratios) {

    public Confirmation {
        ratios = List.copyOf(ratios);
    }

    /** From each round's time (ms) of the defaults and of the winner; at least two rounds, every time > 0. */
    public static Confirmation of(double[] defaultsMs, double[] bestMs) {
        if (bestMs.length != defaultsMs.length) {
            throw new IllegalArgumentException("bestMs: expected one time per round of defaultsMs (" + defaultsMs.length
                    + "), got " + bestMs.length);
        }
        if (defaultsMs.length < 2) {
            throw new IllegalArgumentException("rounds: expected >= 2 (a spread needs two ratios), got "
                    + defaultsMs.length);
        }
        Double[] ratios = new Double[defaultsMs.length];
        for (int r = 0; r < ratios.length; r++) {
            positive("defaultsMs", defaultsMs[r], r);
            positive("bestMs", bestMs[r], r);
            ratios[r] = defaultsMs[r] / bestMs[r];
        }
        return new Confirmation(median(defaultsMs), median(bestMs), List.of(ratios));
    }

    private static void positive(String name, double ms, int round) {
        if (!(ms > 0) || Double.isInfinite(ms)) {
            throw new IllegalArgumentException(name + ": expected a time > 0 ms in round " + round + ", got " + ms);
        }
    }

    public int rounds() {
        return ratios.size();
    }

    public double speedup() {
        return median(ratios.stream().mapToDouble(Double::doubleValue).toArray());
    }

    public double spread() {
        double[] r = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return (r[r.length - 1] - r[0]) / 2;
    }

    public boolean improves() {
        return speedup() - 1 > spread();
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }
}
