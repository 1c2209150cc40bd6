package dev.clattn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.cli.Cli.Outcome;
import dev.clattn.io.Npy;
import dev.clattn.io.NpyTestAccess;
import dev.clattn.opencl.OpenClDevices;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code clattn run} given files that lie, outputs that clash, and requests too large for the heap. */
class RunCommandMisuseTest {
    @TempDir
    Path dir;

    private String file(String name) {
        return dir.resolve(name).toString();
    }

    private void floats(String name, int[] shape, float[] data) throws Exception {
        Path p = dir.resolve(name);
        Files.move(Npy.writeTemp(p, shape, data), p, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Small valid inputs q.npy [5,4], k.npy and v.npy [6,4]. */
    private void inputs() throws Exception {
        floats("q.npy", new int[] {5, 4}, new float[20]);
        floats("k.npy", new int[] {6, 4}, new float[24]);
        floats("v.npy", new int[] {6, 4}, new float[24]);
    }

    private String[] run(String out, String... extra) {
        List<String> a = new ArrayList<>(List.of("run", "--q", file("q.npy"), "--k", file("k.npy"), "--v",
                file("v.npy"), "--out", out, "--backend", "cpu"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    /** Exit code 2, exactly {@code line} on stderr, and no file left whose name starts with an output's. */
    private void refused(Outcome o, String line) throws Exception {
        assertEquals(2, o.code(), o.err());
        assertEquals("clattn: " + line, o.err().strip(), o.err());
        try (Stream<Path> files = Files.list(dir)) {
            List<String> left = files.map(f -> f.getFileName().toString())
                    .filter(f -> f.startsWith("o.npy") || f.startsWith("p.npy") || f.contains(".tmp")).toList();
            assertEquals(List.of(), left, "no output file after bad input");
        }
    }

    @Test
    void filesThatLieAboutTheirSizeAreRefusedBeforeTheyAreRead() throws Exception {
        inputs();
        Path sparse = NpyTestAccess.write(dir.resolve("q.npy"), "<f4", "12582912, 64", new byte[0]);
        try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
            f.setLength(f.length() + (3L << 30));
        }
        refused(Cli.clattn(run(file("o.npy"))), "--q " + sparse + ": expected at most 2147483647 data bytes (the "
                + "largest mapping of one array), got 3221225472 (3.0 GiB)");
        inputs();
        refused(Cli.clattn("run", "--q", file("q.npy"), "--k", "/dev/zero", "--v", file("v.npy"), "--out",
                file("o.npy")),
                "--k /dev/zero: expected a regular .npy file, got a device, pipe or socket (/dev/zero)");
        Path v2 = NpyTestAccess.declaredHeader(dir.resolve("v.npy"), 2, 0x7fffffffL, new byte[64]);
        refused(Cli.clattn(run(file("o.npy"))),
                "--v " + v2 + ": expected a .npy header of at most 10000 bytes, got 2147483647");
    }

    @Test
    void shapesWhoseElementCountWrapsAreRefused() throws Exception {
        for (String shape : new String[] {"65536, 65536, 65536, 65536", "4194304, 2097152, 2097152, 1"}) {
            for (String name : new String[] {"q.npy", "k.npy", "v.npy"}) {
                NpyTestAccess.write(dir.resolve(name), "<f4", shape, new byte[0]);
            }
            refused(Cli.clattn(run(file("o.npy"))), "--q " + file("q.npy") + ": expected a shape whose size in "
                    + "bytes fits in 64 bits, got [" + shape + "] of <f4");
        }
    }

    @Test
    void anOutputNamingAnInputOrAnotherOutputIsRefused() throws Exception {
        inputs();
        byte[] q = Files.readAllBytes(dir.resolve("q.npy"));
        Outcome o = Cli.clattn(run(file("q.npy")));
        assertEquals(2, o.code(), o.err());
        assertEquals("clattn: --out: expected a file no other option names, got the file of --q ("
                + dir.toRealPath().resolve("q.npy") + ")", o.err().strip());
        assertArrayEquals(q, Files.readAllBytes(dir.resolve("q.npy")), "Q untouched");
        Files.createSymbolicLink(dir.resolve("link.npy"), dir.resolve("k.npy"));
        refused(Cli.clattn(run(file("o.npy"), "--lse", file("link.npy"))), "--lse: expected a file no other option "
                + "names, got the file of --k (" + dir.toRealPath().resolve("k.npy") + ")");
        refused(Cli.clattn(run(file("o.npy"), "--weights", dir + "/./o.npy")), "--weights: expected a file no other "
                + "option names, got the file of --out (" + dir.toRealPath().resolve("o.npy") + ")");
        floats("m.npy", new int[] {5, 6}, new float[30]);
        refused(Cli.clattn(run(file("o.npy"), "--mask", file("m.npy"), "--weights", file("m.npy"))),
                "--weights: expected a file no other option names, got the file of --mask ("
                        + dir.toRealPath().resolve("m.npy") + ")");
    }

    @Test
    void outputDirectoriesAreCheckedBeforeAnyInputIsRead() throws Exception {
        Files.writeString(dir.resolve("q.npy"), "not an array");
        Path missing = dir.resolve("missing");
        refused(Cli.clattn(run(missing.resolve("o.npy").toString())), "--out: expected a file in a writable "
                + "directory, got " + missing.resolve("o.npy") + " (directory " + missing + " does not exist)");
        Path notDir = Files.writeString(dir.resolve("plain"), "x");
        refused(Cli.clattn(run(file("o.npy"), "--weights", notDir.resolve("p.npy").toString())), "--weights: expected "
                + "a file in a writable directory, got " + notDir.resolve("p.npy") + " (directory " + notDir
                + " is not a directory)");
        Files.createDirectory(dir.resolve("out.d"));
        refused(Cli.clattn(run(file("out.d"))), "--out: expected a file to write, got a directory (" + file("out.d")
                + ")");
    }

    @Test
    void shapeDimensionsBlameTheFileTheyCameFrom() throws Exception {
        inputs();
        floats("q.npy", new int[] {0, 4}, new float[0]);
        refused(Cli.clattn(run(file("o.npy"))), "--q: expected >= 1, got 0");
        floats("q.npy", new int[] {1, 3, 5, 4}, new float[60]);
        floats("k.npy", new int[] {1, 2, 6, 4}, new float[48]);
        floats("v.npy", new int[] {1, 2, 6, 4}, new float[48]);
        refused(Cli.clattn(run(file("o.npy"))), "--k: expected a divisor of Hq=3, got Hk=2");
        inputs();
        floats("v.npy", new int[] {7, 4}, new float[28]);
        refused(Cli.clattn(run(file("o.npy"))), "--v: expected keys Nk=6 (as in --k), got 7");
    }

    @Test
    void aCopyTheHeapCannotHoldIsRefusedNamingTheFile() throws Exception {
        inputs();
        Path bias = NpyTestAccess.write(dir.resolve("a.npy"), "<f4", "16777216,", new byte[0]);
        try (RandomAccessFile f = new RandomAccessFile(bias.toFile(), "rw")) {
            f.setLength(f.length() + (64L << 20));
        }
        Outcome o = Cli.child("32m", dir, run(file("o.npy"), "--bias", bias.toString()));
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().strip().startsWith("clattn: --bias " + bias + ": a float32 copy on the heap needs 64.0 MiB "
                + "(67108864 bytes), ") && o.err().strip().endsWith(" of heap free (raise -Xmx)"), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(Files.notExists(dir.resolve("o.npy")));
    }

    @Test
    void inputsReachTheDeviceWithoutAHeapCopy() throws Exception {
        OpenClDevices.require();
        int n = 65536;
        float[] keys = new float[n * 64];
        float[] values = new float[n];
        for (int j = 0; j < n; j++) {
            keys[j * 64] = j == 777 ? 1 : 0;
            values[j] = j == 777 ? 5 : 1;
        }
        float[] queries = new float[4 * 64];
        queries[0] = 100;
        floats("q.npy", new int[] {4, 64}, queries);
        floats("k.npy", new int[] {n, 64}, keys);
        floats("v.npy", new int[] {n, 1}, values);
        // 16 MiB of K read into a byte array and then copied to floats needs 32 MiB: more than this heap.
        Outcome o = Cli.child("24m", dir, "run", "--q", file("q.npy"), "--k", file("k.npy"), "--v", file("v.npy"),
                "--out", file("o.npy"), "--backend", "opencl", "--scale", "1");
        assertEquals(0, o.code(), o.err());
        float[] out = Npy.read("o", dir.resolve("o.npy")).floats();
        // Row 0 scores 100 on key 777 and 0 elsewhere, so it reads value 5 to within e^-89; the other rows
        // average every value. Data uploaded in the wrong byte order or from the wrong place gives neither.
        assertEquals(5f, out[0], 1e-4f);
        assertEquals(1f + 4f / n, out[1], 1e-4f);
    }

    /** Needs the library's heap check (RequestTooLargeException for "weights"); without it the child dies of OOM. */
    @Test
    void weightsLargerThanTheHeapAreOneLineNotAStackTrace() throws Exception {
        int n = 40_000;
        for (String name : new String[] {"q.npy", "k.npy", "v.npy"}) {
            floats(name, new int[] {1, n, 1}, new float[n]);
        }
        Outcome o = Cli.child("512m", dir, run(file("o.npy"), "--weights", file("p.npy")));
        assertEquals(2, o.code(), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(o.err().startsWith("clattn: --weights: expected at most ")
                && o.err().strip().endsWith(", got 6.0 GiB (6400000000 bytes)"), o.err());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("o.npy")
                    || f.startsWith("p.npy")).toList());
        }
    }

    @Test
    void aWindowThatIsNotTwoIntegersOfAtLeastMinusOneIsRefused() throws Exception {
        inputs();
        for (String bad : new String[] {"3", "2,x", "1.5,0", "", "1,2,3"}) {
            refused(Cli.clattn(run(file("o.npy"), "--window", bad)), "--window: expected LEFT,RIGHT, two integers "
                    + ">= -1 (-1 = unbounded), got '" + bad + "'");
        }
        refused(Cli.clattn(run(file("o.npy"), "--window", "-2,0")),
                "--window: expected LEFT,RIGHT each >= -1 (-1 = unbounded), got -2,0");
    }

    private void ints(String name, String descr, int... values) throws Exception {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * values.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int x : values) {
            b.putInt(x);
        }
        NpyTestAccess.write(dir.resolve(name), descr, values.length + ",", b.array());
    }

    /** q.npy has Nq = 5, k.npy Nk = 6: every way a graph can be wrong, one line naming --edges. */
    @Test
    void aGraphThatIsNotAValidCsrIsRefusedByName() throws Exception {
        inputs();
        String edges = file("ptr.npy") + "," + file("idx.npy");
        ints("idx.npy", "<i4", 0, 1, 2);
        ints("ptr.npy", "<i4", 0, 1, 2, 3, 3);
        refused(Cli.clattn(run(file("o.npy"), "--edges", edges)),
                "--edges INDPTR: expected Nq + 1 = 6 entries, got 5 entries");
        ints("ptr.npy", "<i4", 1, 1, 2, 3, 3, 3);
        refused(Cli.clattn(run(file("o.npy"), "--edges", edges)), "--edges INDPTR: expected 0 as its first entry, got 1");
        ints("ptr.npy", "<i4", 0, 2, 1, 3, 3, 3);
        refused(Cli.clattn(run(file("o.npy"), "--edges", edges)),
                "--edges INDPTR: expected entries that never decrease, got 1 after 2 at [2]");
        ints("ptr.npy", "<i4", 0, 1, 2, 3, 3, 3);
        ints("idx.npy", "<i4", 0, 6, 2);
        refused(Cli.clattn(run(file("o.npy"), "--edges", edges)),
                "--edges INDICES: expected keys in [0, 6) (Nk), got 6 at [1]");
        ints("ptr.npy", "<i4", 0, 2, 2, 3, 3, 3);
        ints("idx.npy", "<i4", 4, 4, 2);
        refused(Cli.clattn(run(file("o.npy"), "--edges", edges)),
                "--edges INDICES: expected no key twice within a row, got key 4 twice in row 0 (at [1])");
        floats("ptr.npy", new int[] {6}, new float[6]);
        refused(Cli.clattn(run(file("o.npy"), "--edges", edges)),
                "--edges " + file("ptr.npy") + ": expected dtype int32 or int64, got <f4");
        refused(Cli.clattn(run(file("o.npy"), "--edges", file("ptr.npy"))),
                "--edges: expected INDPTR.npy,INDICES.npy, got '" + file("ptr.npy") + "'");
    }
}
