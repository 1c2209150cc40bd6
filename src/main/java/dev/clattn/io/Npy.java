package dev.clattn.io;

import dev.clattn.Bytes;
import dev.clattn.HostMemory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format versions 1 to 3), C order only. Reading names the argument in every
 * error; writing goes through a temporary file so that no partial output file is ever left behind.
 */
public final class Npy {
    /** numpy's own bound (np.load's max_header_size): a longer header is refused before it is read. */
    public static final int MAX_HEADER_BYTES = 10_000;
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /**
     * An array as read: dtype string (e.g. {@code <f4}), shape, and the data in the dtype's byte order. The
     * data of a file is memory-mapped, so an array takes no heap until a copy ({@link #floats()} and the like)
     * is asked for.
     */
    public record Array(String name, String dtype, int[] shape, ByteBuffer data) {
        public long elements() {
            long n = 1;
            for (int d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        /** The float32 data without a copy, in the file's byte order. */
        public FloatBuffer floatBuffer() {
            requireDtype("float32 (<f4)", "<f4", ">f4");
            return data.duplicate().order(data.order()).asFloatBuffer();
        }

        public float[] floats() {
            requireDtype("float32 (<f4)", "<f4", ">f4");
            float[] out = new float[heapCopy("float32", 4)];
            floatBuffer().get(out);
            return out;
        }

        /** int32 or int64 values as ints; an int64 outside the int range is an error. */
        public int[] ints() {
            if (!dtype.substring(1).equals("i4") && !dtype.substring(1).equals("i8")) {
                throw new IllegalArgumentException(name + ": expected dtype int32 or int64, got " + dtype);
            }
            int[] out = new int[heapCopy("int32", 4)];
            if (dtype.substring(1).equals("i4")) {
                data.duplicate().order(data.order()).asIntBuffer().get(out);
                return out;
            }
            var longs = data.duplicate().order(data.order()).asLongBuffer();
            for (int i = 0; i < out.length; i++) {
                long v = longs.get(i);
                if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(name + ": value " + v + " at [" + i + "] is out of range");
                }
                out[i] = (int) v;
            }
            return out;
        }

        /** Boolean ({@code |b1}) or uint8 values as bytes, non-zero meaning true. */
        public byte[] bytes() {
            requireDtype("bool (|b1) or uint8 (|u1)", "|b1", "|u1");
            byte[] out = new byte[heapCopy("byte", 1)];
            data.duplicate().get(out);
            return out;
        }

        private void requireDtype(String what, String... accepted) {
            if (!Arrays.asList(accepted).contains(dtype)) {
                throw new IllegalArgumentException(name + ": expected dtype " + what + ", got " + dtype);
            }
        }

        /**
         * The length of a heap copy of {@code itemBytes} per element, refused up front when the heap cannot
         * hold it: an OutOfMemoryError halfway through would say nothing about which file was too large.
         */
        private int heapCopy(String what, int itemBytes) {
            long n = elements();
            long bytes = Math.multiplyExact(n, itemBytes);
            long free = HostMemory.available();
            if (n > Integer.MAX_VALUE - 8 || bytes > free) {
                throw new IllegalArgumentException(name + ": a " + what + " copy on the heap needs "
                        + Bytes.describe(bytes) + " (" + bytes + " bytes), " + Bytes.describe(free)
                        + " of heap free (raise -Xmx)");
            }
            return (int) n;
        }
    }

    /**
     * Reads the header and maps the data of a file; {@code name} (such as "--q Q.npy") prefixes every error.
     * Every size is checked against the file's before anything else is read.
     */
    public static Array read(String name, Path path) {
        try {
            BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
            if (!attrs.isRegularFile()) {
                // Opening a pipe would block and a device never ends: neither is a .npy file.
                throw new IllegalArgumentException(name + ": expected a regular .npy file, got "
                        + (attrs.isDirectory() ? "a directory" : "a device, pipe or socket") + " (" + path + ")");
            }
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                return read(name, ch);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ": cannot read " + path + " (" + e.getClass().getSimpleName()
                    + ")");
        }
    }

