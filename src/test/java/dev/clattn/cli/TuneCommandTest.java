package dev.clattn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.Config;
import dev.clattn.Shape;
import dev.clattn.opencl.OpenClBackend;
import dev.clattn.opencl.OpenClDevices;
import dev.clattn.tune.Profiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tune → profile on disk → the engine picks it for that head dimension. */
class TuneCommandTest {
    @Test
    void tunedProfileIsSavedAndUsed(@TempDir Path dir) {
        OpenClDevices.require();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "tune", "--seq", "48",
                "--dim", "24", "--heads", "2", "--repeat", "1", "--max-configs", "4", "--strategy", "random",
                "--profiles", dir.resolve("profiles").toString(), "--cache", dir.resolve("cache").toString(),
                "--bucket", "32:64");
        assertEquals(0, code, out + "\n" + err);
        assertTrue(out.toString().contains("saved to "), out.toString());
        Profiles profiles = Profiles.load(dir.resolve("profiles"));
        assertEquals(1, profiles.entries().size());
        String tuned = profiles.entries().get(0).params().toString().replaceAll("[{} ]", "");
        String defaults = braces(out.toString(), "defaults ");
        String best = braces(out.toString(), "best     ");
        if (!defaults.equals(best)) {
            assertTrue(out.toString().contains("confirmed over 3 alternating rounds"), out.toString());
        }
        assertEquals(out.toString().contains("keeping the defaults") ? defaults : best, tuned, out.toString());
        try (OpenClBackend engine = new OpenClBackend(OpenClDevices.require(),
                Config.builder().profileDir(dir.resolve("profiles")).build())) {
            String used = engine.fusedKernel(new Shape(1, 2, 2, 48, 48, 24, 24)).replaceAll("[{} ]", "");
            for (String kv : tuned.split(",")) {
                assertTrue(used.contains(kv), used + " should contain " + kv);
            }
        }
    }

    /** The {...} parameters printed on the line that starts with {@code prefix}, without braces and spaces. */
    private static String braces(String text, String prefix) {
        String line = text.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError(
                "no line starting '" + prefix + "' in " + text));
        return line.substring(line.indexOf('{') + 1, line.indexOf('}')).replace(" ", "");
    }

    @Test
    void badOptionsExitTwo() {
        StringWriter err = new StringWriter();
        assertEquals(2, Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true), "tune",
                "--bucket", "12"));
        assertTrue(err.toString().contains("--bucket: expected MIN:MAX"), err.toString());
        assertEquals(2, Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                "tune", "--kernel", "qkt"));
        assertEquals(2, Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                "tune", "--confirm", "-1"));
        Cli.Outcome seq = Cli.clattn("tune", "--seq", "0", "--no-save");
        assertEquals(2, seq.code(), seq.err());
        assertEquals("clattn: --seq: expected >= 1, got 0", seq.err().strip());
        assertEquals("clattn: --dim: expected >= 1, got -8", Cli.clattn("tune", "--dim", "-8", "--no-save").err()
                .strip());
    }
}
