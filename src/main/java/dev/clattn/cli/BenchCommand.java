package dev.clattn.cli;

import dev.clattn.Attention;
import dev.clattn.AttentionPath;
import dev.clattn.AttentionRequest;
import dev.clattn.Backend;
import dev.clattn.BackendKind;
import dev.clattn.Causal;
import dev.clattn.Config;
import dev.clattn.Shape;
import dev.clattn.tune.Float64Check;
import dev.clattn.tune.Timing;
import dev.clattn.opencl.OpenClBackend;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code clattn bench}: self-attention over a sweep of N for each path (fused, three-kernel, CPU fallback).
 * Each result is checked against float64 on sampled rows before it is timed; then one warm-up and
 * {@code --repeat} timed calls, end to end (host clock, transfers included). Writes CSV, Markdown, JSON and PNG.
 */
@Command(name = "bench", description = "Benchmark the paths over a sweep of sequence lengths.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--preset", defaultValue = "cpu", paramLabel = "cpu|gpu|decode",
            description = "cpu: B=1 H=8 D=64 N=512..4096; gpu: B*N=16k, hidden 2048, D=64/128, N=512..16k; "
                    + "decode: Nq=1, B=4 H=8 D=64, Nk=1k..32k (not causal)")
    String preset;
    @Option(names = "--n", split = ",", paramLabel = "N", description = "sequence lengths (overrides the preset)")
    int[] lengths;
    @Option(names = "--paths", split = ",", defaultValue = "fused,three-kernel,cpu",
            paramLabel = "fused|three-kernel|cpu")
    List<String> paths;
    @Option(names = "--causal", defaultValue = "both", paramLabel = "both|yes|no")
    String causal;
    @Option(names = "--repeat", defaultValue = "7")
    int repeat;
    @Option(names = "--out", paramLabel = "DIR", description = "where bench.csv, .md, .json and .png go")
    Path out;
    @Spec
    CommandSpec spec;

    record Row(String path, Shape shape, boolean causal, double medianMs, double minMs, double gflops, double error,
            long deviceBytes, String device, String params) {
    }

    private List<Shape> shapes() {
        List<Shape> shapes = new ArrayList<>();
        if (preset.equals("gpu")) {
            int[] ns = lengths != null ? lengths : new int[] {512, 1024, 2048, 4096, 8192, 16384};
            for (int d : new int[] {64, 128}) {
                for (int n : ns) {
                    shapes.add(Shape.of(Math.max(1, 16384 / n), 2048 / d, n, d));
                }
            }
        } else if (preset.equals("decode")) {
            for (int n : lengths != null ? lengths : new int[] {1024, 4096, 16384, 32768}) {
                shapes.add(new Shape(4, 8, 8, 1, n, 64, 64));
            }
        } else if (preset.equals("cpu")) {
            for (int n : lengths != null ? lengths : new int[] {512, 1024, 2048, 4096}) {
                shapes.add(Shape.of(1, 8, n, 64));
            }
        } else {
            throw new IllegalArgumentException("--preset: expected cpu, gpu or decode, got '" + preset + "'");
        }
        return shapes;
    }

    @Override
    public Integer call() throws IOException {
        if (repeat < 1) {
            throw new IllegalArgumentException("--repeat: expected >= 1, got " + repeat);
        }
        boolean[] causals = preset.equals("decode") ? new boolean[] {false} : switch (causal) {
            case "both" -> new boolean[] {false, true};
            case "yes" -> new boolean[] {true};
            case "no" -> new boolean[] {false};
            default -> throw new IllegalArgumentException("--causal: expected both, yes or no, got '" + causal + "'");
        };
        PrintWriter w = spec.commandLine().getOut();
        List<Row> rows = new ArrayList<>();
        List<Shape> shapes = shapes();
        for (String path : paths) {
            Config config = config(path);
            try (Attention engine = Attention.open(config)) {
                for (Shape s : shapes) {
                    for (boolean c : causals) {
                        Row row = measure(engine.backend(), path, s, c);
                        rows.add(row);
                        w.println(format(row));
                        w.flush();
                    }
                }
            }
        }
        if (out != null) {
            BenchReport.write(out, rows);
        }
        return 0;
    }

    private static Config config(String path) {
        return switch (path) {
            case "fused" -> Config.builder().backend(BackendKind.OPENCL).path(AttentionPath.FUSED).build();
            case "three-kernel" -> Config.builder().backend(BackendKind.OPENCL).path(AttentionPath.THREE_KERNEL)
                    .build();
            case "cpu" -> Config.builder().backend(BackendKind.CPU).build();
            default -> throw new IllegalArgumentException("--paths: expected fused, three-kernel or cpu, got '" + path
                    + "'");
        };
    }

    private Row measure(Backend backend, String path, Shape s, boolean c) {
        AttentionRequest r = Float64Check.selfAttention(s, c ? Causal.TOP_LEFT : Causal.NONE, new Random(1));
        float[] first = backend.attention(r).output();
        double error = Float64Check.sampledError(r, first, 16);
        if (!(error < 1e-3)) {
            throw new IllegalStateException(path + " " + s + ": max error " + error + " against float64; not timed");
        }
        double[] ms = Timing.sortedMillis(repeat, () -> backend.attention(r));
        double median = ms[repeat / 2];
        double flops = 4.0 * s.heads() * s.queryLen() * (double) s.keyLen() * s.headDim() / (c ? 2 : 1);
        long held = backend instanceof OpenClBackend ocl ? ocl.deviceBytesHeld() : 0;
        String params = backend instanceof OpenClBackend ocl ? (path.equals("fused") ? ocl.fusedKernel(s)
                : ocl.threeKernelParams()) : "threads=" + Runtime.getRuntime().availableProcessors();
        return new Row(path, s, c, median, ms[0], flops / (median * 1e6), error, held, backend.device(), params);
    }

    private static String format(Row r) {
        return String.format(Locale.ROOT, "%-12s B=%-2d H=%-2d Nq=%-6d Nk=%-6d D=%-3d %-6s %10.2f ms (min %.2f) %8.1f "
                + "GFLOP/s  err %.1e  device mem %.1f MiB", r.path(), r.shape().batch(), r.shape().queryHeads(),
                r.shape().queryLen(), r.shape().keyLen(), r.shape().headDim(), r.causal() ? "causal" : "full", r.medianMs(), r.minMs(),
                r.gflops(), r.error(), r.deviceBytes() / 1048576.0);
    }
}
