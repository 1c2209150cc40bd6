package dev.clattn.cli;

import dev.clattn.Attention;
import dev.clattn.AttentionPath;
import dev.clattn.AttentionRequest;
import dev.clattn.spi.Backend;
import dev.clattn.BackendKind;
import dev.clattn.Config;
import dev.clattn.Shape;
import dev.clattn.Storage;
import dev.clattn.opencl.DevicePeak;
import dev.clattn.opencl.OpenCl;
import dev.clattn.opencl.OpenClBackend;
import dev.clattn.tune.Float64Check;
import dev.clattn.tune.Timing;
import dev.clattn.tune.Timing.Samples;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code clattn bench}: each path (fused, three-kernel, CPU fallback) and each of its kernels over a preset
 * sweep or named workloads. Every result is checked against float64 on sampled rows before it is timed; then
 * warm-up calls and {@code --repeat} timed ones: end to end on the host clock, and per kernel from OpenCL
 * profiling events. GFLOP/s and GB/s are set against the device's peak, measured by two micro-kernels.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmark the paths and their kernels over a sweep of shapes.")
final class BenchCommand implements Callable<Integer>, ArgumentOptions {
    @Option(names = "--preset", defaultValue = "cpu", paramLabel = "cpu|flash|decode",
            description = BenchWorkloads.PRESETS)
    String preset;
    @Option(names = "--n", split = ",", paramLabel = "N", description = "sequence lengths (overrides the preset's)")
    int[] lengths;
    @Option(names = "--shape", paramLabel = "B=..,H=..,N=..[,Hk=..,Nq=..,Nk=..,D=..,Dv=..]",
            description = "a workload to run instead of the preset (repeatable)")
    List<String> shapeSpecs;
    /** The plain Java loop a user would write, timed beside the CPU fallback (masks none and causal only). */
    static final String JAVA_LOOP = "java-loop";
    /** Decode steps from a paged KV cache: {@link dev.clattn.tune.DecodeSteps}. */
    static final String KV_CACHE = "kv-cache";

    @Option(names = "--paths", split = ",", defaultValue = "fused,three-kernel,cpu",
            paramLabel = "fused|three-kernel|cpu|java-loop|kv-cache", description = "java-loop: the plain "
            + "multi-threaded Java loop peer (masks none and causal); kv-cache: decode shapes (Nq = 1, mask none) "
            + "from a paged KV cache on the OpenCL device, each step appending one token per sequence")
    List<String> paths;
    @Option(names = "--mask", split = ",", paramLabel = "none|causal|padding|bias|window|edges", description =
            "masks to run: none, causal (top-left), padding (per-batch key lengths), bias (additive, per key), window "
            + "(--window), edges (--degree); default none,causal (decode: none)")
    List<String> masks;
    @Option(names = "--window", defaultValue = "255,0", paramLabel = "LEFT,RIGHT",
            description = "the sliding window of --mask window (default 255,0: each query and the 255 keys before)")
    String window;
    @Option(names = "--degree", defaultValue = "16", paramLabel = "D",
            description = "edges per query row of --mask edges (a random graph)")
    int degree;
    @Option(names = "--score", split = ",", defaultValue = "dot", paramLabel = "SCORE[/mean]", description =
            "score functions to run: dot, neg-sq-dist, additive (random [2,D] weights, ReLU), each with /mean for the "
            + "mean normalisation; rows other than dot are labelled mask+score")
    List<String> scores;
    @Option(names = "--storage", split = ",", defaultValue = "f32", paramLabel = "f32|f16-kv|f16",
            description = "device storage of the inputs; half storage runs on the fused path only")
    List<String> storages;
    @Option(names = "--tuning", defaultValue = "profiles", paramLabel = "profiles|defaults|both",
            description = "kernel parameters from tuning profiles (where one matches), the built-in defaults, or both")
    String tuning;
    @Option(names = "--repeat", defaultValue = "7", description = "timed calls per row (median and min reported)")
    int repeat;
    @Option(names = "--warmup", defaultValue = "2", description = "untimed calls before timing, the checked call included")
    int warmup;
    @Option(names = "--max-error", defaultValue = "1e-4",
            description = "largest |O - float64| on sampled rows for a result to be timed")
    double maxError;
    @Option(names = "--no-peak", description = "skip the FMA and copy micro-kernels (no fraction of peak)")
    boolean noPeak;
    @Option(names = "--kernels", paramLabel = "DIR", description = "kernel sources to use instead of the jar's "
            + "(as clattn.kernels): edited kernels, no rebuild")
    Path kernels;
    @Option(names = "--peer", paramLabel = "ort|CSV", description = "a peer to set beside clattn (repeatable). "
            + "ort: ONNX Runtime's Java API run here on the same inputs by two routes, ort-matmul (MatMul, Softmax, "
            + "MatMul) and ort-attention (the opset-23 Attention op), masks none and causal, f32, checked like "
            + "clattn's rows and timed end to end (needs the onnxruntime jar on the class path: ./clattn adds it). "
            + "CSV: rows from a file such as bench/peers/sdpa.py's peer.csv (a file named ort: ./ort). Each adds "
            + "its rows to the report and chart, and a ratio table")
    List<String> peers;
    @Option(names = "--out", paramLabel = "DIR", description = "where bench.csv, .md, .json and .png go")
    Path out;
    @Spec
    CommandSpec spec;

