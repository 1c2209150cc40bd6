package dev.clattn.tune;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;
import dev.clattn.opencl.DeviceInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tuning profiles: those shipped in the jar (the {@code profiles} of {@code /profiles/builtin.json}, whose
 * {@code deviceClasses} are BuiltinParams') and those in the user's profile
 * directory (one JSON file per device). Lookup goes device (same name, preferring the same driver) →
 * vendor → nothing (then the device class's shipped values, BuiltinParams, over the kernel file's defaults),
 * among profiles of the same kernel source and head
 * dimension whose N range covers the whole power-of-two bucket of N, preferring the narrowest range. A
 * profile says nothing about an N it was not tuned near, so there is no "nearest bucket" fallback; and
 * since the answer depends on N only through its bucket, the engine caches it per bucket, ~log2(N) entries
 * per head dimension.
 */
public final class Profiles {
    private static final Logger LOG = LoggerFactory.getLogger(Profiles.class);
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();
    private static final java.lang.reflect.Type LIST = new TypeToken<List<Profile>>() { }.getType();

    private final List<Profile> entries;

    /** Where a lookup found its parameters. */
    public record Match(Profile profile, String level) {
    }

    public Profiles(List<Profile> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The shipped profiles plus every *.json in {@code userDir} (which may be null or missing). */
    public static Profiles load(Path userDir) {
        List<Profile> all = new ArrayList<>();
        try (InputStream in = Profiles.class.getResourceAsStream("/profiles/builtin.json")) {
            if (in != null) {
                com.google.gson.JsonObject root = GSON.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8),
                        com.google.gson.JsonObject.class);
                all.addAll(parse(root.get("profiles").toString(), "jar:/profiles/builtin.json"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (userDir != null && Files.isDirectory(userDir)) {
            try (Stream<Path> files = Files.list(userDir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                    all.addAll(parse(Files.readString(f), f.toString()));
                }
            } catch (IOException e) {
                LOG.warn("clattn: cannot read tuning profiles in {}: {}", userDir, e.getMessage());
            }
        }
        return new Profiles(all);
    }

    private static List<Profile> parse(String json, String origin) {
        try {
            List<Profile> list = GSON.fromJson(json, LIST);
            return list == null ? List.of() : list;
        } catch (JsonParseException e) {
            LOG.warn("clattn: ignoring unreadable tuning profile {}: {}", origin, e.getMessage());
            return List.of();
        }
    }

    public List<Profile> entries() {
        return entries;
    }

    /** The power-of-two bucket of N: k with 2^k <= N < 2^(k+1) (N below 1 counts as 1). */
    public static int bucket(int n) {
        return 31 - Integer.numberOfLeadingZeros(Math.max(n, 1));
    }

    /**
     * The N a profile for [nMin, nMax] applies to, the whole power-of-two buckets the range covers, as
     * {first, last}; empty when it covers none.
     */
    public static long[] covered(int nMin, int nMax) {
        long lo = Long.highestOneBit(Math.max(nMin, 1));
        lo = lo < nMin ? lo << 1 : lo;
        long hi = Long.highestOneBit(nMax + 1L) - 1;
        return 2 * lo - 1 <= hi ? new long[] {lo, hi} : new long[0];
    }

    public Optional<Match> lookup(String kernel, String sourceHash, DeviceInfo device, int headDim, int n) {
        int k = bucket(n);
        List<Profile> usable = entries.stream().filter(p -> p.kernel().equals(kernel)
                && p.sourceHash().equals(sourceHash) && p.headDim() == headDim && p.covers(k)).toList();
        Comparator<Profile> narrowest = Comparator.comparingLong(Profile::width);
        Optional<Profile> same = usable.stream()
                .filter(p -> p.vendor().equals(device.vendor()) && p.device().equals(device.name()))
                .min(Comparator.<Profile>comparingInt(p -> p.driver().equals(device.driverVersion()) ? 0 : 1)
                        .thenComparing(narrowest));
        if (same.isPresent()) {
            return Optional.of(new Match(same.get(), "device"));
        }
        return usable.stream().filter(p -> p.vendor().equals(device.vendor())).min(narrowest)
                .map(p -> new Match(p, "vendor"));
    }

    /** Adds (or replaces) a profile in the device's file under {@code dir}, written atomically. */
    public static Path save(Path dir, Profile profile) throws IOException {
        Files.createDirectories(dir);
        String name = (profile.vendor() + "-" + profile.device()).toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "") + ".json";
        Path file = dir.resolve(name);
        List<Profile> list = new ArrayList<>(Files.exists(file) ? parse(Files.readString(file), file.toString())
                : List.of());
        list.removeIf(profile::sameSlot);
        list.add(profile);
        Path tmp = file.resolveSibling(name + ".tmp");
        Files.writeString(tmp, GSON.toJson(list, LIST));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }
}
