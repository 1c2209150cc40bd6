package dev.clattn.tune;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Simulated annealing over a discrete space: a neighbour moves one parameter to an adjacent declared value;
 * a slower neighbour is still taken with probability exp(-(relative slowdown) / T), T shrinking each step,
 * so the search can leave a local optimum early and settles later. Rejected candidates count as infinitely slow.
 */
final class Annealing {
    private static final double START_TEMPERATURE = 0.3;
    private static final double COOLING = 0.92;

    private final Map<String, List<Integer>> space;
    private final Random rnd;

    Annealing(Map<String, List<Integer>> space, Random rnd) {
        this.space = space;
        this.rnd = rnd;
    }

    private Map<String, Integer> neighbour(Map<String, Integer> from) {
        List<String> names = new ArrayList<>(space.keySet());
        for (int attempt = 0; attempt < 32; attempt++) {
            String name = names.get(rnd.nextInt(names.size()));
            List<Integer> values = space.get(name);
            int at = values.indexOf(from.get(name));
            int to = at < 0 ? rnd.nextInt(values.size()) : at + (rnd.nextBoolean() ? 1 : -1);
            if (to >= 0 && to < values.size() && to != at) {
                Map<String, Integer> next = new TreeMap<>(from);
                next.put(name, values.get(to));
                return next;
            }
        }
        return from;
    }

    void run(Tuner.Candidate start, Function<Map<String, Integer>, Tuner.Candidate> evaluate, BooleanSupplier more) {
        Tuner.Candidate current = start;
        double temperature = START_TEMPERATURE;
        while (more.getAsBoolean()) {
            Tuner.Candidate next = evaluate.apply(neighbour(current.params()));
            if (next.ok()) {
                double gain = current.ok() ? (next.rate() - current.rate()) / current.rate() : 1;
                if (gain >= 0 || rnd.nextDouble() < Math.exp(gain / temperature)) {
                    current = next;
                }
            }
            temperature *= COOLING;
        }
    }
}
