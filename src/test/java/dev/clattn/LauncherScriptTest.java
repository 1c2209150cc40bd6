package dev.clattn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./clattn} launcher, copied into a bare checkout (no target/) with fake {@code mvn} and {@code java}
 * on a PATH that holds nothing else: it must reach the build, run the jar it built, and say in one line starting
 * "clattn:" what went wrong when it cannot. No real Maven or JVM runs.
 */
class LauncherScriptTest {
    private static final String JAR = "target/clattn-0.1.0-SNAPSHOT-cli.jar";
    private static final String ORT_VERSION = "9.8.7";
    private static final String ORT_JAR = ".m2/repository/com/microsoft/onnxruntime/onnxruntime/" + ORT_VERSION
            + "/onnxruntime-" + ORT_VERSION + ".jar";
    private static final List<String> TOOLS = List.of("dirname", "readlink", "find", "mkdir", "grep", "ls", "head");

    private record Run(int code, String out, List<String> err) {
    }

    /** A checkout in {@code dir}: the launcher, a pom and sources, and a bin/ for the PATH. */
    private static Path checkout(Path dir) throws IOException {
        Files.copy(Path.of("clattn"), dir.resolve("clattn"));
        Files.writeString(dir.resolve("pom.xml"), "<project/>");
        Files.createDirectories(dir.resolve("src/main"));
        Files.createDirectories(dir.resolve("kernels"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : TOOLS) {
            Path real = Files.exists(Path.of("/usr/bin", tool)) ? Path.of("/usr/bin", tool) : Path.of("/bin", tool);
            Files.createSymbolicLink(bin.resolve(tool), real);
        }
        return dir;
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/bash\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** A java that reports its arguments; {@code release} (may be null) is its JDK's release file. */
    private static void fakeJava(Path dir, String release) throws IOException {
        Path jdk = Files.createDirectories(dir.resolve("jdk/bin"));
        script(jdk.resolve("java"), "echo \"fake java $*\"");
        if (release != null) {
            Files.writeString(dir.resolve("jdk/release"), release);
        }
        Files.createSymbolicLink(dir.resolve("bin/java"), jdk.resolve("java"));
    }

    /** An mvn that records its arguments in mvn.args, prints {@code output} and runs {@code then}. */
    private static void fakeMvn(Path dir, String output, String then) throws IOException {
        script(dir.resolve("bin/mvn"), "echo \"$*\" > '" + dir.resolve("mvn.args") + "'\necho '" + output + "'\n"
                + then);
    }

    private static Run launch(Path dir, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("/bin/bash", dir.resolve("clattn").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().clear();
        pb.environment().put("PATH", dir.resolve("bin").toString());
        pb.environment().put("HOME", dir.toString());
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the launcher did not finish");
        return new Run(p.exitValue(), Files.readString(out), Files.readAllLines(err, StandardCharsets.UTF_8));
    }

    private static void assertOneLineFailure(Run run, String starts) {
        assertNotEquals(0, run.code(), run.toString());
        assertEquals(1, run.err().size(), "one line: " + run.err());
        assertTrue(run.err().get(0).startsWith("clattn: " + starts), run.err().get(0));
    }

    @Test
    void freshCheckoutBuildsTheJarAndRunsIt(@TempDir Path tmp) throws Exception {
        Path dir = checkout(tmp);
        fakeJava(dir, "JAVA_VERSION=\"17.0.15\"\n");
        fakeMvn(dir, "[INFO] BUILD SUCCESS", "mkdir -p '" + dir.resolve("target") + "' && : > '" + dir.resolve(JAR)
                + "'");
        Run run = launch(dir, "demo", "--seq", "64");
        assertEquals(0, run.code(), run.toString());
        assertTrue(Files.readString(dir.resolve("mvn.args")).contains("-DskipTests package"));
        assertTrue(run.out().contains("-cp " + dir.resolve(JAR) + " dev.clattn.cli.Main demo --seq 64"), run.out());
        assertFalse(run.out().contains("AlwaysPreTouch"), "only bench and tune pre-touch the heap: " + run.out());
        assertEquals(List.of("clattn: building the jar (log: " + dir.resolve("target/clattn-build.log") + ")"),
                run.err());
        assertTrue(Files.readString(dir.resolve("target/clattn-build.log")).contains("BUILD SUCCESS"));

        Files.delete(dir.resolve("mvn.args"));
        Run again = launch(dir, "info");
        assertEquals(0, again.code(), again.toString());
        assertFalse(Files.exists(dir.resolve("mvn.args")), "an up-to-date jar is not rebuilt");
        assertTrue(again.err().isEmpty(), again.err().toString());
    }

    /** A checkout whose pom names an ONNX Runtime version, with an up-to-date CLI jar (no build). */
    private static Path builtWithOrt(Path dir) throws IOException {
        checkout(dir);
        Files.writeString(dir.resolve("pom.xml"), "<project><properties><onnxruntime.version>" + ORT_VERSION
                + "</onnxruntime.version></properties></project>");
        fakeJava(dir, null);
        Files.createDirectories(dir.resolve("target"));
        Files.writeString(dir.resolve(JAR), "");
        return dir;
    }

    @Test
    void theOnnxRuntimeJarJoinsTheClassPathAndIsFetchedForPeerOrt(@TempDir Path tmp) throws Exception {
        Path dir = builtWithOrt(tmp);
        Path ort = dir.resolve(ORT_JAR);
        fakeMvn(dir, "", "mkdir -p '" + ort.getParent() + "' && : > '" + ort + "'");
        Run plain = launch(dir, "bench", "--peer", "peer.csv");
        assertEquals(0, plain.code(), plain.toString());
        assertFalse(Files.exists(dir.resolve("mvn.args")), "no fetch without --peer ort");
        assertTrue(plain.out().contains("-cp " + dir.resolve(JAR) + " dev.clattn.cli.Main bench --peer peer.csv"),
                plain.out());
        assertTrue(plain.out().contains("-XX:-PrintWarnings -Xms1g -XX:+AlwaysPreTouch -cp "),
                "bench measures a pre-touched heap: " + plain.out());

        Run fetched = launch(dir, "bench", "--peer", "ort", "--n", "64");
        assertEquals(0, fetched.code(), fetched.toString());
        assertEquals("-q -B dependency:get -Dartifact=com.microsoft.onnxruntime:onnxruntime:" + ORT_VERSION,
                Files.readString(dir.resolve("mvn.args")).strip());
        assertEquals(List.of("clattn: fetching com.microsoft.onnxruntime:onnxruntime:" + ORT_VERSION + " for --peer ort "
                + "(log: " + dir.resolve("target/clattn-fetch-ort.log") + ")"), fetched.err());
        assertTrue(fetched.out().contains("-cp " + dir.resolve(JAR) + ":" + ort + " dev.clattn.cli.Main bench --peer ort"),
                fetched.out());

        Files.delete(dir.resolve("mvn.args"));
        Run again = launch(dir, "bench", "--peer=ort");
        assertFalse(Files.exists(dir.resolve("mvn.args")), "a jar already there is not fetched again");
        assertTrue(again.out().contains(":" + ort + " dev.clattn.cli.Main"), again.out());
        assertTrue(again.err().isEmpty(), again.err().toString());
    }

    @Test
    void aFailedFetchOfOnnxRuntimeIsOneLine(@TempDir Path tmp) throws Exception {
        Path dir = builtWithOrt(tmp);
        fakeMvn(dir, "[ERROR] Could not resolve artifact", "exit 1");
        Run run = launch(dir, "bench", "--peer", "ort");
        assertEquals(1, run.code(), run.toString());
        assertEquals(2, run.err().size(), run.err().toString());
        assertTrue(run.err().get(1).startsWith("clattn: could not fetch com.microsoft.onnxruntime:onnxruntime:"
                + ORT_VERSION + " with Maven"), run.err().get(1));
        assertTrue(run.out().isEmpty(), "java must not run: " + run.out());
        Path quiet = builtWithOrt(Files.createDirectories(tmp.resolve("fetches-nothing")));
        fakeMvn(quiet, "", "exit 0");
        Run nothing = launch(quiet, "bench", "--peer", "ort");
        assertEquals(1, nothing.code(), nothing.toString());
        assertTrue(nothing.err().get(nothing.err().size() - 1).startsWith("clattn: no " + quiet.resolve(ORT_JAR)
                + " after fetching"), nothing.err().toString());
    }

    @Test
    void failedBuildSaysSoAndWhereTheLogIs(@TempDir Path tmp) throws Exception {
        Path dir = checkout(tmp);
        fakeJava(dir, null);
        fakeMvn(dir, "[ERROR] COMPILATION ERROR: Attention.java:[12,5] cannot find symbol", "exit 1");
        Run run = launch(dir, "demo");
        assertEquals(1, run.code(), run.toString());
        assertEquals(2, run.err().size(), run.err().toString());
        String last = run.err().get(1);
        assertTrue(last.startsWith("clattn: build failed (mvn package, exit 1): COMPILATION ERROR"), last);
        assertTrue(last.endsWith("full log: " + dir.resolve("target/clattn-build.log")), last);
        assertTrue(run.out().isEmpty(), "the jar must not run: " + run.out());
    }

    @Test
    void missingToolsAndMissingJarAreNamed(@TempDir Path tmp) throws Exception {
        Path noJava = checkout(Files.createDirectories(tmp.resolve("no-java")));
        fakeMvn(noJava, "", "exit 0");
        assertOneLineFailure(launch(noJava, "demo"), "java not found on PATH");

        Path oldJava = checkout(Files.createDirectories(tmp.resolve("old-java")));
        fakeJava(oldJava, "JAVA_VERSION=\"11.0.2\"\n");
        assertOneLineFailure(launch(oldJava, "demo"), oldJava.resolve("jdk/bin/java") + " is Java 11");

        Path noMvn = checkout(Files.createDirectories(tmp.resolve("no-mvn")));
        fakeJava(noMvn, null);
        assertOneLineFailure(launch(noMvn, "demo"), "mvn not found on PATH");
        assertOneLineFailure(launch(noMvn, "test"), "mvn not found on PATH");

        Path noJar = checkout(Files.createDirectories(tmp.resolve("no-jar")));
        fakeJava(noJar, null);
        fakeMvn(noJar, "[INFO] BUILD SUCCESS", "exit 0");
        Run run = launch(noJar, "demo");
        assertEquals(1, run.code(), run.toString());
        assertTrue(run.err().get(run.err().size() - 1).startsWith("clattn: the build succeeded but left no "),
                run.err().toString());
    }
}
