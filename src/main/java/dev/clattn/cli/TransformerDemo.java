package dev.clattn.cli;

import dev.clattn.Attention;
import dev.clattn.BackendKind;
import dev.clattn.Config;
import dev.clattn.Linear;
import dev.clattn.MhaOptions;
import dev.clattn.MultiHeadAttention;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clattn demo transformer}: one encoder layer and one decoder layer of a Transformer (post-norm, as
 * PyTorch's TransformerEncoderLayer and TransformerDecoderLayer by default, ReLU feed-forward, no dropout) with
 * random weights: the encoder's self-attention masks the padded source tokens, the decoder's self-attention is
 * causal, its cross-attention reads the encoder's output with the same padding. Attention and every projection
 * run on the engine; the same layers are then computed in float64 here, and the largest difference is printed.
 */
@Command(name = "transformer", mixinStandardHelpOptions = true,
        description = "An encoder and a decoder layer on the engine, checked against float64.")
final class TransformerDemo implements Callable<Integer>, ArgumentOptions {
    private static final int E = 64;
    private static final int HEADS = 4;
    private static final int FFN = 128;
    private static final int BATCH = 2;
    private static final int SRC = 37;
    private static final int TGT = 23;
    /** Source tokens padded away in each batch (the last ones). */
    private static final int[] PADDED = {0, 9};

    @Option(names = "--backend", defaultValue = "auto", paramLabel = "auto|opencl|cpu")
    String backend;
    @Option(names = "--seed", defaultValue = "1")
    long seed;
    @Spec
    CommandSpec spec;

    @Override
    public Map<String, String> optionsByArgument() {
        return Map.of("backend", "--backend");
    }

    /** One attention sublayer's weights: in_proj [3E, E] and bias, out_proj [E, E] and bias. */
    private record Attn(float[] in, float[] inBias, float[] out, float[] outBias) {
    }

    private static float[] gaussian(Random rnd, int n, double sd) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (sd * rnd.nextGaussian());
        }
        return x;
    }

    private static Attn attn(Random rnd) {
        double sd = 1 / Math.sqrt(E);
        return new Attn(gaussian(rnd, 3 * E * E, sd), gaussian(rnd, 3 * E, 0.02), gaussian(rnd, E * E, sd),
                gaussian(rnd, E, 0.02));
    }

    @Override
    public Integer call() {
        PrintWriter w = spec.commandLine().getOut();
        Random rnd = new Random(seed);
        Attn encSelf = attn(rnd);
        Attn decSelf = attn(rnd);
        Attn cross = attn(rnd);
        float[][] ffn = new float[6][];
        for (int layer = 0; layer < 2; layer++) {
            ffn[3 * layer] = gaussian(rnd, FFN * E, 1 / Math.sqrt(E));
            ffn[3 * layer + 1] = gaussian(rnd, FFN, 0.02);
            ffn[3 * layer + 2] = gaussian(rnd, E * FFN, 1 / Math.sqrt(FFN));
        }
        float[] src = embed(rnd, SRC);
        float[] tgt = embed(rnd, TGT);
        boolean[] padding = new boolean[BATCH * SRC];
        for (int b = 0; b < BATCH; b++) {
            for (int j = SRC - PADDED[b]; j < SRC; j++) {
                padding[b * SRC + j] = true;
            }
        }
        float[] out;
        long t0;
        double ms;
        Config config = Config.builderFromEnvironment().backend(BackendKind.parse(backend)).build();
        try (Attention engine = Attention.open(config)) {
            w.println("device:  " + engine.backendKind().name().toLowerCase(Locale.ROOT) + " - " + engine.device());
            MultiHeadAttention[] layers = {layer(encSelf), layer(decSelf), layer(cross)};
            run(engine, layers, ffn, src, tgt, padding);
            t0 = System.nanoTime();
            out = run(engine, layers, ffn, src, tgt, padding);
            ms = (System.nanoTime() - t0) / 1e6;
        }
        double[] ref = TransformerReference.run(new double[][] {d(encSelf.in()), d(encSelf.inBias()), d(encSelf.out()),
            d(encSelf.outBias())}, new double[][] {d(decSelf.in()), d(decSelf.inBias()), d(decSelf.out()),
                d(decSelf.outBias())}, new double[][] {d(cross.in()), d(cross.inBias()), d(cross.out()),
                    d(cross.outBias())}, ffn, src, tgt, padding, BATCH, SRC, TGT, E, HEADS, FFN);
        double worst = 0;
        for (int i = 0; i < out.length; i++) {
            worst = Math.max(worst, Math.abs(out[i] - ref[i]));
        }
        w.printf(Locale.ROOT, "model:   d_model %d, %d heads, feed-forward %d; source %d tokens (padded: %d and %d), "
                + "target %d, batch %d%n", E, HEADS, FFN, SRC, PADDED[0], PADDED[1], TGT, BATCH);
        w.printf(Locale.ROOT, "time:    %.2f ms for the encoder and decoder layers (after a warm-up pass)%n", ms);
        w.printf(Locale.ROOT, "check:   max |decoder output - float64| = %.3g (outputs of unit scale after layer "
                + "norm)%n", worst);
        return 0;
    }

    private static double[] d(float[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i];
        }
        return y;
    }

    /** Random token embeddings [B, N, E] plus the sinusoidal positions. */
    private static float[] embed(Random rnd, int n) {
        float[] x = gaussian(rnd, BATCH * n * E, 1);
        float[] pe = MultiHeadAttention.sinusoidal(n, E);
        for (int i = 0; i < x.length; i++) {
            x[i] += pe[i % pe.length];
        }
        return x;
    }

    /** @param layers the encoder's self-attention, the decoder's self-attention, the cross-attention */
    private static float[] run(Attention engine, MultiHeadAttention[] layers, float[][] ffn, float[] src, float[] tgt,
            boolean[] padding) {
        MhaOptions pad = MhaOptions.none().keyPaddingMask(padding);
        float[] enc = sublayer(src, layers[0].forward(engine, src, src, src, BATCH, SRC, SRC, pad).output());
        enc = sublayer(enc, feedForward(engine, enc, BATCH * SRC, ffn, 0));
        float[] y = sublayer(tgt, layers[1].forward(engine, tgt, tgt, tgt, BATCH, TGT, TGT,
                MhaOptions.none().causal(true)).output());
        y = sublayer(y, layers[2].forward(engine, y, enc, enc, BATCH, TGT, SRC, pad).output());
        return sublayer(y, feedForward(engine, y, BATCH * TGT, ffn, 3));
    }

    private static MultiHeadAttention layer(Attn a) {
        return MultiHeadAttention.builder(E, HEADS).inProj(a.in(), a.inBias()).outProj(a.out(), a.outBias()).build();
    }

    private static float[] feedForward(Attention engine, float[] x, int rows, float[][] ffn, int at) {
        float[] h = engine.computeLinear(new Linear(x, rows, E, ffn[at], FFN, ffn[at + 1]));
        for (int i = 0; i < h.length; i++) {
            h[i] = Math.max(0, h[i]);
        }
        return engine.computeLinear(new Linear(h, rows, FFN, ffn[at + 2], E, null));
    }

    /** LayerNorm(x + y) over each row of E (eps 1e-5, unit gain, zero shift). */
    private static float[] sublayer(float[] x, float[] y) {
        float[] out = new float[x.length];
        for (int r = 0; r < x.length / E; r++) {
            double mean = 0;
            for (int e = 0; e < E; e++) {
                mean += x[r * E + e] + y[r * E + e];
            }
            mean /= E;
            double var = 0;
            for (int e = 0; e < E; e++) {
                double c = x[r * E + e] + y[r * E + e] - mean;
                var += c * c;
            }
            double inv = 1 / Math.sqrt(var / E + 1e-5);
            for (int e = 0; e < E; e++) {
                out[r * E + e] = (float) ((x[r * E + e] + y[r * E + e] - mean) * inv);
            }
        }
        return out;
    }
}