    private static Array read(String name, FileChannel ch) throws IOException {
        long size = ch.size();
        ByteBuffer lead = readAt(ch, 0, (int) Math.min(size, 12));
        if (lead.limit() < 10 || !Arrays.equals(Arrays.copyOf(lead.array(), 6), MAGIC)) {
            throw new IllegalArgumentException(name + ": not a .npy file (bad magic)");
        }
        int major = lead.get(6);
        if (major < 1 || major > 3) {
            throw new IllegalArgumentException(name + ": expected .npy format version 1, 2 or 3, got " + major);
        }
        int start = major == 1 ? 10 : 12;
        if (lead.limit() < start) {
            throw new IllegalArgumentException(name + ": truncated .npy header (version " + major + ")");
        }
        long headerLen = major == 1 ? Short.toUnsignedInt(lead.getShort(8)) : Integer.toUnsignedLong(lead.getInt(8));
        if (headerLen > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException(name + ": expected a .npy header of at most " + MAX_HEADER_BYTES
                    + " bytes, got " + headerLen);
        }
        ByteBuffer headerBytes = readAt(ch, start, (int) headerLen);
        if (headerBytes.limit() != headerLen) {
            throw new IllegalArgumentException(name + ": truncated .npy header: " + headerLen + " bytes declared, "
                    + headerBytes.limit() + " in the file");
        }
        String header = new String(headerBytes.array(), 0, (int) headerLen, major == 3 ? StandardCharsets.UTF_8
                : StandardCharsets.ISO_8859_1);
        String dtype = group(name, DESCR, header, "descr");
        if ("True".equals(group(name, ORDER, header, "fortran_order"))) {
            throw new IllegalArgumentException(name + ": expected C order, got Fortran order");
        }
        int[] shape = parseShape(name, group(name, SHAPE, header, "shape"));
        long need = dataBytes(name, shape, dtype);
        long dataStart = start + headerLen;
        if (size - dataStart != need) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + need + " data bytes, file has " + (size - dataStart));
        }
        if (need > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": expected at most " + Integer.MAX_VALUE + " data bytes (the "
                    + "largest mapping of one array), got " + need + " (" + Bytes.describe(need) + ")");
        }
        ByteOrder order = dtype.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        return new Array(name, dtype, shape, ch.map(FileChannel.MapMode.READ_ONLY, dataStart, need).order(order));
    }

    /** Up to {@code n} bytes from {@code at}, fewer where the file ends first. */
    private static ByteBuffer readAt(FileChannel ch, long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                break;
            }
        }
        return b.flip();
    }

    /** Exact: a count that wraps (2^64 elements is 0) would match an empty file. */
    private static long dataBytes(String name, int[] shape, String dtype) {
        int itemSize = itemSize(name, dtype);
        try {
            long n = itemSize;
            for (int d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(name + ": expected a shape whose size in bytes fits in 64 bits, got "
                    + Arrays.toString(shape) + " of " + dtype);
        }
    }

    private static String group(String name, Pattern p, String header, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IllegalArgumentException(name + ": .npy header has no '" + key + "'");
        }
        return m.group(1);
    }

    private static int[] parseShape(String name, String text) {
        String[] parts = Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .toArray(String[]::new);
        int[] shape = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String digits = parts[i].replace("L", "");
            if (!digits.matches("\\d{1,10}") || Long.parseLong(digits) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(name + ": expected shape dimensions 0.." + Integer.MAX_VALUE
                        + ", got (" + text + ")");
            }
            shape[i] = Integer.parseInt(digits);
        }
        return shape;
    }

    private static int itemSize(String name, String dtype) {
        return switch (dtype) {
            case "<f4", ">f4", "<i4", ">i4" -> 4;
            case "<i8", ">i8", "<f8", ">f8" -> 8;
            case "|b1", "|u1", "|i1" -> 1;
            default -> throw new IllegalArgumentException(name + ": unsupported dtype " + dtype);
        };
    }

    /** The bytes of a float32 .npy file. */
    public static ByteBuffer encodeFloats(int[] shape, float[] data) {
        StringBuilder dims = new StringBuilder();
        for (int d : shape) {
            dims.append(d).append(", ");
        }
        String dimText = shape.length == 1 ? shape[0] + "," : dims.substring(0, Math.max(0, dims.length() - 2));
        String dict = String.format(Locale.ROOT, "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }",
                dimText);
        int unpadded = 10 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer out = ByteBuffer.allocate(10 + header.length() + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1));
        out.asFloatBuffer().put(data);
        out.position(0);
        return out;
    }

    /** Writes to {@code path.tmp}, to be moved into place by the caller once every output is ready. */
    public static Path writeTemp(Path path, int[] shape, float[] data) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = encodeFloats(shape, data);
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return tmp;
    }
}
