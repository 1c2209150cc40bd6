package dev.clattn.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text of one kernel file, with common.cl in front, read from a directory when one is configured (so a
 * tuning session edits a .cl file and re-runs without a rebuild) and from the jar otherwise. A line
 * {@code #include "part.cl"} is replaced by that file's text, from the same place, once per program, so that a
 * long kernel splits into files a reader can take in while the driver (which has no include path into the
 * jar) sees one text. The tunables and their defaults are read from the file's own
 * {@code #ifndef NAME / #define NAME value} pairs, and the values a tuner may try from a
 * {@code tune: v1 v2 ...} list in the define's comment.
 */
public record KernelSource(String name, String text, String origin, Map<String, Integer> defaults,
        Map<String, List<Integer>> space) {
    private static final Pattern TUNE_VALUES = Pattern.compile(
            "^#define\\s+(\\w+)\\s+-?\\d+\\s*//.*?tune:\\s*([-\\d ]+)$", Pattern.MULTILINE);

    /** First 12 hex digits of the SHA-256 of the source text: tuning profiles apply only to the source they tuned. */
    public String hash() {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final Pattern INCLUDE = Pattern.compile("^#include \"(\\w+)\\.cl\"[ \\t]*$", Pattern.MULTILINE);

    private static final Pattern TUNABLE = Pattern.compile(
            "^#ifndef\\s+(\\w+)\\s*\\R#define\\s+\\1\\s+(-?\\d+)", Pattern.MULTILINE);

    /** Loads {@code name.cl} (and common.cl) from {@code dir} if given and present there, else from the jar. */
    public static KernelSource load(String name, Path dir) {
        String[] common = read("common", dir);
        String[] own = read(name, dir);
        own[0] = resolve(own[0], dir, new java.util.HashSet<>(Set.of("common", name)));
        Map<String, Integer> defaults = new LinkedHashMap<>();
        Matcher m = TUNABLE.matcher(own[0]);
        while (m.find()) {
            defaults.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        Map<String, List<Integer>> space = new LinkedHashMap<>();
        Matcher t = TUNE_VALUES.matcher(own[0]);
        while (t.find()) {
            space.put(t.group(1), Arrays.stream(t.group(2).trim().split("\\s+")).map(Integer::valueOf).toList());
        }
        return new KernelSource(name, common[0] + "\n" + own[0], own[1], Map.copyOf(defaults), Map.copyOf(space));
    }

    private static String resolve(String text, Path dir, Set<String> included) {
        Matcher m = INCLUDE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String part = m.group(1);
            if (!included.add(part)) {
                throw new IllegalStateException("kernel source " + part + ".cl is included twice (or includes "
                        + "itself)");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(resolve(read(part, dir)[0], dir, included)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String[] read(String name, Path dir) {
        String file = name + ".cl";
        try {
            if (dir != null && Files.isRegularFile(dir.resolve(file))) {
                Path path = dir.resolve(file);
                return new String[] {Files.readString(path, StandardCharsets.UTF_8), path.toString()};
            }
            try (InputStream in = KernelSource.class.getResourceAsStream("/kernels/" + file)) {
                if (in == null) {
                    throw new IllegalStateException("kernel source " + file + " is missing from the jar");
                }
                return new String[] {new String(in.readAllBytes(), StandardCharsets.UTF_8), "jar:/kernels/" + file};
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading kernel source " + file, e);
        }
    }
}
