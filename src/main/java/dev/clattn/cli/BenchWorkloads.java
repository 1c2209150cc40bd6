package dev.clattn.cli;

import dev.clattn.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The shapes {@code clattn bench} runs: a preset's sweep, or workloads named by their dimensions. */
final class BenchWorkloads {
    static final String PRESETS = "cpu: B=1 H=8 D=64 N=512..4096 (sized for a 2-core CPU); "
            + "flash (or gpu): the FlashAttention benchmark convention, B*N=16k, hidden 2048, D=64 and 128, "
            + "N=512..16k; decode: Nq=1, B=4 H=8 D=64, Nk=1k..32k (not causal)";

    private BenchWorkloads() {
    }

    /** The preset's shapes, over {@code lengths} when given, else the preset's own sweep. */
    static List<Shape> preset(String preset, int[] lengths) {
        List<Shape> shapes = new ArrayList<>();
        switch (preset) {
            case "flash", "gpu" -> {
                for (int d : new int[] {64, 128}) {
                    for (int n : orElse(lengths, 512, 1024, 2048, 4096, 8192, 16384)) {
                        shapes.add(Shape.of(Math.max(1, 16384 / n), 2048 / d, n, d));
                    }
                }
            }
            case "decode" -> {
                for (int n : orElse(lengths, 1024, 4096, 16384, 32768)) {
                    shapes.add(new Shape(4, 8, 8, 1, n, 64, 64));
                }
            }
            case "cpu" -> {
                for (int n : orElse(lengths, 512, 1024, 2048, 4096)) {
                    shapes.add(Shape.of(1, 8, n, 64));
                }
            }
            default -> throw new IllegalArgumentException("--preset: expected cpu, flash, gpu or decode, got '" + preset
                    + "'");
        }
        return shapes;
    }

    private static int[] orElse(int[] given, int... preset) {
        return given != null ? given : preset;
    }

    /**
     * Parses a workload such as {@code B=2,Hq=32,Hk=8,Nq=1,Nk=8192,D=128}: H sets Hq and Hk, N sets Nq and Nk,
     * Dv defaults to D; B, H (or Hq) and N (or Nq and Nk) are required, D defaults to 64.
     */
    static Shape parse(String spec) {
        Map<String, Integer> v = new LinkedHashMap<>();
        for (String item : spec.split(",")) {
            String[] kv = item.trim().split("=");
            if (kv.length != 2 || !Set.of("B", "H", "Hq", "Hk", "N", "Nq", "Nk", "D", "Dv").contains(kv[0].trim())) {
                throw new IllegalArgumentException("--shape: expected KEY=value items with keys B, H, Hq, Hk, N, Nq, Nk, "
                        + "D, Dv, got '" + item.trim() + "' in '" + spec + "'");
            }
            try {
                v.put(kv[0].trim(), Integer.parseInt(kv[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--shape: " + kv[0].trim() + " expected an integer, got '"
                        + kv[1].trim() + "'", e);
            }
        }
        Integer hq = v.getOrDefault("Hq", v.get("H"));
        Integer nq = v.getOrDefault("Nq", v.get("N"));
        Integer nk = v.getOrDefault("Nk", v.get("N"));
        if (!v.containsKey("B") || hq == null || nq == null || nk == null) {
            throw new IllegalArgumentException("--shape: expected at least B, H (or Hq) and N (or Nq and Nk), got '"
                    + spec + "'");
        }
        int d = v.getOrDefault("D", 64);
        try {
            return new Shape(v.get("B"), hq, v.getOrDefault("Hk", v.getOrDefault("H", hq)), nq, nk, d,
                    v.getOrDefault("Dv", d));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--shape '" + spec + "': " + e.getMessage(), e);
        }
    }
}