    private DevicePeak peak;
    private boolean peakOnCpu;

    /** Shape dimensions come from --shape when given, else the preset's, with N from --n. */
    @Override
    public Map<String, String> optionsByArgument() {
        Map<String, String> options = new HashMap<>(Map.of("storage", "--storage"));
        for (String dim : List.of("batch", "queryHeads", "kvHeads", "queryLen", "keyLen", "headDim", "valueDim",
                "shape")) {
            options.put(dim, shapeSpecs != null ? "--shape" : "--preset");
        }
        if (shapeSpecs == null && lengths != null) {
            options.putAll(Map.of("queryLen", "--n", "keyLen", "--n", "shape", "--n"));
        }
        return options;
    }

    @Override
    public Integer call() throws IOException {
        if (repeat < 1 || warmup < 0) {
            throw new IllegalArgumentException("--repeat/--warmup: expected >= 1 and >= 0, got " + repeat + " and "
                    + warmup);
        }
        List<Shape> shapes = shapeSpecs != null ? shapeSpecs.stream().map(BenchWorkloads::parse).toList()
                : BenchWorkloads.preset(preset, lengths);
        List<String> maskKinds = masks != null ? masks
                : preset.equals("decode") && shapeSpecs == null ? List.of("none") : List.of("none", "causal");
        for (String m : maskKinds) {
            if (!BenchWorkloads.MASKS.contains(m)) {
                throw new IllegalArgumentException("--mask: expected some of " + String.join(", ", BenchWorkloads.MASKS)
                        + ", got '" + m + "'");
            }
        }
        if (degree < 1) {
            throw new IllegalArgumentException("--degree: expected >= 1, got " + degree);
        }
        int[] windowSize = RunCommand.window(window);
        if (windowSize[0] < -1 || windowSize[1] < -1) {
            throw new IllegalArgumentException("--window: expected LEFT,RIGHT each >= -1 (-1 = unbounded), got "
                    + window);
        }
        scores.forEach(BenchWorkloads::checkScore);
        List<Storage> storage = storages.stream().map(Storage::parse).toList();
        List<String> tunings = switch (tuning) {
            case "profiles", "defaults" -> List.of(tuning);
            case "both" -> List.of("defaults", "profiles");
            default -> throw new IllegalArgumentException("--tuning: expected profiles, defaults or both, got '"
                    + tuning + "'");
        };
        paths.stream().filter(p -> !p.equals(JAVA_LOOP)).forEach(p -> config(p, "profiles")); // fails now, not late
        List<BenchRow> peerRows = new ArrayList<>();
        boolean ort = false;
        for (String p : peers != null ? peers : List.<String>of()) {
            if (p.equals(BenchPeers.ORT)) {
                ort = true;
            } else {
                peerRows.addAll(BenchPeers.read(BenchPeers.csv(p)));
            }
        }
        if (ort) {
            BenchPeers.requireOrt();
            maskKinds.stream().filter(m -> !m.equals("none") && !m.equals("causal")).findFirst().ifPresent(m -> {
                throw new IllegalArgumentException("--mask: expected none or causal with --peer ort, got '" + m + "'");
            });
            if (!scores.equals(List.of("dot"))) {
                throw new IllegalArgumentException("--score: expected dot with --peer ort, got " + scores);
            }
        }
        PrintWriter w = spec.commandLine().getOut();
        if (!noPeak && paths.stream().anyMatch(p -> p.equals("fused") || p.equals("three-kernel"))) {
            measurePeak(w);
        }
        w.println(BenchReport.header());
        List<BenchRow> rows = new ArrayList<>();
        Map<String, Backend> engines = new LinkedHashMap<>();
        Map<String, Attention> caches = new LinkedHashMap<>();
        OrtPeer ortPeer = ort ? new OrtPeer() : null;
        OrtPeer.Settings ortSettings = new OrtPeer.Settings(warmup, repeat, maxError, peakOnCpu && peak != null
                ? peak.fmaGflops() : Double.NaN);
        try {
            for (String path : paths) {
                for (String t : path.equals("cpu") || path.equals(JAVA_LOOP) ? List.of("-") : tunings) {
                    if (path.equals(KV_CACHE)) {
                        Attention a = Attention.open(config(path, t));
                        caches.put(path + "/" + t, a);
                        engines.put(path + "/" + t, dev.clattn.spi.Backends.of(a));
                    } else {
                        engines.put(path + "/" + t, path.equals(JAVA_LOOP) ? new JavaLoopPeer()
                                : dev.clattn.spi.Backends.create(config(path, t)));
                    }
                }
            }
            // Inputs are made once per shape and mask and shared by every storage and path.
            for (Shape s : shapes) {
                for (String mask : maskKinds) {
                    AttentionRequest plain = BenchWorkloads.request(s, mask, windowSize, degree);
                    for (String score : scores) {
                        AttentionRequest base = BenchWorkloads.withScore(plain, score);
                        String label = BenchWorkloads.label(mask, score);
                        for (Storage st : storage) {
                            AttentionRequest r = st == Storage.F32 ? base : BenchWorkloads.withStorage(base, st);
                            for (Map.Entry<String, Backend> e : engines.entrySet()) {
                                String[] pathTuning = e.getKey().split("/");
                                if (st == Storage.F32 || pathTuning[0].equals("fused")) {
                                    for (BenchRow row : measure(e.getValue(), caches.get(e.getKey()), pathTuning[0],
                                            pathTuning[1], r, mask, label)) {
                                        rows.add(row);
                                        w.println(BenchReport.line(row));
                                        w.flush();
                                    }
                                }
                            }
                        }
                    }
                    // ONNX Runtime runs right after clattn on the same inputs: float32 only, whatever --storage.
                    for (BenchRow row : ortPeer == null ? List.<BenchRow>of() : ortPeer.measure(plain, mask,
                            ortSettings, w)) {
                        rows.add(row);
                        w.println(BenchReport.line(row));
                        w.flush();
                    }
                }
            }
        } finally {
            engines.values().forEach(Backend::close);
        }
        rows.addAll(peerRows);
        if (out != null) {
            BenchReport.write(out, rows, peak);
            w.println("wrote " + out.resolve("bench.csv") + ", bench.md, bench.json, bench.png");
        }
        return 0;
    }

