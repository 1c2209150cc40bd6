package dev.clattn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.Config;
import dev.clattn.Shape;
import dev.clattn.opencl.OpenClBackend;
import dev.clattn.opencl.OpenClDevices;
import dev.clattn.tune.Profile;
import dev.clattn.tune.Profiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tune → confirmation → profile on disk → the engine picks it for the buckets around the tuned N. The kernel is
 * edited so that the outcome does not depend on the machine's noise: its defaults (ROWS=4) made slow, or every
 * other value made wrong.
 */
class TuneCommandTest {
    private static final Pattern CONFIRMED = Pattern.compile("per-round ratios \\[([0-9., ]+)]");
    private static final Pattern SUMMARY = Pattern.compile("(?m)^best {5}\\{DVB=2, NV=2, ROWS=(\\d), SUBS=4, VW=\\d+}: "
            + "([0-9.]+)x the defaults "
            + "\\(confirmed; spread ±([0-9.]+)\\)$");

    /** attention_fused_vec.cl in {@code dir}, with each (from, to) pair of {@code edits} replaced. */
    private static Path kernels(Path dir, String... edits) throws Exception {
        String text = dev.clattn.testing.TuningKernels.rowsOnly();
        for (int e = 0; e < edits.length; e += 2) {
            String edited = text.replace(edits[e], edits[e + 1]);
            assertFalse(edited.equals(text), "edit " + e / 2 + " found nothing to replace");
            text = edited;
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("attention_fused_vec.cl"), text);
        return dir;
    }

    private static String tune(Path dir, Path kernelDir, String... extra) {
        String[] base = {"tune", "--kernel", "attention_fused_vec", "--kernels", kernelDir.toString(), "--seq", "48",
            "--dim", "24", "--heads", "2", "--repeat", "1", "--max-configs", "4", "--strategy", "random",
            "--profiles", dir.resolve("profiles").toString(), "--cache", dir.resolve("cache").toString()};
        String[] args = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        assertEquals(0, code, out + "\n" + err);
        return out.toString();
    }

    @Test
    void aConfirmedWinIsReportedAsConfirmedAndSavedForTheBucketsAroundN(@TempDir Path dir) throws Exception {
        OpenClDevices.require();
        // ROWS=4 (the defaults) spins a dependent chain x = x/2 + 1 from a value the compiler cannot know; it
        // settles at exactly 2 and scales the output by x/2 = 1: the same answer, many times slower, whatever the
        // machine's noise.
        Path kernelDir = kernels(dir.resolve("kernels"),
                "    const size_t out_head = (size_t)split * heads + bh;\n",
                "    float slow = 2.0f;\n#if ROWS == 4\n    slow += get_group_id(0);\n"
                        + "    for (int it = 0; it < 200000; ++it) {\n        slow = fma(slow, 0.5f, 1.0f);\n"
                        + "    }\n#endif\n    const size_t out_head = (size_t)split * heads + bh;\n",
                "const float l = row_sum[r];", "const float l = row_sum[r] * (slow * 0.5f);");
        String out = tune(dir, kernelDir);
        Matcher rounds = CONFIRMED.matcher(out);
        Matcher summary = SUMMARY.matcher(out);
        assertTrue(rounds.find() && summary.find(), out);
        double[] ratios = Arrays.stream(rounds.group(1).split(",\\s*")).mapToDouble(Double::parseDouble).sorted()
                .toArray();
        assertEquals(3, ratios.length, out);
        // The rounds are printed to 3 decimals and the summary to 2: rounding twice may move the last digit.
        assertEquals(ratios[1], Double.parseDouble(summary.group(2)), 0.0051,
                "the summary reports the confirmation's median ratio: " + out);
        assertTrue(ratios[0] > 1.5, "the slowed defaults lose every round: " + out);
        assertTrue(out.contains("saved to "), out);

        Profile saved = Profiles.load(dir.resolve("profiles")).entries().get(0);
        assertEquals(24, saved.nMin(), "N/2 of the tuned N = 48");
        assertEquals(96, saved.nMax(), "2N");
        assertEquals(Integer.parseInt(summary.group(1)), saved.params().get("ROWS"));
        assertTrue(out.contains("used for N 32..63"), out);
        Config config = Config.builderFromEnvironment().kernelDir(kernelDir).profileDir(dir.resolve("profiles")).build();
        try (OpenClBackend engine = new OpenClBackend(OpenClDevices.require(), config)) {
            assertTrue(engine.fusedKernel(new Shape(1, 2, 2, 48, 48, 24, 24)).contains("ROWS=" + summary.group(1)));
            assertTrue(engine.fusedKernel(new Shape(1, 2, 2, 48, 4096, 24, 24)).contains("ROWS=4"),
                    "N = 4096 is far from the tuned N: the defaults");
        }
    }

    @Test
    void whenOnlyTheDefaultsPassNothingIsSaved(@TempDir Path dir) throws Exception {
        OpenClDevices.require();
        Path kernelDir = kernels(dir.resolve("kernels"), "const float l = row_sum[r];",
                "const float l = row_sum[r] * (ROWS == 4 ? 1 : 2);");
        String out = tune(dir, kernelDir);
        assertTrue(out.contains("rejected 3"), out);
        assertTrue(out.matches("(?s).*best     \\{DVB=2, NV=2, ROWS=4, SUBS=4, VW=\\d+}: the defaults themselves: no "
                + "improvement, nothing saved.*"), out);
        assertFalse(Files.exists(dir.resolve("profiles")), "no profile written");
    }

    @Test
    void badOptionsExitTwo() {
        StringWriter err = new StringWriter();
        assertEquals(2, Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true), "tune",
                "--bucket", "12"));
        assertTrue(err.toString().contains("--bucket: expected MIN:MAX"), err.toString());
        StringWriter none = new StringWriter();
        assertEquals(2, Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(none, true), "tune",
                "--bucket", "300:400"));
        assertTrue(none.toString().contains("got 300:400, which no lookup would ever use"), none.toString());
        assertEquals(2, Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                "tune", "--kernel", "qkt"));
        StringWriter one = new StringWriter();
        assertEquals(2, Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(one, true),
                "tune", "--confirm", "1"));
        assertTrue(one.toString().contains("expected >= 1, >= 1 and >= 2, got 5, 40 and 1"), one.toString());
        Cli.Outcome seq = Cli.clattn("tune", "--seq", "0", "--no-save");
        assertEquals(2, seq.code(), seq.err());
        assertEquals("clattn: --seq: expected >= 1, got 0", seq.err().strip());
        assertEquals("clattn: --dim: expected >= 1, got -8", Cli.clattn("tune", "--dim", "-8", "--no-save").err()
                .strip());
    }
}
