package dev.clattn.tune;

import dev.clattn.AttentionRequest;
import dev.clattn.Config;
import dev.clattn.cpu.CpuBackend;
import dev.clattn.opencl.KernelSource;
import dev.clattn.opencl.OpenCl;
import dev.clattn.opencl.OpenClBackend;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Searches one kernel's parameter space on one device for one problem: a fused kernel on the fused path, or a
 * stage of the three-kernel path (qkt, softmax_rows, av) on that path, timed alone. Every candidate is checked
 * against float64 (sampled rows) with the tests' rule, its error at most twice the CPU fallback's and
 * never required below 1e-5, before it is timed; a candidate that breaks a constraint, fails to build,
 * crashes or is wrong is recorded as rejected with its reason and never chosen. Results go to a
 * {@link TuneCache} so that an interrupted session continues where it stopped.
 */
public final class Tuner {
    private static final int SAMPLED_ROWS = 16;

    /** The kernels a tuner searches: the fused kernels, then the stages of the three-kernel path. */
    public static final List<String> KERNELS = java.util.stream.Stream.concat(Config.FUSED_KERNELS.stream(),
            java.util.stream.Stream.of("qkt", "softmax_rows", "av", "attention_paged")).toList();

    /**
     * Tokens per cache block of the decode workload attention_paged is tuned on: 16, except on CPU devices,
     * where blocks that are a multiple of 4 take attention_paged_vec instead.
     */
    static int decodeBlock(dev.clattn.opencl.DeviceInfo info) {
        return info.isCpu() ? 15 : 16;
    }

    /**
     * One measured configuration; {@code medianMs} is the device time of the tuned kernel's launches in a call,
     * from profiling events (uploads, downloads and the other kernels do not depend on its parameters, so they
     * are left out); {@code rate} is the kernel's work over that time, in {@link #unit()}.
     */
    public record Candidate(Map<String, Integer> params, boolean ok, double medianMs, double rate, double error,
            String reason) {
    }

    /** Called after each candidate with the best so far (null while none passed). */
    public interface Listener {
        void measured(Candidate candidate, Candidate best);
    }

    /** The search's outcome: the defaults, the best, and every candidate tried. */
    public record Result(Candidate defaults, Candidate best, List<Candidate> tried) {
    }

    private final OpenCl.Device device;
    private final Config config;
    private final KernelSource source;
    private final AttentionRequest request;
    private final boolean stage;
    private final boolean decode;
    private final double work;
    private final int repeat;
    private final TuneCache cache;
    private final double allowedError;

    public Tuner(OpenCl.Device device, Config config, KernelSource source, AttentionRequest request, int repeat,
            TuneCache cache) {
        if (!KERNELS.contains(source.name())) {
            throw new IllegalArgumentException("kernel: expected one of " + String.join(", ", KERNELS) + ", got '"
                    + source.name() + "'");
        }
        if (source.space().isEmpty()) {
            throw new IllegalArgumentException("kernel: " + source.name() + " declares no tunable values (tune: ...)");
        }
        this.device = device;
        this.config = config;
        this.source = source;
        this.request = request;
        this.repeat = repeat;
        this.cache = cache;
        this.decode = source.name().equals("attention_paged");
        this.stage = !decode && !Config.FUSED_KERNELS.contains(source.name());
        if (decode && request.shape().queryLen() != 1) {
            throw new IllegalArgumentException("attention_paged is tuned on decode steps: expected Nq = 1, got "
                    + request.shape());
        }
        this.work = work(source.name(), request);
        try (CpuBackend cpu = new CpuBackend(config.threads())) {
            double reference = Float64Check.sampledError(request, cpu.attention(request).output(), SAMPLED_ROWS);
            this.allowedError = Math.max(2 * reference, 1e-5);
        }
    }