    private void measurePeak(PrintWriter w) {
        Config config = config("fused", "profiles");
        OpenCl.Device device = OpenCl.choose(OpenCl.probe(), config).orElse(null);
        if (device != null) {
            peak = DevicePeak.measure(device, config.kernelDir());
            peakOnCpu = device.info().isCpu();
            w.println("peak of " + device.info().describe() + ": " + peak.describe());
        }
    }

    private Config config(String path, String tuning) {
        Config.Builder b = switch (path) {
            case "fused", KV_CACHE -> Config.builderFromEnvironment().backend(BackendKind.OPENCL)
                    .path(AttentionPath.FUSED);
            case "three-kernel" -> Config.builderFromEnvironment().backend(BackendKind.OPENCL).path(AttentionPath.THREE_KERNEL);
            case "cpu" -> Config.builderFromEnvironment().backend(BackendKind.CPU);
            default -> throw new IllegalArgumentException("--paths: expected fused, three-kernel, cpu, " + JAVA_LOOP
                    + " or " + KV_CACHE + ", got '" + path + "'");
        };
        if (kernels != null) {
            b.kernelDir(kernels);
        }
        return b.profiling(true).useProfiles(!tuning.equals("defaults")).build();
    }

    /** @param cache the engine of the kv-cache path, else null */
    private List<BenchRow> measure(Backend backend, Attention cache, String path, String tuning, AttentionRequest r,
            String mask, String label) {
        if (cache == null) {
            return measure(backend, path, tuning, r, mask, label, () -> backend.attention(r), 0);
        }
        if (!label.equals("none") || r.storage() != Storage.F32) {
            throw new IllegalArgumentException("--paths " + KV_CACHE + ": expected --mask none, --score dot and "
                    + "--storage f32, got " + label + " and " + r.storage());
        }
        try (dev.clattn.tune.DecodeSteps kv = new dev.clattn.tune.DecodeSteps(cache, r, warmup + repeat + 1,
                dev.clattn.tune.DecodeSteps.BLOCK)) {
            return measure(backend, path, tuning, r, mask, label, kv::step, kv.bytesHeld());
        }
    }

