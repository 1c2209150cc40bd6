package dev.clattn.io;

import java.nio.file.Path;

/** Lets tests in other packages write raw .npy files of any dtype. */
public final class NpyTestAccess {
    private NpyTestAccess() {
    }

    public static Path write(Path file, String descr, String shape, byte[] data) throws Exception {
        return NpyTest.write(file, descr, shape, false, data);
    }
}