    /**
     * The kernel's work on this problem in the unit's numerator: FLOPs (an FMA counts 2) of Q·Kᵀ and P·V over
     * the visible half when causal, as the kernels skip the masked tiles; bytes of scores read and written for
     * softmax_rows, whose arithmetic is not what limits it.
     */
    private static double work(String kernel, AttentionRequest r) {
        var s = r.shape();
        double pairs = s.heads() * s.queryLen() * (double) s.keyLen() / (r.causal() == dev.clattn.Causal.NONE ? 1 : 2);
        return switch (kernel) {
            case "qkt" -> 2 * pairs * s.headDim();
            case "av" -> 2 * pairs * s.valueDim();
            case "softmax_rows" -> 8 * s.heads() * s.queryLen() * (double) s.keyLen();
            case "attention_paged" -> 4.0 * s.batch() * s.kvHeads() * s.keyLen() * (s.headDim() + s.valueDim());
            default -> 2 * pairs * (s.headDim() + s.valueDim());
        };
    }

    /** The unit of {@link Candidate#rate()}: GB/s for softmax_rows and attention_paged, GFLOP/s for the others. */
    public String unit() {
        return source.name().equals("softmax_rows") || decode ? "GB/s" : "GFLOP/s";
    }

    public String kernel() {
        return source.name();
    }

    public Map<String, List<Integer>> space() {
        return source.space();
    }

    public long spaceSize() {
        return source.space().values().stream().mapToLong(List::size).reduce(1, (a, b) -> a * b);
    }

    /** Measures one configuration (or returns its cached result). */
    public Candidate evaluate(Map<String, Integer> params) {
        Map<String, Integer> key = new TreeMap<>(params);
        Candidate cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        Candidate c = measure(key);
        cache.put(c);
        return c;
    }

    private Candidate measure(Map<String, Integer> params) {
        if (decode) {
            return measureDecode(params);
        }
        Config.Builder b = Config.builder().backend(config.backend()).kernelDir(config.kernelDir())
                .keySplits(config.keySplits()).useProfiles(false).profiling(true);
        Config one = stage ? b.path(dev.clattn.AttentionPath.THREE_KERNEL).build()
                : b.fusedKernel(source.name()).path(dev.clattn.AttentionPath.FUSED).build();
        try (OpenClBackend backend = new OpenClBackend(device, one, Map.of(source.name(), params))) {
            return timed(params, backend.attention(request).output(), () -> backend.attention(request),
                    backend::takeKernelMillis);
        } catch (RuntimeException e) {
            return rejected(params, e);
        }
    }

    /** attention_paged on decode steps from a KV cache: one token appended per sequence, then attention. */
    private Candidate measureDecode(Map<String, Integer> params) {
        Config one = Config.builder().backend(dev.clattn.BackendKind.OPENCL).platform(config.platform())
                .device(config.device()).kernelDir(config.kernelDir()).useProfiles(false).profiling(true)
                .params(Map.of(source.name(), params)).build();
        try (dev.clattn.Attention engine = dev.clattn.Attention.open(one);
                DecodeSteps steps = new DecodeSteps(engine, request, repeat + 2, decodeBlock(device.info()))) {
            OpenClBackend backend = (OpenClBackend) dev.clattn.spi.Backends.of(engine);
            return timed(params, steps.step().output(), steps::step, backend::takeKernelMillis);
        } catch (RuntimeException e) {
            return rejected(params, e);
        }
    }

    /**
     * A candidate's first answer checked against float64, then {@code repeat} calls timed: the tuned kernel's own
     * launches for a stage or attention_paged (which must have run), all of the call's kernels for a fused one.
     */
    private Candidate timed(Map<String, Integer> params, float[] first, Runnable call,
            java.util.function.Supplier<Map<String, Double>> kernelMillis) {
        double error = Float64Check.sampledError(request, first, SAMPLED_ROWS);
        if (!(error <= allowedError)) {
            return new Candidate(params, false, 0, 0, error, String.format(java.util.Locale.ROOT,
                    "wrong: max error %.3g against float64 exceeds %.3g", error, allowedError));
        }
        Timing.Samples t = Timing.sample(repeat, call, kernelMillis);
        double[] own = stage || decode ? t.perKernelMs().get(source.name()) : t.kernelMs();
        if (decode && own == null) {
            return new Candidate(params, false, 0, 0, error, "rejected: " + source.name() + " did not run");
        }
        double median = Timing.Samples.median(own != null && own.length > 0 ? own : t.hostMs());
        return new Candidate(params, true, median, work / (median * 1e6), error, "");
    }