    /** {@code label}: the row's workload, the mask with any score function other than dot/softmax. */
    private List<BenchRow> measure(Backend backend, String path, String tuning, AttentionRequest r, String mask,
            String label, java.util.function.Supplier<dev.clattn.AttentionResult> call, long cacheBytes) {
        Shape s = r.shape();
        Storage st = r.storage();
        double visible = BenchWorkloads.visibleFraction(r, mask);
        double error = Float64Check.sampledError(r, call.get().output(), 16);
        if (!(error <= maxError)) {
            throw new IllegalStateException(path + " " + s + " " + label + " " + st + ": max error " + error
                    + " against float64 exceeds --max-error " + maxError + "; not timed");
        }
        OpenClBackend ocl = backend instanceof OpenClBackend o ? o : null;
        for (int i = 1; i < warmup; i++) {
            call.get();
        }
        Samples t = Timing.sample(repeat, call::get, ocl == null ? Map::of : ocl::takeKernelMillis);
        long held = (ocl != null ? ocl.deviceBytesHeld() : 0) + cacheBytes;
        String params = ocl == null ? "threads=" + Runtime.getRuntime().availableProcessors()
                : path.equals("fused") ? ocl.fusedKernel(s) : path.equals(KV_CACHE) ? "blocks of "
                + dev.clattn.tune.DecodeSteps.BLOCK + " tokens" : ocl.threeKernelParams();
        double flops = BenchRow.attentionFlops(s, visible);
        double host = Samples.median(t.hostMs());
        double kernel = Samples.median(t.kernelMs());
        double gflops = flops / ((Double.isNaN(kernel) ? host : kernel) * 1e6);
        boolean peakApplies = ocl != null || peakOnCpu;
        List<BenchRow> rows = new ArrayList<>();
        rows.add(new BenchRow(path, "", tuning, s, label, st, host, Samples.min(t.hostMs()), kernel,
                Samples.min(t.kernelMs()), gflops, flops / (host * 1e6), Double.NaN,
                peakApplies ? fraction(gflops, true) : Double.NaN, error, held, backend.device(), params));
        for (Map.Entry<String, double[]> e : t.perKernelMs().entrySet()) {
            double ms = Samples.median(e.getValue());
            double kf = BenchRow.kernelFlops(e.getKey(), s, visible) / (ms * 1e6);
            double kb = BenchRow.kernelBytes(e.getKey(), s) / (ms * 1e6);
            rows.add(new BenchRow(path, e.getKey(), tuning, s, label, st, Double.NaN, Double.NaN, ms,
                    Samples.min(e.getValue()), kf, Double.NaN, kb, Double.isNaN(kb) ? fraction(kf, true)
                            : fraction(kb, false), Double.NaN, held, backend.device(), params));
        }
        return rows;
    }

    private double fraction(double rate, boolean compute) {
        return peak == null ? Double.NaN : rate / (compute ? peak.fmaGflops() : peak.copyGbPerS());
    }
}
