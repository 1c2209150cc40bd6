package dev.clattn.cli;

import dev.clattn.Attention;
import dev.clattn.AttentionRequest;
import dev.clattn.Causal;
import dev.clattn.KvCache;
import dev.clattn.Shape;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Random;

/**
 * {@code clattn demo --decode}: a toy generation loop with random weights, one attention layer of H heads: each
 * step embeds the last token, projects it to q, k and v, attends over the sequence so far, and picks the next
 * token as the argmax of the output's logits. Run twice on one engine, from the same prompt: with a KV cache
 * (only the new token's rows cross to the device) and re-uploading the whole K and V every step; both must
 * generate the same tokens.
 */
final class DecodeDemo {
    private static final int VOCAB = 1024;

    private final int heads;
    private final int dim;
    private final int model;
    private final float[] embed;
    private final float[][] proj;
    private final float[] out;
    private final float[][][] projected;

    DecodeDemo(int heads, int dim, Random rnd) {
        this.heads = heads;
        this.dim = dim;
        this.model = heads * dim;
        this.embed = gaussian(rnd, (long) VOCAB * model, 1f);
        this.proj = new float[3][];
        for (int p = 0; p < 3; p++) {
            proj[p] = gaussian(rnd, (long) model * model, (float) (1 / Math.sqrt(model)));
        }
        this.out = gaussian(rnd, (long) model * VOCAB, (float) (1 / Math.sqrt(model)));
        this.projected = projectAll();
    }

    private static float[] gaussian(Random rnd, long n, float scale) {
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextGaussian() * scale;
        }
        return a;
    }

    /**
     * x · W for the embedding of {@code token}, as [H][D] (head-major, one token): computed for the whole
     * vocabulary before either loop is timed, so that the loops time attention and the logits, not the toy
     * model's projections (the same for both).
     */
    private float[] project(int token, int p) {
        return projected[p][token];
    }

    private float[][][] projectAll() {
        float[][][] all = new float[3][VOCAB][];
        for (int p = 0; p < 3; p++) {
            for (int token = 0; token < VOCAB; token++) {
                float[] y = new float[model];
                for (int i = 0; i < model; i++) {
                    float x = embed[token * model + i];
                    for (int j = 0; j < model; j++) {
                        y[j] += x * proj[p][i * model + j];
                    }
                }
                all[p][token] = y;
            }
        }
        return all;
    }

    private int next(float[] o) {
        int best = 0;
        double bestLogit = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < VOCAB; t++) {
            double logit = 0;
            for (int i = 0; i < model; i++) {
                logit += o[i] * out[i * VOCAB + t];
            }
            if (logit > bestLogit) {
                bestLogit = logit;
                best = t;
            }
        }
        return best;
    }

    /** The generated tokens and the loop's time. */
    record Run(int[] tokens, double seconds) {
    }

    Run withCache(Attention engine, int[] prompt, int steps) {
        KvCache.Layout layout = new KvCache.Layout(heads, dim, dim, 16, (prompt.length + steps + 15) / 16 + 1);
        try (KvCache cache = engine.kvCache(layout)) {
            int seq = cache.create();
            float[] k = new float[prompt.length * model];
            float[] v = new float[prompt.length * model];
            for (int t = 0; t < prompt.length - 1; t++) {
                put(k, project(prompt[t], 1), t, prompt.length);
                put(v, project(prompt[t], 2), t, prompt.length);
            }
            int prefill = prompt.length - 1;
            if (prefill > 0) {
                cache.append(seq, reshape(k, prompt.length, prefill), reshape(v, prompt.length, prefill));
            }
            int[] tokens = new int[steps];
            int token = prompt[prompt.length - 1];
            long t0 = System.nanoTime();
            for (int s = 0; s < steps; s++) {
                cache.append(seq, project(token, 1), project(token, 2));
                float[] o = cache.attend(new int[] {seq}, project(token, 0), heads, 1).output();
                token = next(o);
                tokens[s] = token;
            }
            return new Run(tokens, (System.nanoTime() - t0) / 1e9);
        }
    }

    Run reuploading(Attention engine, int[] prompt, int steps) {
        int cap = prompt.length + steps;
        float[] k = new float[cap * model];
        float[] v = new float[cap * model];
        for (int t = 0; t < prompt.length - 1; t++) {
            put(k, project(prompt[t], 1), t, cap);
            put(v, project(prompt[t], 2), t, cap);
        }
        int len = prompt.length - 1;
        int[] tokens = new int[steps];
        int token = prompt[prompt.length - 1];
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            put(k, project(token, 1), len, cap);
            put(v, project(token, 2), len, cap);
            len++;
            AttentionRequest r = AttentionRequest.builder(new Shape(1, heads, heads, 1, len, dim, dim))
                    .q(project(token, 0)).k(reshape(k, cap, len)).v(reshape(v, cap, len))
                    .causal(Causal.BOTTOM_RIGHT).build();
            token = next(engine.compute(r).output());
            tokens[s] = token;
        }
        return new Run(tokens, (System.nanoTime() - t0) / 1e9);
    }

    /** Row {@code t} of a [H][cap][D] array from one token's [H][D]. */
    private void put(float[] a, float[] row, int t, int cap) {
        for (int h = 0; h < heads; h++) {
            System.arraycopy(row, h * dim, a, (h * cap + t) * dim, dim);
        }
    }

    /** The first {@code len} tokens of each head of a [H][cap][D] array, as [H][len][D]. */
    private float[] reshape(float[] a, int cap, int len) {
        float[] r = new float[heads * len * dim];
        for (int h = 0; h < heads; h++) {
            System.arraycopy(a, h * cap * dim, r, h * len * dim, len * dim);
        }
        return r;
    }

    static void run(Attention engine, int heads, int dim, int promptLen, int steps, PrintWriter w) {
        Random rnd = new Random(7);
        DecodeDemo demo = new DecodeDemo(heads, dim, rnd);
        int[] prompt = rnd.ints(promptLen, 0, VOCAB).toArray();
        w.printf(Locale.ROOT, "decode:  H=%d D=%d, a %d-token prompt, %d steps, one attention layer, random weights%n",
                heads, dim, promptLen, steps);
        w.flush();
        // Both loops once, short and untimed, so that neither is timed while the JIT and the kernels warm up.
        demo.withCache(engine, prompt, Math.min(steps, 8));
        demo.reuploading(engine, prompt, Math.min(steps, 8));
        Run cached = demo.withCache(engine, prompt, steps);
        Run uploaded = demo.reuploading(engine, prompt, steps);
        w.printf(Locale.ROOT, "kv cache:  %.1f tokens/s (%.2f s)%n", steps / cached.seconds(), cached.seconds());
        w.printf(Locale.ROOT, "re-upload: %.1f tokens/s (%.2f s): the cache is %.2fx faster%n",
                steps / uploaded.seconds(), uploaded.seconds(), uploaded.seconds() / cached.seconds());
        int same = 0;
        while (same < steps && cached.tokens()[same] == uploaded.tokens()[same]) {
            same++;
        }
        w.printf(Locale.ROOT, "check:     %s%n", same == steps ? "both loops generated the same " + steps + " tokens"
                : "the loops differ from token " + same + " on (float rounding can flip a near-tie argmax)");
    }
}
