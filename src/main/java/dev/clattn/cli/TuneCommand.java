package dev.clattn.cli;

import dev.clattn.AttentionRequest;
import dev.clattn.Causal;
import dev.clattn.Config;
import dev.clattn.Shape;
import dev.clattn.opencl.DeviceInfo;
import dev.clattn.opencl.KernelSource;
import dev.clattn.opencl.OpenCl;
import dev.clattn.tune.Confirmation;
import dev.clattn.tune.Float64Check;
import dev.clattn.tune.Profile;
import dev.clattn.tune.Profiles;
import dev.clattn.tune.TuneCache;
import dev.clattn.tune.Tuner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code clattn tune}: searches one kernel's parameters on the chosen device for one problem, checking every
 * candidate against float64 before timing it, and saves the winner to the device's profile.
 */
@Command(name = "tune", mixinStandardHelpOptions = true, description = "Tune a kernel's parameters on this device and save a profile.")
final class TuneCommand implements Callable<Integer>, ArgumentOptions {
    @Option(names = "--kernel",
            paramLabel = "attention_flash|attention_fused|attention_fused_vec|qkt|softmax_rows|av|attention_paged",
            description = "default: the fused kernel the engine uses on this device; qkt, softmax_rows and av are "
                    + "the three-kernel path's stages, each timed alone; attention_paged is tuned on decode steps "
                    + "from a KV cache of --seq keys")
    String kernel;
    @Option(names = "--batch", defaultValue = "1")
    int batch;
    @Option(names = "--heads", defaultValue = "8")
    int heads;
    @Option(names = "--seq", defaultValue = "1024")
    int seq;
    @Option(names = "--dim", defaultValue = "64")
    int dim;
    @Option(names = "--causal", description = "tune on causal attention")
    boolean causal;
    @Option(names = "--strategy", defaultValue = "auto", paramLabel = "auto|exhaustive|random|anneal")
    String strategy;
    @Option(names = "--max-configs", defaultValue = "40")
    int maxConfigs;
    @Option(names = "--max-seconds", defaultValue = "300")
    double maxSeconds;
    @Option(names = "--repeat", defaultValue = "5", description = "timed calls per candidate (median)")
    int repeat;
    @Option(names = "--bucket", paramLabel = "MIN:MAX", description = "range of N the saved profile is for "
            + "(default: --seq/2 : 2*--seq); it applies to the whole power-of-two buckets of N the range covers")
    String bucket;
    @Option(names = "--confirm", defaultValue = "3", description = "rounds (>= 2) re-measuring the defaults and the "
            + "best alternately; the best is saved only if the median ratio beats 1 by more than half their range")
    int confirm;
    @Option(names = "--no-save", description = "report only; write no profile")
    boolean noSave;
    @Option(names = "--kernels", paramLabel = "DIR", description = "kernel sources to use instead of the jar's")
    Path kernels;
    @Option(names = "--profiles", paramLabel = "DIR", description = "profile directory (default: clattn.profiles)")
    Path profiles;
    @Option(names = "--cache", paramLabel = "DIR", description = "resumable results (default ~/.clattn/tune-cache)")
    Path cacheDir;
    @Spec
    CommandSpec spec;

