package dev.clattn.cli;

import dev.clattn.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files a command writes. Each is checked when named, before any input is read, so that a missing
 * directory or an output that would overwrite an input fails at once instead of after the computation. They
 * are written to temporary files and moved into place together, so that no partial output is left behind.
 */
final class OutputFiles {
    /** Real path of every file named so far, and the option that named it first. */
    private final Map<Path, String> named = new HashMap<>();
    private final Map<String, Path> outputs = new LinkedHashMap<>();
    private final List<Path[]> written = new ArrayList<>();

    /** Records an input file (null: option not given); name every input before the outputs. */
    OutputFiles input(String option, Path path) {
        if (path != null && Files.exists(path)) {
            try {
                named.putIfAbsent(path.toRealPath(), option);
            } catch (IOException e) {
                // An input that cannot be resolved cannot be read either; reading it names the problem.
            }
        }
        return this;
    }

    /** Checks an output file (null: not asked for): a file in a writable directory that no other option names. */
    OutputFiles output(String option, Path path) {
        if (path == null) {
            return this;
        }
        Path abs = path.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw new IllegalArgumentException(option + ": expected a file to write, got a directory (" + path + ")");
        }
        Path dir = abs.getParent();
        String why = !Files.exists(dir) ? "does not exist" : !Files.isDirectory(dir) ? "is not a directory"
                : !Files.isWritable(dir) ? "is not writable" : null;
        if (why != null) {
            throw new IllegalArgumentException(option + ": expected a file in a writable directory, got " + path
                    + " (directory " + dir + " " + why + ")");
        }
        Path real;
        try {
            real = Files.exists(abs) ? abs.toRealPath() : dir.toRealPath().resolve(abs.getFileName());
        } catch (IOException e) {
            throw new IllegalArgumentException(option + ": cannot resolve " + path + " (" + e.getClass().getSimpleName()
                    + ")");
        }
        String other = named.putIfAbsent(real, option);
        if (other != null) {
            throw new IllegalArgumentException(option + ": expected a file no other option names, got the file of "
                    + other + " (" + real + ")");
        }
        outputs.put(option, path);
        return this;
    }

    /** Writes the output of {@code option} to a temporary file; on failure no temporary file is left. */
    void write(String option, int[] shape, float[] data) {
        Path path = outputs.get(option);
        try {
            written.add(new Path[] {Npy.writeTemp(path, shape, data), path});
        } catch (IOException e) {
            discard();
            throw new IllegalArgumentException(option + ": cannot write " + path + " (" + e + ")", e);
        }
    }

    /** Writes the picture of {@code option} as PNG to a temporary file, moved into place with the others. */
    void writePng(String option, java.awt.image.BufferedImage image) {
        Path path = outputs.get(option);
        Path tmp = null;
        try {
            tmp = Files.createTempFile(path.toAbsolutePath().getParent(), "." + path.getFileName(), ".tmp");
            if (!javax.imageio.ImageIO.write(image, "png", tmp.toFile())) {
                throw new IOException("no PNG writer");
            }
            written.add(new Path[] {tmp, path});
        } catch (IOException e) {
            if (tmp != null) {
                tmp.toFile().delete();
            }
            discard();
            throw new IllegalArgumentException(option + ": cannot write " + path + " (" + e + ")", e);
        }
    }

    /** Moves every file written into place. */
    void commit() throws IOException {
        for (Path[] w : written) {
            Files.move(w[0], w[1], StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private void discard() {
        for (Path[] w : written) {
            try {
                Files.deleteIfExists(w[0]);
            } catch (IOException e) {
                // The write error is the one to report; a temporary file that cannot be deleted stays.
            }
        }
    }
}
