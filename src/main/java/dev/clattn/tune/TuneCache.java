package dev.clattn.tune;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Measured candidates, one JSON line each, appended as they are measured: a tuning session that stops
 * (interrupted, out of time) continues from the file. One file per (device, kernel source, problem).
 */
public final class TuneCache {
    private static final Gson GSON = new com.google.gson.GsonBuilder().serializeSpecialFloatingPointValues().create();

    private final Path file;
    private final Map<Map<String, Integer>, Tuner.Candidate> entries = new HashMap<>();

    private TuneCache(Path file) {
        this.file = file;
    }

    /** Opens (and reads) a cache file; null for a cache kept in memory only. */
    public static TuneCache open(Path file) {
        TuneCache cache = new TuneCache(file);
        if (file != null && Files.exists(file)) {
            try {
                boolean damaged = false;
                StringBuilder valid = new StringBuilder();
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    try {
                        Tuner.Candidate c = GSON.fromJson(line, Tuner.Candidate.class);
                        if (c != null && c.params() != null) {
                            cache.entries.put(new TreeMap<>(c.params()), c);
                            valid.append(line).append('\n');
                        }
                    } catch (JsonParseException e) {
                        damaged = true; // a line cut short by an interruption: measured again
                    }
                }
                if (damaged) {
                    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                    Files.writeString(tmp, valid, StandardCharsets.UTF_8);
                    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return cache;
    }

    public int size() {
        return entries.size();
    }

    Tuner.Candidate get(Map<String, Integer> params) {
        return entries.get(new TreeMap<>(params));
    }

    void put(Tuner.Candidate c) {
        entries.put(new TreeMap<>(c.params()), c);
        if (file != null) {
            try {
                Files.createDirectories(file.getParent());
                Files.writeString(file, GSON.toJson(c) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
