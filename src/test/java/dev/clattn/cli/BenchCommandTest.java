package dev.clattn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
        assertTrue(csv.get(1).matches("^(fused|cpu),,(profiles|-),1,8,8,17,17,64,64,none,f32,.*"), csv.get(1));
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
                "--paths", opencl ? "fused,cpu" : "cpu", "--storage", "f32,f16", "--mask", "causal", "--no-peak",
                "--out", dir.toString());
        assertEquals(0, code, err.toString());
        List<String> csv = Files.readAllLines(dir.resolve("bench.csv"));
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("cpu,,-,2,4,2,33,70,24,40,causal,f32,")), String.join("\n", csv));
        assertEquals(opencl, csv.stream().anyMatch(l -> l.startsWith("fused,,profiles,2,4,2,33,70,24,40,causal,f16,")),
                String.join("\n", csv));
        assertTrue(csv.stream().noneMatch(l -> l.startsWith("cpu,") && l.contains(",f16,")), "half storage is fused only");
    }

    @Test
    void thePlainJavaLoopPeerIsCheckedAndTimedBesideTheFallback() throws Exception {
        StringWriter err = new StringWriter();
        int code = run(new StringWriter(), err, "bench", "--shape", "B=1,Hq=4,Hk=2,Nq=37,Nk=37,D=24,Dv=16",
                "--mask", "none,causal", "--repeat", "1", "--paths", "cpu,java-loop", "--no-peak", "--max-error", "1e-5",
                "--out", dir.toString());
        assertEquals(0, code, err.toString());
        List<String> csv = Files.readAllLines(dir.resolve("bench.csv"));
        for (String mask : new String[] {"none", "causal"}) {
            assertTrue(csv.stream().anyMatch(l -> l.startsWith("java-loop,,-,1,4,2,37,37,24,16," + mask + ",f32,")),
                    String.join("\n", csv));
        }
        StringWriter refused = new StringWriter();
        assertEquals(2, run(new StringWriter(), refused, "bench", "--n", "16", "--mask", "padding", "--repeat", "1",
                "--paths", "java-loop", "--no-peak"));
        assertTrue(refused.toString().contains("--paths java-loop: expected mask none or causal"), refused.toString());
    }

    @Test
    void peerResultsJoinTheReportWithTheRatio() throws Exception {
        boolean opencl = dev.clattn.opencl.OpenCl.probe().available();
        Path peer = dir.resolve("peer.csv");
        Files.writeString(peer, "path,B,H,Nq,Nk,D,causal,median_ms,min_ms,gflops,max_error,device\n"
                + "pytorch-fp32,1,2,64,64,32,false,0.5000,0.4000,0.50,1.00e-07,\"Some GPU\"\n");
        StringWriter err = new StringWriter();
        int code = run(new StringWriter(), err, "bench", "--shape", "B=1,H=2,N=64,D=32", "--mask", "none", "--repeat",
                "1", "--paths", opencl ? "fused" : "cpu", "--no-peak", "--peer", peer.toString(), "--out",
                dir.toString());
        assertEquals(0, code, err.toString());
        List<String> csv = Files.readAllLines(dir.resolve("bench.csv"));
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("pytorch-fp32,,-,1,2,2,64,64,32,32,none,f32,")),
                String.join("\n", csv));
        String md = Files.readString(dir.resolve("bench.md"));
        if (opencl) {
            String fused = csv.stream().filter(l -> l.startsWith("fused,,")).findFirst().orElseThrow();
            double ratio = Double.parseDouble(fused.split(",")[16]) / 0.5;
            String row = md.lines().filter(l -> l.startsWith("| 1 | 2 | 64 | 32 | none |")).findFirst().orElseThrow();
            String[] cells = row.split("\\|");
            assertEquals(ratio, Double.parseDouble(cells[cells.length - 1].trim()), 0.05, row);
        }
        Files.writeString(peer, "a,b\n1,2\n");
        assertEquals(2, run(new StringWriter(), new StringWriter(), "bench", "--peer", peer.toString(), "--paths",
                "cpu", "--n", "8"));
    }

    @Test
    void onnxRuntimeRunsBothRoutesBesideClattnWithTheRatioTable() throws Exception {
        OrtPeerTest.assumeOrt();
        boolean opencl = dev.clattn.opencl.OpenCl.probe().available();
        String path = opencl ? "fused" : "cpu";
        Path peer = dir.resolve("peer.csv");
        Files.writeString(peer, "path,B,H,Nq,Nk,D,causal,median_ms,min_ms,gflops,max_error,device\n"
                + "pytorch-fp32,1,2,40,40,16,false,0.5000,0.4000,0.50,1.00e-07,\"Some GPU\"\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(out, err, "bench", "--shape", "B=1,H=2,N=40,D=16", "--mask", "none,causal", "--repeat", "1",
                "--paths", path, "--no-peak", "--peer", "ort", "--peer", peer.toString(), "--out", dir.toString());
        assertEquals(0, code, err.toString());
        List<String> csv = Files.readAllLines(dir.resolve("bench.csv"));
        for (String route : List.of("ort-matmul", "ort-attention")) {
            for (String mask : List.of("none", "causal")) {
                assertTrue(csv.stream().anyMatch(l -> l.startsWith(route + ",,-,1,2,2,40,40,16,16," + mask + ",f32,")
                        && l.contains("ONNX Runtime ")), route + " " + mask + ":\n" + String.join("\n", csv));
            }
        }
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("pytorch-fp32,,-,1,2,2,40,40,16,16,none,")), "the CSV peer");
        assertTrue(out.toString().contains("ort-attention"), out.toString());
        Map<String, com.google.gson.JsonObject> rows = new java.util.HashMap<>();
        for (var e : com.google.gson.JsonParser.parseString(Files.readString(dir.resolve("bench.json"))).getAsJsonObject()
                .getAsJsonArray("rows")) {
            var row = e.getAsJsonObject();
            if (row.get("kernel").getAsString().isEmpty()) {
                rows.put(row.get("path").getAsString() + " " + row.get("mask").getAsString(), row);
            }
        }
        // clattn's FLOP formula, half when causal, and each row checked against float64 before it was timed.
        for (String route : List.of("ort-matmul", "ort-attention")) {
            assertEquals(4.0 * 2 * 40 * 40 * 16, flopsOf(rows.get(route + " none")), 1e-3, route);
            assertEquals(2.0 * 2 * 40 * 40 * 16, flopsOf(rows.get(route + " causal")), 1e-3, route);
            assertTrue(rows.get(route + " causal").get("error").getAsDouble() <= 1e-4, route);
        }
        String md = Files.readString(dir.resolve("bench.md"));
        assertTrue(md.contains("## clattn against ONNX Runtime"), md);
        for (String mask : List.of("none", "causal")) {
            double best = Math.max(rows.get("ort-matmul " + mask).get("gflops").getAsDouble(),
                    rows.get("ort-attention " + mask).get("gflops").getAsDouble());
            double ratio = rows.get(path + " " + mask).get("gflopsEndToEnd").getAsDouble() / best;
            String row = md.lines().filter(l -> l.startsWith("| 1 | 2 | 2 | 40 | 40 | 16 | " + mask + " | " + path + " |"))
                    .findFirst().orElseThrow(() -> new AssertionError("no ratio row for " + mask + " in\n" + md));
            String[] cells = row.split("\\|");
            assertEquals(ratio, Double.parseDouble(cells[cells.length - 1].trim()), 0.006, row);
        }
        assertTrue(md.lines().noneMatch(l -> l.startsWith("| 1 | 2 | 2 | 40 | 40 | 16 | none | pytorch-")),
                "a CSV peer is not a clattn row of the ORT table");
    }

    @Test
    void unknownPeersAndMasksOrtCannotRunAreOneLineExitTwo() {
        Cli.Outcome unknown = Cli.clattn("bench", "--peer", "torch", "--paths", "cpu", "--n", "8");
        assertEquals(2, unknown.code(), unknown.err());
        assertEquals("clattn: --peer: expected ort or a peer CSV file (bench/peers/sdpa.py's peer.csv), got 'torch', "
                + "no such file", unknown.err().strip());
        Cli.Outcome directory = Cli.clattn("bench", "--peer", dir.toString(), "--paths", "cpu", "--n", "8");
        assertEquals(2, directory.code(), directory.err());
        assertTrue(directory.err().strip().endsWith("got '" + dir + "', not a regular file"), directory.err());
        OrtPeerTest.assumeOrt();
        Cli.Outcome padding = Cli.clattn("bench", "--peer", "ort", "--mask", "none,padding", "--paths", "cpu", "--n",
                "8");
        assertEquals(2, padding.code(), padding.err());
        assertEquals("clattn: --mask: expected none or causal with --peer ort, got 'padding'", padding.err().strip());
    }

    @Test
    void withoutOnnxRuntimeOnTheClassPathPeerOrtSaysHowToGetIt() throws Exception {
        String classPath = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> !e.contains("onnxruntime")).collect(java.util.stream.Collectors.joining(
                        java.io.File.pathSeparator));
        Cli.Outcome o = Cli.child("256m", classPath, dir, "bench", "--peer", "ort", "--paths", "cpu", "--n", "8",
                "--repeat", "1");
        assertEquals(2, o.code(), o.err());
        List<String> lines = o.err().strip().lines().toList();
        assertEquals(1, lines.size(), o.err());
        assertTrue(lines.get(0).startsWith("clattn: --peer ort: expected ONNX Runtime's Java API "
                + "(com.microsoft.onnxruntime:onnxruntime:" + BenchPeers.ortVersion() + ") on the class path, got none; "
                + "./clattn adds it"), lines.get(0));
        assertTrue(o.out().isEmpty(), "nothing ran: " + o.out());
    }

    @Test
    void everyMaskKindIsCheckedAndCountsOnlyVisibleFlops() throws Exception {
        boolean opencl = dev.clattn.opencl.OpenCl.probe().available();
        StringWriter err = new StringWriter();
        int code = run(new StringWriter(), err, "bench", "--shape", "B=2,H=2,N=96,D=16", "--mask",
                "none,causal,padding,bias", "--repeat", "1", "--paths", opencl ? "fused,three-kernel,cpu" : "cpu",
                "--no-peak", "--out", dir.toString());
        assertEquals(0, code, err.toString());
        var rows = new java.util.ArrayList<com.google.gson.JsonObject>();
        for (var e : com.google.gson.JsonParser.parseString(Files.readString(dir.resolve("bench.json"))).getAsJsonObject()
                .getAsJsonArray("rows")) {
            if (e.getAsJsonObject().get("path").getAsString().equals("cpu")) {
                rows.add(e.getAsJsonObject());
            }
        }
        assertEquals(4, rows.size(), rows.toString());
        double none = flopsOf(rows.get(0));
        // padding keeps 96 - 96/8 keys in batch 0 and 96 - 96/4 in batch 1: 78 of 96 on average.
        assertEquals(0.5, flopsOf(rows.get(1)) / none, 1e-9);
        assertEquals(78.0 / 96, flopsOf(rows.get(2)) / none, 1e-9);
        assertEquals(1.0, flopsOf(rows.get(3)) / none, 1e-9);
    }

    /** FLOPs of a JSON row: end-to-end GFLOP/s times the host median (ms), times 1e6. */
    private static double flopsOf(com.google.gson.JsonObject row) {
        return row.get("gflopsEndToEnd").getAsDouble() * row.get("hostMedianMs").getAsDouble() * 1e6;
    }

    @Test
    void editedKernelsAreUsedWithoutARebuild() throws Exception {
        dev.clattn.opencl.OpenClDevices.require();
        Path kernels = Files.createDirectories(dir.resolve("kernels"));
        try (var files = Files.list(Path.of("kernels"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cl")).toList()) {
                Files.copy(f, kernels.resolve(f.getFileName()));
            }
        }
        StringWriter err = new StringWriter();
        assertEquals(0, run(new StringWriter(), err, "bench", "--shape", "B=1,H=1,N=16", "--mask", "none", "--repeat",
                "1", "--paths", "fused", "--kernels", kernels.toString()), err.toString());
        for (String f : List.of("attention_fused.cl", "attention_fused_vec.cl")) {
            Files.writeString(kernels.resolve(f), "#error edited to fail\n", java.nio.file.StandardOpenOption.APPEND);
        }
        err = new StringWriter();
        int code = run(new StringWriter(), err, "bench", "--shape", "B=1,H=1,N=16", "--mask", "none", "--repeat",
                "1", "--paths", "fused", "--no-peak", "--kernels", kernels.toString());
        assertTrue(code != 0 && err.toString().contains(kernels.toString()), code + ": " + err);
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
        assertTrue(csv.get(1).startsWith("cpu,,-,4,8,8,1,300,64,64,none,f32,"), csv.get(1));
    }

    @Test
    void badOptionsExitTwo() {
        assertEquals(2, run(new StringWriter(), new StringWriter(), "bench", "--preset", "tpu"));
        assertEquals(2, run(new StringWriter(), new StringWriter(), "bench", "--paths", "magic", "--n", "8"));
        assertEquals(2, run(new StringWriter(), new StringWriter(), "bench", "--mask", "maybe"));
        assertEquals(2, run(new StringWriter(), new StringWriter(), "bench", "--shape", "B=1,H=8"));
        assertEquals(2, run(new StringWriter(), new StringWriter(), "bench", "--shape", "B=1,H=6,Hk=4,N=8"));
        assertEquals("clattn: --shape: expected a divisor of Hq=6, got Hk=4 in 'B=1,H=6,Hk=4,N=8'",
                Cli.clattn("bench", "--shape", "B=1,H=6,Hk=4,N=8").err().strip());
        assertEquals("clattn: --shape: expected >= 1, got 0 in 'B=1,H=2,N=0'",
                Cli.clattn("bench", "--shape", "B=1,H=2,N=0").err().strip());
        Cli.Outcome zero = Cli.clattn("bench", "--preset", "flash", "--n", "0");
        assertEquals(2, zero.code(), zero.err());
        assertEquals("clattn: --n: expected lengths >= 1, got 0", zero.err().strip());
        assertTrue(Cli.clattn("bench", "--n", "2147483647").err().startsWith("clattn: --n: expected dimensions whose "
                + "element counts"));
        assertEquals(2, run(new StringWriter(), new StringWriter(), "bench", "--tuning", "best"));
        assertEquals(2, run(new StringWriter(), new StringWriter(), "bench", "--storage", "f8"));
    }
}
