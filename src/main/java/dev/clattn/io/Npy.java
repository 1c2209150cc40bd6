package dev.clattn.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format versions 1 to 3), C order only. Reading names the argument in every
 * error; writing goes through a temporary file so that no partial output file is ever left behind.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** An array as read: dtype string (e.g. {@code <f4}), shape, and the raw data in the file's byte order. */
    public record Array(String name, String dtype, int[] shape, ByteBuffer data) {
        public long elements() {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }

        public float[] floats() {
            requireDtype("float32 (<f4)", "<f4", ">f4");
            float[] out = new float[(int) elements()];
            data.duplicate().order(data.order()).asFloatBuffer().get(out);
            return out;
        }

        /** int32 or int64 values as ints; an int64 outside the int range is an error. */
        public int[] ints() {
            int[] out = new int[(int) elements()];
            if (dtype.substring(1).equals("i4")) {
                data.duplicate().order(data.order()).asIntBuffer().get(out);
            } else if (dtype.substring(1).equals("i8")) {
                var longs = data.duplicate().order(data.order()).asLongBuffer();
                for (int i = 0; i < out.length; i++) {
                    long v = longs.get(i);
                    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException(name + ": value " + v + " at [" + i + "] is out of range");
                    }
                    out[i] = (int) v;
                }
            } else {
                throw new IllegalArgumentException(name + ": expected dtype int32 or int64, got " + dtype);
            }
            return out;
        }

        /** Boolean ({@code |b1}) or uint8 values as bytes, non-zero meaning true. */
        public byte[] bytes() {
            requireDtype("bool (|b1) or uint8 (|u1)", "|b1", "|u1");
            byte[] out = new byte[(int) elements()];
            data.duplicate().get(out);
            return out;
        }

        private void requireDtype(String what, String... accepted) {
            if (!Arrays.asList(accepted).contains(dtype)) {
                throw new IllegalArgumentException(name + ": expected dtype " + what + ", got " + dtype);
            }
        }
    }

    /** Reads a whole file; {@code name} (such as "--q Q.npy") prefixes every error. */
    public static Array read(String name, Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ": cannot read " + path + " (" + e.getClass().getSimpleName()
                    + ")");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new IllegalArgumentException(name + ": not a .npy file (bad magic)");
        }
        int major = bytes[6];
        int headerLen = major == 1 ? Short.toUnsignedInt(in.getShort(8)) : in.getInt(8);
        int start = major == 1 ? 10 : 12;
        if (major < 1 || major > 3 || headerLen < 0 || start + headerLen > bytes.length) {
            throw new IllegalArgumentException(name + ": unsupported or truncated .npy header (version " + major + ")");
        }
        String header = new String(bytes, start, headerLen, major == 3 ? StandardCharsets.UTF_8
                : StandardCharsets.ISO_8859_1);
        String dtype = group(name, DESCR, header, "descr");
        if ("True".equals(group(name, ORDER, header, "fortran_order"))) {
            throw new IllegalArgumentException(name + ": expected C order, got Fortran order");
        }
        int[] shape = parseShape(name, group(name, SHAPE, header, "shape"));
        Array probe = new Array(name, dtype, shape, null);
        int itemSize = itemSize(name, dtype);
        long need = probe.elements() * itemSize;
        int dataStart = start + headerLen;
        if (need > Integer.MAX_VALUE - 8 || bytes.length - dataStart != need) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + need + " data bytes, file has " + (bytes.length - dataStart));
        }
        ByteOrder order = dtype.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, (int) need).slice().order(order);
        return new Array(name, dtype, shape, data);
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
            try {
                shape[i] = Integer.parseInt(parts[i].replace("L", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": bad shape (" + text + ")");
            }
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