    @Override
    public Map<String, String> optionsByArgument() {
        return SELF_ATTENTION;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Shape shape = Shape.of(batch, heads, seq, dim);
        int[] range = range();
        int nMin = range[0];
        int nMax = range[1];
        if (repeat < 1 || maxConfigs < 1 || confirm < 2) {
            throw new IllegalArgumentException("--repeat, --max-configs and --confirm: expected >= 1, >= 1 and >= 2, got "
                    + repeat + ", " + maxConfigs + " and " + confirm);
        }
        if (kernel != null && !Tuner.KERNELS.contains(kernel)) {
            throw new IllegalArgumentException("--kernel: expected one of " + String.join(", ", Tuner.KERNELS)
                    + ", got '" + kernel + "'");
        }
        Config.Builder cb = Config.builderFromEnvironment();
        if (kernels != null) {
            cb.kernelDir(kernels);
        }
        if (profiles != null) {
            cb.profileDir(profiles);
        }
        Config config = cb.build();
        if (!noSave && config.profileDir() == null) {
            throw new IllegalArgumentException("--profiles: no profile directory to save to (clattn.profiles=none); "
                    + "name one with --profiles DIR, or pass --no-save");
        }
        OpenCl.Probe probe = OpenCl.probe();
        if (!probe.available()) {
            throw new IllegalStateException("tune needs an OpenCL device: " + probe.problem());
        }
        OpenCl.Device device = OpenCl.choose(probe, config).orElseThrow(
                () -> new IllegalArgumentException("device: no OpenCL device matches the configuration"));
        DeviceInfo info = device.info();
        String name = kernel != null ? kernel : info.fusedKernel();
        if (name.equals("attention_paged")) {
            if (causal) {
                throw new IllegalArgumentException("--causal: attention_paged is tuned on decode steps (one query "
                        + "per sequence sees the whole cache); drop --causal");
            }
            // Decode: one new query per sequence over a cache of --seq keys.
            shape = new Shape(batch, heads, heads, 1, seq, dim, dim);
        }
        KernelSource source = KernelSource.load(name, config.kernelDir());
        AttentionRequest request = Float64Check.selfAttention(shape, causal ? Causal.TOP_LEFT : Causal.NONE,
                new Random(1));
        Path dir = cacheDir != null ? cacheDir : Path.of(System.getProperty("user.home"), ".clattn", "tune-cache");
        String slug = (info.name() + "-" + info.driverVersion() + "-" + name + "-" + source.hash() + "-" + shape
                + (causal ? "-causal" : "")).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        TuneCache cache = TuneCache.open(dir.resolve(slug + ".jsonl"));
        Tuner tuner = new Tuner(device, config, source, request, repeat, cache);
        out.printf("tuning %s (source %s, %s) on %s%n", name, source.hash(), source.origin(), info.describe());
        out.printf("problem %s%s; space %s = %d configurations; %d cached; strategy %s, at most %d configs / %.0f s%n",
                shape, causal ? " causal" : "", tuner.space(), tuner.spaceSize(), cache.size(), strategy, maxConfigs,
                maxSeconds);
        out.flush();
        Tuner.Result result;
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("tune").setInitialMax(
                Math.min(maxConfigs, tuner.spaceSize())).setStyle(ProgressBarStyle.ASCII).continuousUpdate().build()) {
            result = tuner.run(strategy, maxConfigs, maxSeconds, 1, (c, best) -> {
                bar.step();
                bar.setExtraMessage(best == null ? "no valid config yet"
                        : String.format(Locale.ROOT, "best %.1f %s", best.rate(), tuner.unit()));
            });
        }
        long rejected = result.tried().stream().filter(c -> !c.ok()).count();
        out.printf(Locale.ROOT, "tried %d, rejected %d%n", result.tried().size(), rejected);
        result.tried().stream().filter(c -> !c.ok()).limit(5)
                .forEach(c -> out.println("  rejected " + c.params() + ": " + c.reason()));
        Tuner.Candidate d = result.defaults();
        out.printf(Locale.ROOT, "defaults %s: %s%n", d.params(), d.ok() ? String.format(Locale.ROOT,
                "%.2f ms, %.1f %s", d.medianMs(), d.rate(), tuner.unit()) : d.reason());
        Tuner.Candidate best = result.best();
        if (best == null) {
            out.println("no configuration passed the check; nothing saved");
            return 1;
        }
        out.printf(Locale.ROOT, "fastest  %s: %.2f ms, %.1f %s in the search, error %.2e%n", best.params(),
                best.medianMs(), best.rate(), tuner.unit(), best.error());
        double rate = best.rate();
        if (best.params().equals(d.params())) {
            out.println("best     " + best.params() + ": the defaults themselves: no improvement, nothing saved");
            return 0;
        }
        if (d.ok()) {
            Confirmation c = tuner.confirm(d, best, confirm);
            out.printf(Locale.ROOT, "confirmed over %d alternating rounds: defaults %.2f ms, best %.2f ms; per-round "
                    + "ratios %s%n", c.rounds(), c.defaultsMs(), c.bestMs(), c.ratios().stream()
                    .map(r -> String.format(Locale.ROOT, "%.3f", r)).toList());
            out.printf(Locale.ROOT, "best     %s: %.2fx the defaults (confirmed; spread ±%.2f)%s%n", best.params(),
                    c.speedup(), c.spread(), c.improves() ? "" : ": no improvement, nothing saved");
            if (!c.improves()) {
                return 0;
            }
            rate = best.rate() * best.medianMs() / c.bestMs();
        } else {
            out.println("best     " + best.params() + ": the defaults did not pass (above), so the fastest that did");
        }
        if (noSave) {
            out.println("not saved (--no-save)");
            return 0;
        }
        Path file = Profiles.save(config.profileDir(), new Profile(info.vendor(), info.name(), info.driverVersion(),
                name, source.hash(), dim, nMin, nMax, best.params(), rate, LocalDate.now().toString()));
        long[] applies = Profiles.covered(nMin, nMax);
        out.println("saved to " + file + " (D=" + dim + ", N " + nMin + ".." + nMax + ": used for N " + applies[0]
                + ".." + applies[1] + ")");
        return 0;
    }

    /** --bucket, or N/2..2N around --seq: a profile says nothing about an N far from the one it was tuned at. */
    private int[] range() {
        int nMin = Math.max(1, seq / 2);
        int nMax = (int) Math.min(Integer.MAX_VALUE, 2L * seq);
        if (bucket != null) {
            String[] parts = bucket.split(":");
            if (parts.length != 2) {
                throw new IllegalArgumentException("--bucket: expected MIN:MAX, got '" + bucket + "'");
            }
            try {
                nMin = Integer.parseInt(parts[0].trim());
                nMax = Integer.parseInt(parts[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--bucket: expected MIN:MAX as integers, got '" + bucket + "'");
            }
        }
        if (Profiles.covered(nMin, nMax).length == 0) {
            throw new IllegalArgumentException("--bucket: expected a range covering a whole power-of-two bucket of N "
                    + "(such as 256:511), got " + nMin + ":" + nMax + ", which no lookup would ever use");
        }
        return new int[] {nMin, nMax};
    }
}
