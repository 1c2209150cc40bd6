package dev.clattn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.Attention;
import dev.clattn.BackendKind;
import dev.clattn.Config;
import dev.clattn.NonLocalBlock;
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

/** {@code clattn nonlocal}: the API's answer through .npy files, and misuse. */
class NonLocalCommandTest {
    @TempDir
    Path dir;

    private String file(String name, int[] shape, float[] data) throws Exception {
        return Cli.npy(dir, name, shape, data).toString();
    }

    @Test
    void theCommandGivesTheApisAnswerAndRefusesMisuse() throws Exception {
        Random rnd = new Random(3);
        int c = 4;
        int inner = 3;
        float[][] w = new float[9][];
        int[][] shapes = {{inner, c}, {inner}, {inner, c}, {inner}, {inner, c}, {inner}, {c, inner}, {c}, {2 * inner}};
        String[] names = {"theta", "theta-bias", "phi", "phi-bias", "g", "g-bias", "wz", "wz-bias", "concat"};
        List<String> args = new ArrayList<>(List.of("nonlocal", "--pairwise", "concatenation", "--subsample",
                "--backend", "cpu"));
        for (int i = 0; i < 9; i++) {
            w[i] = Data.gaussian(rnd, Data.product(shapes[i]), 0.5f);
            args.addAll(List.of("--" + names[i], file(names[i] + ".npy", shapes[i], w[i])));
        }
        float[] x = Data.gaussian(rnd, 2L * c * 2 * 4 * 5, 1);
        args.addAll(List.of("--x", file("x.npy", new int[] {2, c, 2, 4, 5}, x), "--out", dir.resolve("z.npy")
                .toString()));
        Outcome o = Cli.clattn(args.toArray(String[]::new));
        assertEquals(0, o.code(), o.err());
        Npy.Array z = Npy.read("z", dir.resolve("z.npy"));
        assertArrayEquals(new int[] {2, c, 2, 4, 5}, z.shape());
        NonLocalBlock block = new NonLocalBlock(c, inner, NonLocalBlock.Pairwise.CONCATENATION, true, w[0], w[1], w[2],
                w[3], w[4], w[5], w[6], w[7], w[8]);
        try (Attention engine = Attention.open(Config.builderFromEnvironment().backend(BackendKind.CPU).build())) {
            assertArrayEquals(block.forward(engine, x, 2, 2, 4, 5), z.floats(), "the API's answer, bit for bit");
        }
        Files.delete(dir.resolve("z.npy"));
        List<String> bad = new ArrayList<>(args);
        bad.set(bad.indexOf("--wz") + 1, file("wz3.npy", new int[] {3, 3}, new float[9]));
        Outcome e = Cli.clattn(bad.toArray(String[]::new));
        assertEquals(2, e.code(), e.err());
        assertEquals("clattn: --wz: expected 12 floats, got 9 floats", e.err().strip());
        bad = new ArrayList<>(args);
        bad.set(bad.indexOf("--pairwise") + 1, "cosine");
        e = Cli.clattn(bad.toArray(String[]::new));
        assertEquals(2, e.code(), e.err());
        assertTrue(e.err().contains("--pairwise: expected gaussian, embedded-gaussian, dot-product or concatenation"));
        assertTrue(Files.notExists(dir.resolve("z.npy")), "no output after bad input");
    }
}
