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
    void writesOneCheckedRowPerPathShapeAndMaskAndOnePerKernel() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        boolean opencl = dev.clattn.opencl.OpenCl.probe().available();
        String paths = opencl ? "fused,three-kernel,cpu" : "cpu";
        int code = run(out, err, "bench", "--n", "17,40", "--repeat", "2", "--paths", paths, "--out", dir.toString());
        assertEquals(0, code, err.toString());
        List<String> csv = Files.readAllLines(dir.resolve("bench.csv"));
        List<String> pathRows = csv.stream().filter(l -> l.matches("^[a-z-]+,,.*")).toList();
        assertEquals(paths.split(",").length * 2 * 2, pathRows.size(), String.join("\n", csv));
        assertTrue(csv.get(1).matches("^(fused|cpu),,(profiles|-),1,8,8,17,17,64,64,false,f32,.*"), csv.get(1));
        if (opencl) {
            for (String kernel : List.of("qkt", "softmax_rows", "av")) {
                assertEquals(4, csv.stream().filter(l -> l.startsWith("three-kernel," + kernel + ",")).count(), kernel);
            }
            String softmax = csv.stream().filter(l -> l.startsWith("three-kernel,softmax_rows,")).findFirst()
                    .orElseThrow();
            assertTrue(Double.parseDouble(softmax.split(",")[18]) > 0, "softmax GB/s: " + softmax);
            String fused = pathRows.get(0).split(",", -1)[19];
            assertTrue(Double.parseDouble(fused) > 0, "fraction of peak: " + pathRows.get(0));
            assertTrue(out.toString().contains("GFLOP/s FMA"), out.toString());
        }
        assertTrue(Files.readString(dir.resolve("bench.md")).contains("| GFLOP/s |"));
        String json = Files.readString(dir.resolve("bench.json"));
        assertTrue(json.contains("\"gitCommit\"") && json.contains("\"rows\"") && json.contains("\"params\""), json);
        assertEquals(opencl, json.contains("\"fmaGflops\""), json);
        byte[] png = Files.readAllBytes(dir.resolve("bench.png"));
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG chart");
    }

    @Test
    void namedWorkloadsWithGroupedHeadsAndHalfStorage() throws Exception {
        boolean opencl = dev.clattn.opencl.OpenCl.probe().available();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(out, err, "bench", "--shape", "B=2,Hq=4,Hk=2,Nq=33,Nk=70,D=24,Dv=40", "--repeat", "1",
                "--paths", opencl ? "fused,cpu" : "cpu", "--storage", "f32,f16", "--causal", "yes", "--no-peak",
                "--out", dir.toString());
        assertEquals(0, code, err.toString());
        List<String> csv = Files.readAllLines(dir.resolve("bench.csv"));
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("cpu,,-,2,4,2,33,70,24,40,true,f32,")), String.join("\n", csv));
        assertEquals(opencl, csv.stream().anyMatch(l -> l.startsWith("fused,,profiles,2,4,2,33,70,24,40,true,f16,")),
                String.join("\n", csv));
        assertTrue(csv.stream().noneMatch(l -> l.startsWith("cpu,") && l.contains(",f16,")), "half storage is fused only");
    }

    @Test
    void peerResultsJoinTheReportWithTheRatio() throws Exception {
        boolean opencl = dev.clattn.opencl.OpenCl.probe().available();
        Path peer = dir.resolve("peer.csv");
        Files.writeString(peer, "path,B,H,Nq,Nk,D,causal,median_ms,min_ms,gflops,max_error,device\n"
                + "pytorch-fp32,1,2,64,64,32,false,0.5000,0.4000,0.50,1.00e-07,\"Some GPU\"\n");
        StringWriter err = new StringWriter();
        int code = run(new StringWriter(), err, "bench", "--shape", "B=1,H=2,N=64,D=32", "--causal", "no", "--repeat",
                "1", "--paths", opencl ? "fused" : "cpu", "--no-peak", "--peer", peer.toString(), "--out",
                dir.toString());
        assertEquals(0, code, err.toString());
        List<String> csv = Files.readAllLines(dir.resolve("bench.csv"));
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("pytorch-fp32,,-,1,2,2,64,64,32,32,false,f32,")),
                String.join("\n", csv));
        String md = Files.readString(dir.resolve("bench.md"));
        if (opencl) {
            String fused = csv.stream().filter(l -> l.startsWith("fused,,")).findFirst().orElseThrow();
            double ratio = Double.parseDouble(fused.split(",")[16]) / 0.5;
            assertTrue(md.contains(String.format(java.util.Locale.ROOT, " %.2f |", ratio)), md);
        }
        Files.writeString(peer, "a,b\n1,2\n");
        assertEquals(2, run(new StringWriter(), new StringWriter(), "bench", "--peer", peer.toString(), "--paths",
                "cpu", "--n", "8"));
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
        assertTrue(csv.get(1).startsWith("cpu,,-,4,8,8,1,300,64,64,false,f32,"), csv.get(1));
    }

    @Test
    void badOptionsExitTwo() {
        assertEquals(2, run(new StringWriter(), new StringWriter(), "bench", "--preset", "tpu"));
        assertEquals(2, run(new StringWriter(), new StringWriter(), "bench", "--paths", "magic", "--n", "8"));
        assertEquals(2, run(new StringWriter(), new StringWriter(), "bench", "--causal", "maybe"));
        assertEquals(2, run(new StringWriter(), new StringWriter(), "bench", "--shape", "B=1,H=8"));
        assertEquals(2, run(new StringWriter(), new StringWriter(), "bench", "--shape", "B=1,H=6,Hk=4,N=8"));
        assertEquals(2, run(new StringWriter(), new StringWriter(), "bench", "--tuning", "best"));
        assertEquals(2, run(new StringWriter(), new StringWriter(), "bench", "--storage", "f8"));
    }
}
