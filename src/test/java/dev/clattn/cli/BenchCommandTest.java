package dev.clattn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
    @TempDir
    Path dir;

    private static int run(StringWriter out, StringWriter err, String... args) {
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void writesOneCheckedRowPerPathShapeAndMask() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        boolean opencl = dev.clattn.opencl.OpenCl.probe().available();
        String paths = opencl ? "fused,three-kernel,cpu" : "cpu";
        int code = run(out, err, "bench", "--n", "17,40", "--repeat", "2", "--paths", paths, "--out", dir.toString());
        assertEquals(0, code, err.toString());
        List<String> csv = Files.readAllLines(dir.resolve("bench.csv"));
        assertEquals(1 + paths.split(",").length * 2 * 2, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(1).matches("^(fused|cpu),1,8,17,17,64,false,.*"), csv.get(1));
        assertTrue(Files.readString(dir.resolve("bench.md")).contains("| GFLOP/s |"));
        String json = Files.readString(dir.resolve("bench.json"));
        assertTrue(json.contains("\"gitCommit\"") && json.contains("\"rows\"") && json.contains("\"params\""), json);
        byte[] png = Files.readAllBytes(dir.resolve("bench.png"));
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG chart");
    }

    @Test
    void decodePresetHasOneQueryRow() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(out, err, "bench", "--preset", "decode", "--n", "300", "--repeat", "1", "--paths", "cpu",
                "--out", dir.toString());
        assertEquals(0, code, err.toString());
        List<String> csv = Files.readAllLines(dir.resolve("bench.csv"));
        assertEquals(2, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(1).startsWith("cpu,4,8,1,300,64,false,"), csv.get(1));
    }

    @Test
    void badOptionsExitTwo() {
        assertEquals(2, run(new StringWriter(), new StringWriter(), "bench", "--preset", "tpu"));
        assertEquals(2, run(new StringWriter(), new StringWriter(), "bench", "--paths", "magic", "--n", "8"));
        assertEquals(2, run(new StringWriter(), new StringWriter(), "bench", "--causal", "maybe"));
    }
}
