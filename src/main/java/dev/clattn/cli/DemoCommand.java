package dev.clattn.cli;

import dev.clattn.Attention;
import dev.clattn.AttentionRequest;
import dev.clattn.BackendKind;
import dev.clattn.Causal;
import dev.clattn.Config;
import dev.clattn.Shape;
import dev.clattn.tune.Float64Check;
import dev.clattn.tune.Timing;
import dev.clattn.cpu.CpuBackend;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code clattn demo}: causal self-attention on a realistic batch on the chosen device, timed, and checked
 * against the CPU fallback and against float64 on sampled rows; with {@code --decode}, a toy generation loop
 * with and without a KV cache ({@link DecodeDemo}).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        subcommands = {NadarayaWatsonDemo.class, TransformerDemo.class},
        description = "Time causal self-attention on the chosen device and check it; or run a model of the family.")
final class DemoCommand implements Callable<Integer>, ArgumentOptions {
    @Option(names = "--batch", defaultValue = "2")
    int batch;
    @Option(names = "--heads", defaultValue = "8")
    int heads;
    @Option(names = "--seq", defaultValue = "1024")
    int seq;
    @Option(names = "--dim", defaultValue = "64")
    int dim;
    @Option(names = "--repeat", defaultValue = "5", description = "timed repetitions (median reported)")
    int repeat;
    @Option(names = "--backend", defaultValue = "auto", paramLabel = "auto|opencl|cpu")
    String backend;
    @Option(names = "--decode", description = "a toy generation loop instead: --prompt tokens, then --steps decode "
            + "steps with a KV cache and again re-uploading K and V (--heads, --dim; --batch and --seq unused)")
    boolean decode;
    @Option(names = "--prompt", defaultValue = "2048", description = "--decode: prompt tokens")
    int prompt;
    @Option(names = "--steps", defaultValue = "256", description = "--decode: generated tokens")
    int steps;
    @Spec
    CommandSpec spec;

    @Override
    public Map<String, String> optionsByArgument() {
        Map<String, String> options = new HashMap<>(SELF_ATTENTION);
        options.put("backend", "--backend");
        return options;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (repeat < 1) {
            throw new IllegalArgumentException("--repeat: expected >= 1, got " + repeat);
        }
        if (decode) {
            if (prompt < 1 || steps < 1 || heads < 1 || dim < 1) {
                throw new IllegalArgumentException("--prompt, --steps, --heads and --dim: expected >= 1, got " + prompt
                        + ", " + steps + ", " + heads + " and " + dim);
            }
            Config config = Config.builderFromEnvironment().backend(BackendKind.parse(backend)).build();
            try (Attention engine = Attention.open(config)) {
                out.println("device:  " + engine.backendKind().name().toLowerCase(java.util.Locale.ROOT) + " - " + engine.device());
                DecodeDemo.run(engine, heads, dim, prompt, steps, out);
            }
            return 0;
        }
        Shape shape = Shape.of(batch, heads, seq, dim);
        Random rnd = new Random(1);
        AttentionRequest request = Float64Check.selfAttention(shape, Causal.TOP_LEFT, rnd);
        Config config = Config.builderFromEnvironment().backend(BackendKind.parse(backend)).build();
        try (Attention engine = Attention.open(config)) {
            out.println("device:  " + engine.backendKind().name().toLowerCase(java.util.Locale.ROOT) + " - " + engine.device());
            out.println("problem: " + shape + ", causal (top-left), fp32");
            float[] result = engine.compute(request).output();
            double[] ms = Timing.sortedMillis(repeat, () -> engine.compute(request));
            double median = ms[repeat / 2];
            double gflops = shape.flops() / 2 / (median * 1e6);
            out.printf(Locale.ROOT, "time:    %.2f ms median of %d (min %.2f ms), end to end incl. transfers%n",
                    median, repeat, ms[0]);
            out.printf(Locale.ROOT, "speed:   %.1f GFLOP/s (4*B*H*N^2*D/2 for causal)%n", gflops);
            if (engine.backendKind() != dev.clattn.BackendKind.CPU) {
                try (CpuBackend cpu = new CpuBackend(config.threads())) {
                    out.printf(Locale.ROOT, "check:   max |O - CPU fallback| = %.3g%n",
                            maxDiff(result, cpu.attention(request).output()));
                }
            }
            out.printf(Locale.ROOT, "check:   max |O - float64| over 64 sampled rows = %.3g%n",
                    Float64Check.sampledError(request, result, 64));
        }
        return 0;
    }

    private static double maxDiff(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs((double) a[i] - b[i]));
        }
        return worst;
    }
}
