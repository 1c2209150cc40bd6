package dev.clattn.io;

import java.nio.file.Path;

/** Lets tests in other packages write raw .npy files of any dtype. */
public final class NpyTestAccess {
    private NpyTestAccess() {
    }

    public static Path write(Path file, String descr, String shape, byte[] data) throws Exception {
        return NpyTest.write(file, descr, shape, false, data);
    }

    public static Path declaredHeader(Path file, int major, long headerLength, byte[] rest) throws Exception {
        return NpyTest.declaredHeader(file, major, headerLength, rest);
    }
}