    private static Candidate rejected(Map<String, Integer> params, RuntimeException e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst()
                .orElse("");
        return new Candidate(params, false, 0, 0, Double.NaN, "rejected: " + why);
    }

    /**
     * What the engine runs on this device without a profile: the file's defaults under the device's built-in
     * values. Every candidate is these with the searched tunables changed, so that a tunable outside the space
     * keeps the device's value and the defaults are recognised among the candidates.
     */
    Map<String, Integer> defaults() {
        Map<String, Integer> d = new TreeMap<>(source.defaults());
        d.putAll(dev.clattn.opencl.BuiltinParams.of(source, device.info(), request.shape().headDim()));
        return d;
    }

    /** Every combination of the declared values, in declaration order, over {@link #defaults()}. */
    List<Map<String, Integer>> all() {
        List<Map<String, Integer>> out = new ArrayList<>();
        out.add(new LinkedHashMap<>(defaults()));
        for (var e : source.space().entrySet()) {
            List<Map<String, Integer>> next = new ArrayList<>();
            for (Map<String, Integer> partial : out) {
                for (int v : e.getValue()) {
                    Map<String, Integer> m = new LinkedHashMap<>(partial);
                    m.put(e.getKey(), v);
                    next.add(m);
                }
            }
            out = next;
        }
        return out;
    }

    /**
     * Runs a search: "exhaustive", "random", "anneal", or "auto" (exhaustive when the space fits the budget,
     * annealing otherwise). The kernel's defaults are always measured first.
     */
    public Result run(String strategy, int maxConfigs, double maxSeconds, long seed, Listener listener) {
        long deadline = System.nanoTime() + (long) (maxSeconds * 1e9);
        List<Candidate> tried = new ArrayList<>();
        Candidate[] best = new Candidate[1];
        java.util.function.Function<Map<String, Integer>, Candidate> step = p -> {
            Candidate c = evaluate(p);
            tried.add(c);
            if (c.ok() && (best[0] == null || c.rate() > best[0].rate())) {
                best[0] = c;
            }
            listener.measured(c, best[0]);
            return c;
        };
        Candidate defaults = step.apply(defaults());
        String chosen = strategy.equals("auto") ? (spaceSize() <= maxConfigs ? "exhaustive" : "anneal") : strategy;
        Random rnd = new Random(seed);
        switch (chosen) {
            case "exhaustive", "random" -> {
                List<Map<String, Integer>> order = all();
                if (chosen.equals("random")) {
                    Collections.shuffle(order, rnd);
                }
                for (Map<String, Integer> p : order) {
                    if (tried.size() >= maxConfigs || System.nanoTime() > deadline) {
                        break;
                    }
                    if (!new TreeMap<>(p).equals(defaults.params())) {
                        step.apply(p);
                    }
                }
            }
            case "anneal" -> new Annealing(source.space(), rnd).run(defaults, step,
                    () -> tried.size() < maxConfigs && System.nanoTime() < deadline);
            default -> throw new IllegalArgumentException("strategy: expected auto, exhaustive, random or anneal, got '"
                    + strategy + "'");
        }
        return new Result(defaults, best[0], tried);
    }

    /**
     * Measures the defaults and the best again, alternately, {@code rounds} (at least two) times each, never
     * from the cache; the verdict is the {@link Confirmation}'s.
     */
    public Confirmation confirm(Candidate defaults, Candidate best, int rounds) {
        double[] d = new double[rounds];
        double[] b = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            d[r] = again(defaults);
            b[r] = again(best);
        }
        return Confirmation.of(d, b);
    }

    private double again(Candidate c) {
        Candidate now = measure(c.params());
        if (!now.ok()) {
            throw new IllegalStateException("confirmation: " + c.params() + " passed in the search but not when "
                    + "measured again: " + now.reason());
        }
        return now.medianMs();
    }
}
