package dev.clattn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.clattn.AttentionRequest;
import dev.clattn.Causal;
import dev.clattn.Normalize;
import dev.clattn.Score;
import dev.clattn.Shape;
import dev.clattn.cli.Cli.Outcome;
import dev.clattn.io.Npy;
import dev.clattn.testing.Case;
import dev.clattn.testing.Data;
import dev.clattn.testing.Naive;
import dev.clattn.testing.Naive.Precision;
import dev.clattn.testing.Tolerance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code clattn run --score/--additive/--activation/--normalize} end to end, and their misuse. */
class RunCommandScoreTest {
    private static final Shape S = new Shape(1, 2, 1, 11, 19, 8, 4);

    @TempDir
    Path dir;
    private AttentionRequest inputs;

    private Path floats(String name, int[] shape, float[] data) throws Exception {
        return Cli.npy(dir, name, shape, data);
    }

    @BeforeEach
    void writeInputs() throws Exception {
        inputs = Case.of("cli-score", S).request(false, false);
        floats("q.npy", new int[] {1, 2, 11, 8}, inputs.q().array());
        floats("k.npy", new int[] {1, 1, 19, 8}, inputs.k().array());
        floats("v.npy", new int[] {1, 1, 19, 4}, inputs.v().array());
    }

    private String[] args(String... extra) {
        List<String> a = new ArrayList<>(List.of("run", "--q", dir.resolve("q.npy").toString(), "--k",
                dir.resolve("k.npy").toString(), "--v", dir.resolve("v.npy").toString(), "--out",
                dir.resolve("o.npy").toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    private Outcome run(String... extra) {
        return Cli.clattn(args(extra));
    }

    private void check(String what, AttentionRequest expected, Outcome o) throws Exception {
        assertEquals(0, o.code(), o.err());
        Naive.Result f64 = new Naive(expected, Precision.F64).attention();
        Naive.Result f32 = new Naive(expected, Precision.F32).attention();
        Tolerance.check(what + " O", Npy.read("o", dir.resolve("o.npy")).floats(), f64.out(), f32.out());
        Tolerance.check(what + " P", Npy.read("p", dir.resolve("p.npy")).floats(), f64.weights(), f32.weights());
    }

    private AttentionRequest.Builder expected() {
        return AttentionRequest.builder(S).q(inputs.q().array()).k(inputs.k().array()).v(inputs.v().array())
                .causal(Causal.BOTTOM_RIGHT).returnWeights(true);
    }

    @Test
    void everyScoreAndTheMeanMatchTheReferenceOnBothBackends() throws Exception {
        float[] a = Data.gaussian(new java.util.Random(5), 2 * 2 * 8, 0.4f);
        String additive = floats("a.npy", new int[] {2, 2, 8}, a).toString();
        String p = dir.resolve("p.npy").toString();
        for (String backend : new String[] {"cpu", "auto"}) {
            check(backend + " neg-sq-dist", expected().score(Score.negSqDist()).scale(0.25f).build(),
                    run("--score", "neg-sq-dist", "--scale", "0.25", "--causal=bottom-right", "--backend", backend,
                            "--weights", p));
            check(backend + " rope", expected().rope(500f).build(),
                    run("--rope=500", "--causal=bottom-right", "--backend", backend, "--weights", p));
            check(backend + " dot mean", expected().normalize(Normalize.MEAN).build(),
                    run("--normalize", "mean", "--causal=bottom-right", "--backend", backend, "--weights", p));
            check(backend + " additive leaky mean", expected().score(Score.additive(a, 2, 2, 8).leakyRelu(0.1f))
                    .normalize(Normalize.MEAN).build(), run("--score", "additive", "--additive", additive,
                    "--activation", "leaky-relu=0.1", "--normalize", "mean", "--causal=bottom-right", "--backend",
                    backend, "--weights", p));
        }
    }

    private void refused(String line, String... extra) throws Exception {
        Cli.refused(dir, f -> f.startsWith("o.npy") || f.startsWith("l.npy"), line, args(extra));
    }

    @Test
    void misuseIsOneLineExitTwoAndNoOutput() throws Exception {
        String shared = floats("a.npy", new int[] {2, 8}, new float[16]).toString();
        String wrong = floats("a3.npy", new int[] {3, 8}, new float[24]).toString();
        String lse = dir.resolve("l.npy").toString();
        refused("--score: expected dot, neg-sq-dist or additive, got 'cosine'", "--score", "cosine");
        refused("--normalize: expected softmax or mean, got 'sum'", "--normalize", "sum");
        refused("--lse: expected no log-sum-exp with normalize MEAN (its weights are no softmax), got returnLse(true)",
                "--normalize", "mean", "--lse", lse);
        refused("--scale: expected no scale with the additive score (it has none), got a scale", "--score", "additive",
                "--additive", shared, "--scale", "2");
        refused("--additive: expected --score additive, got --score dot", "--additive", shared);
        refused("--activation: expected --score additive, got --score neg-sq-dist", "--score", "neg-sq-dist",
                "--activation", "relu");
        refused("--additive: expected A.npy (float32 [2,D] or [Hq,2,D]) with --score additive, got none", "--score",
                "additive");
        refused("--additive: expected dims [2, D] or [Hq, 2, D], got [3, 8]", "--score", "additive", "--additive",
                wrong);
        refused("--additive: expected weights [2, D] = [2, 8] or [Hq, 2, D] = [2, 2, 8], got [2, 2]", "--score",
                "additive", "--additive", floats("a2.npy", new int[] {2, 2}, new float[4]).toString());
        Path f64 = dev.clattn.io.NpyTestAccess.write(dir.resolve("a8.npy"), "<f8", "2, 8", new byte[128]);
        refused("--additive " + f64 + ": expected dtype float32 (<f4), got <f8", "--score", "additive", "--additive",
                f64.toString());
        refused("--activation: expected relu, leaky-relu or leaky-relu=SLOPE (a finite number), got 'tanh'", "--score",
                "additive", "--additive", shared, "--activation", "tanh");
        refused("--storage: expected F32 with the additive score, got F16", "--score", "additive", "--additive", shared,
                "--storage", "f16");
    }
}
