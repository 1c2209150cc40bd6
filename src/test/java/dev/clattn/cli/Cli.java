package dev.clattn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the command line in this JVM, or in a child JVM with a heap of its own size. */
final class Cli {
    private Cli() {
    }

    record Outcome(int code, String out, String err) {
    }

    static Outcome clattn(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Outcome(code, out.toString(), err.toString());
    }

    /**
     * {@code clattn} in a child JVM with {@code -Xmx<heap>}: what a heap too small for a copy does can only be
     * seen in a JVM whose heap is that small. The child inherits the environment (libjsig for PoCL).
     */
    static Outcome child(String heap, Path dir, String... args) throws IOException, InterruptedException {
        return child(heap, System.getProperty("java.class.path"), dir, args);
    }

    /** {@code clattn} in a child JVM on {@code classPath}: what a user without some jar sees. */
    static Outcome child(String heap, String classPath, Path dir, String... args) throws IOException,
            InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx" + heap, "-XX:-PrintWarnings", "-Dclattn.profiles=none", "-cp", classPath,
                Main.class.getName()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "child", ".out");
        Path err = Files.createTempFile(dir, "child", ".err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        int code = p.waitFor();
        Outcome o = new Outcome(code, Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return o;
    }

    /** A float32 .npy file named {@code name} in dir, written whole before it is moved into place. */
    static Path npy(Path dir, String name, int[] shape, float[] data) throws IOException {
        Path p = dir.resolve(name);
        Files.move(dev.clattn.io.Npy.writeTemp(p, shape, data), p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return p;
    }

    /**
     * {@code clattn args} refused: exit code 2, exactly {@code line} after "clattn: " on stderr, and no file left in
     * dir whose name {@code output} accepts (nor a temporary one).
     */
    static void refused(Path dir, java.util.function.Predicate<String> output, String line, String... args)
            throws IOException {
        Outcome o = clattn(args);
        org.junit.jupiter.api.Assertions.assertEquals(2, o.code(), o.err());
        org.junit.jupiter.api.Assertions.assertEquals("clattn: " + line, o.err().strip(), o.err());
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            org.junit.jupiter.api.Assertions.assertEquals(List.of(), files.map(f -> f.getFileName().toString())
                    .filter(f -> output.test(f) || f.endsWith(".tmp")).toList(), "no output after bad input");
        }
    }
}
