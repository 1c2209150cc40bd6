package dev.clattn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.Attention;
import dev.clattn.BackendKind;
import dev.clattn.Config;
import dev.clattn.MhaOptions;
import dev.clattn.MultiHeadAttention;
import dev.clattn.cli.Cli.Outcome;
import dev.clattn.io.Npy;
import dev.clattn.testing.Data;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code clattn mha}: the API's answer through .npy files (padding mask, rotary and sinusoidal positions), misuse. */
class MhaCommandTest {
    @TempDir
    Path dir;

    private String file(String name, int[] shape, float[] data) throws Exception {
        return Cli.npy(dir, name, shape, data).toString();
    }

    @Test
    void theCommandGivesTheApisAnswerAndRefusesMisuse() throws Exception {
        Random rnd = new Random(4);
        int e = 8;
        float[] x = Data.gaussian(rnd, 2 * 5 * e, 1);
        float[] in = Data.gaussian(rnd, 3 * e * e, 0.3f);
        float[] inB = Data.gaussian(rnd, 3 * e, 0.1f);
        float[] wo = Data.gaussian(rnd, e * e, 0.3f);
        byte[] pad = {0, 0, 1, 0, 0, 0, 0, 0, 1, 1};
        dev.clattn.io.NpyTestAccess.write(dir.resolve("m.npy"), "|b1", "2, 5", pad);
        List<String> base = new ArrayList<>(List.of("mha", "--query", file("x.npy", new int[] {2, 5, e}, x),
                "--in-proj-weight", file("w.npy", new int[] {3 * e, e}, in), "--in-proj-bias",
                file("b.npy", new int[] {3 * e}, inB), "--out-proj-weight", file("wo.npy", new int[] {e, e}, wo),
                "--heads", "2", "--key-padding-mask", dir.resolve("m.npy").toString(), "--out",
                dir.resolve("y.npy").toString(), "--weights", dir.resolve("a.npy").toString(), "--backend", "cpu"));
        boolean[] ignore = new boolean[pad.length];
        for (int i = 0; i < pad.length; i++) {
            ignore[i] = pad[i] != 0;
        }
        MultiHeadAttention layer = MultiHeadAttention.builder(e, 2).inProj(in, inB).outProj(wo, null).build();
        try (Attention engine = Attention.open(Config.builderFromEnvironment().backend(BackendKind.CPU).build())) {
            for (String positional : new String[] {null, "rope=500", "sinusoidal"}) {
                List<String> args = new ArrayList<>(base);
                if (positional != null) {
                    args.addAll(List.of("--positional", positional));
                }
                Outcome o = Cli.clattn(args.toArray(String[]::new));
                assertEquals(0, o.code(), o.err());
                float[] input = x;
                if ("sinusoidal".equals(positional)) {
                    float[] pe = MultiHeadAttention.sinusoidal(5, e);
                    input = x.clone();
                    for (int i = 0; i < input.length; i++) {
                        input[i] += pe[i % pe.length];
                    }
                }
                MultiHeadAttention.Result want = layer.forward(engine, input, input, input, 2, 5, 5, MhaOptions.none()
                        .keyPaddingMask(ignore).needWeights(true).rope("rope=500".equals(positional) ? 500f : 0f));
                assertArrayEquals(want.output(), Npy.read("y", dir.resolve("y.npy")).floats(), positional + " output");
                Npy.Array a = Npy.read("a", dir.resolve("a.npy"));
                assertArrayEquals(new int[] {2, 5, 5}, a.shape());
                assertArrayEquals(want.weights(), a.floats(), positional + " weights");
            }
        }
        Files.delete(dir.resolve("y.npy"));
        Files.delete(dir.resolve("a.npy"));
        List<String> bad = new ArrayList<>(base);
        bad.set(bad.indexOf("--heads") + 1, "3");
        Outcome o = Cli.clattn(bad.toArray(String[]::new));
        assertEquals(2, o.code(), o.err());
        assertEquals("clattn: --heads: expected a divisor of embed_dim = 8, got 3", o.err().strip());
        bad = new ArrayList<>(base);
        bad.set(bad.indexOf("--out-proj-weight") + 1, file("w7.npy", new int[] {7, 8}, new float[56]));
        o = Cli.clattn(bad.toArray(String[]::new));
        assertEquals("clattn: --out-proj-weight: expected 64 floats, got 56 floats", o.err().strip());
        bad = new ArrayList<>(base);
        bad.addAll(List.of("--positional", "alibi"));
        o = Cli.clattn(bad.toArray(String[]::new));
        assertEquals("clattn: --positional: expected sinusoidal, rope or rope=BASE, got 'alibi'", o.err().strip());
        assertTrue(Files.notExists(dir.resolve("y.npy")) && Files.notExists(dir.resolve("a.npy")), "no output");
    }
}
