package dev.clattn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path dir;

    /** A .npy file with a version-1 header and the given raw data. */
    static Path write(Path file, String descr, String shape, boolean fortran, byte[] data) throws Exception {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': ("
                + shape + "), }";
        String header = dict + " ".repeat((64 - (10 + dict.length() + 1) % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        Files.write(file, b.array());
        return file;
    }

    static byte[] littleEndian(int bytesPerItem, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * bytesPerItem).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            if (bytesPerItem == 4) {
                b.putInt((int) v);
            } else {
                b.putLong(v);
            }
        }
        return b.array();
    }

    @Test
    void floatsRoundTrip() throws Exception {
        float[] data = {1f, -2.5f, Float.NaN, 4f, 5f, 6f};
        Path tmp = Npy.writeTemp(dir.resolve("a.npy"), new int[] {2, 3}, data);
        Npy.Array a = Npy.read("a", tmp);
        assertEquals("<f4", a.dtype());
        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertArrayEquals(data, a.floats());
        assertEquals(0, (Files.size(tmp) - 4 * data.length) % 64, "header padded to a multiple of 64 bytes");
        Npy.Array one = Npy.read("b", Npy.writeTemp(dir.resolve("b.npy"), new int[] {3}, new float[3]));
        assertArrayEquals(new int[] {3}, one.shape());
    }

    @Test
    void intsBoolsAndBigEndian() throws Exception {
        assertArrayEquals(new int[] {3, 0}, Npy.read("l", write(dir.resolve("l.npy"), "<i8", "2,", false,
                littleEndian(8, 3, 0))).ints());
        assertArrayEquals(new int[] {7}, Npy.read("l", write(dir.resolve("l4.npy"), "<i4", "1,", false,
                littleEndian(4, 7))).ints());
        assertArrayEquals(new byte[] {1, 0, 1}, Npy.read("m", write(dir.resolve("m.npy"), "|b1", "3,", false,
                new byte[] {1, 0, 1})).bytes());
        byte[] big = ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putFloat(1.5f).array();
        assertArrayEquals(new float[] {1.5f}, Npy.read("f", write(dir.resolve("f.npy"), ">f4", "1,", false, big))
                .floats());
    }

    @Test
    void badFilesAreNamed() throws Exception {
        Path f8 = write(dir.resolve("d.npy"), "<f8", "1,", false, new byte[8]);
        assertEquals("--q d.npy: expected dtype float32 (<f4), got <f8",
                assertThrows(IllegalArgumentException.class, () -> Npy.read("--q d.npy", f8).floats()).getMessage());
        Path fortran = write(dir.resolve("f.npy"), "<f4", "2, 2", true, new byte[16]);
        assertEquals("x: expected C order, got Fortran order",
                assertThrows(IllegalArgumentException.class, () -> Npy.read("x", fortran)).getMessage());
        Path shortData = write(dir.resolve("s.npy"), "<f4", "2, 2", false, new byte[12]);
        assertEquals("x: shape [2, 2] of <f4 needs 16 data bytes, file has 12",
                assertThrows(IllegalArgumentException.class, () -> Npy.read("x", shortData)).getMessage());
        Path junk = Files.write(dir.resolve("j.npy"), "hello world".getBytes(StandardCharsets.UTF_8));
        assertEquals("x: not a .npy file (bad magic)",
                assertThrows(IllegalArgumentException.class, () -> Npy.read("x", junk)).getMessage());
        assertEquals("x: cannot read " + dir.resolve("none.npy") + " (NoSuchFileException)",
                assertThrows(IllegalArgumentException.class, () -> Npy.read("x", dir.resolve("none.npy")))
                        .getMessage());
        Path ints = write(dir.resolve("i.npy"), "<i4", "1,", false, new byte[4]);
        assertEquals("x: expected dtype bool (|b1) or uint8 (|u1), got <i4",
                assertThrows(IllegalArgumentException.class, () -> Npy.read("x", ints).bytes()).getMessage());
    }

    private String error(Path file) {
        return assertThrows(IllegalArgumentException.class, () -> Npy.read("x", file)).getMessage();
    }

    /** Magic, version {@code major} and a header length field of any value, then {@code rest}. */
    static Path declaredHeader(Path file, int major, long headerLength, byte[] rest) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(12 + rest.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            b.putShort((short) headerLength);
        } else {
            b.putInt((int) headerLength);
        }
        b.put(rest);
        return Files.write(file, Arrays.copyOf(b.array(), b.position()));
    }

    @Test
    void headerLengthIsBoundedBeforeTheHeaderIsRead() throws Exception {
        assertEquals("x: expected a .npy header of at most 10000 bytes, got 2147483647",
                error(declaredHeader(dir.resolve("v2.npy"), 2, 0x7fffffffL, new byte[8])));
        assertEquals("x: expected a .npy header of at most 10000 bytes, got 4294967295",
                error(declaredHeader(dir.resolve("v3.npy"), 3, 0xffffffffL, new byte[8])));
        assertEquals("x: truncated .npy header: 200 bytes declared, 20 in the file",
                error(declaredHeader(dir.resolve("v1.npy"), 1, 200, new byte[20])));
        assertEquals("x: expected .npy format version 1, 2 or 3, got 4",
                error(declaredHeader(dir.resolve("v4.npy"), 4, 10, new byte[10])));
    }

    @Test
    void dataSizeIsCheckedAgainstTheFileBeforeAnyDataIsRead() throws Exception {
        Path sparse = write(dir.resolve("sparse.npy"), "<f4", "2, 2", false, new byte[16]);
        long headerEnd = Files.size(sparse) - 16;
        try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
            f.setLength(3L << 30);
        }
        assertEquals("x: shape [2, 2] of <f4 needs 16 data bytes, file has " + ((3L << 30) - headerEnd),
                error(sparse));
        Path big = write(dir.resolve("big.npy"), "<f4", "12582912, 64", false, new byte[0]);
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(f.length() + (3L << 30));
        }
        assertEquals("x: expected at most 2147483647 data bytes (the largest mapping of one array), got 3221225472 "
                + "(3.0 GiB)", error(big));
    }

    @Test
    void shapesWhoseSizeOverflowsAreRefused() throws Exception {
        assertEquals("x: expected a shape whose size in bytes fits in 64 bits, got [65536, 65536, 65536, 65536] of "
                + "<f4", error(write(dir.resolve("a.npy"), "<f4", "65536, 65536, 65536, 65536", false, new byte[0])));
        assertEquals("x: expected a shape whose size in bytes fits in 64 bits, got [4194304, 2097152, 2097152, 1] of "
                + "<f4", error(write(dir.resolve("b.npy"), "<f4", "4194304, 2097152, 2097152, 1", false,
                        new byte[0])));
        assertEquals("x: expected shape dimensions 0..2147483647, got (-1, 4)",
                error(write(dir.resolve("c.npy"), "<f4", "-1, 4", false, new byte[0])));
        assertEquals("x: expected shape dimensions 0..2147483647, got (4294967296,)",
                error(write(dir.resolve("d.npy"), "<f4", "4294967296,", false, new byte[0])));
    }

    @Test
    void onlyRegularFilesAreRead() {
        assertEquals("x: expected a regular .npy file, got a device, pipe or socket (/dev/zero)",
                error(Path.of("/dev/zero")));
        assertEquals("x: expected a regular .npy file, got a directory (" + dir + ")", error(dir));
    }

    @Test
    void dataIsMappedInTheDtypesByteOrder() throws Exception {
        float[] values = {1.5f, -2f, 3.25f};
        Npy.Array little = Npy.read("l", Npy.writeTemp(dir.resolve("l.npy"), new int[] {3}, values));
        FloatBuffer lf = little.floatBuffer();
        assertTrue(little.data().isDirect() && lf.isDirect(), "mapped, not copied onto the heap");
        assertEquals(ByteOrder.LITTLE_ENDIAN, lf.order());
        float[] got = new float[3];
        lf.get(got);
        assertArrayEquals(values, got);
        ByteBuffer bigData = ByteBuffer.allocate(12).order(ByteOrder.BIG_ENDIAN);
        bigData.asFloatBuffer().put(values);
        Npy.Array big = Npy.read("b", write(dir.resolve("b.npy"), ">f4", "3,", false, bigData.array()));
        FloatBuffer bf = big.floatBuffer();
        assertEquals(ByteOrder.BIG_ENDIAN, bf.order());
        assertTrue(bf.isDirect());
        bf.get(got);
        assertArrayEquals(values, got);
        assertArrayEquals(values, big.floats());
    }
}
