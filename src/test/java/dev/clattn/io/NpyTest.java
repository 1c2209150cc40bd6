package dev.clattn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
