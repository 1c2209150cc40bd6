package dev.clattn.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The FloatBuffers callers hand the engine, each holding the same floats: heap and direct, both byte
 * orders, read-only, from a non-zero position, and memory-mapped files. Files made for mapping are deleted
 * on close.
 */
public final class FloatBuffers implements AutoCloseable {
    public enum Kind {
        HEAP_WRAPPED, HEAP_BYTES_BIG_ENDIAN, DIRECT_LITTLE_ENDIAN, DIRECT_BIG_ENDIAN, DIRECT_READ_ONLY_BIG_ENDIAN,
        DIRECT_AT_POSITION_7, MAPPED_BIG_ENDIAN, MAPPED_LITTLE_ENDIAN
    }

    private final List<Path> files = new ArrayList<>();

    public static Stream<Kind> kinds() {
        return Stream.of(Kind.values());
    }

    /** A buffer of {@code kind} whose remaining elements are {@code data}. */
    public FloatBuffer of(Kind kind, float[] data) {
        return switch (kind) {
            case HEAP_WRAPPED -> FloatBuffer.wrap(padded(data, 2), 2, data.length).slice();
            case HEAP_BYTES_BIG_ENDIAN -> filled(ByteBuffer.allocate(4 * data.length), data);
            case DIRECT_LITTLE_ENDIAN -> filled(ByteBuffer.allocateDirect(4 * data.length)
                    .order(ByteOrder.LITTLE_ENDIAN), data);
            case DIRECT_BIG_ENDIAN -> filled(ByteBuffer.allocateDirect(4 * data.length), data);
            case DIRECT_READ_ONLY_BIG_ENDIAN -> filled(ByteBuffer.allocateDirect(4 * data.length), data)
                    .asReadOnlyBuffer();
            case DIRECT_AT_POSITION_7 -> {
                FloatBuffer b = ByteBuffer.allocateDirect(4 * (data.length + 7)).order(ByteOrder.nativeOrder())
                        .asFloatBuffer();
                b.position(7);
                b.put(data);
                yield b.position(7);
            }
            case MAPPED_BIG_ENDIAN -> mapped(data, ByteOrder.BIG_ENDIAN);
            case MAPPED_LITTLE_ENDIAN -> mapped(data, ByteOrder.LITTLE_ENDIAN);
        };
    }

    private static float[] padded(float[] data, int pad) {
        float[] out = new float[data.length + 2 * pad];
        System.arraycopy(data, 0, out, pad, data.length);
        return out;
    }

    private static FloatBuffer filled(ByteBuffer bytes, float[] data) {
        FloatBuffer b = bytes.asFloatBuffer();
        b.put(data);
        return b.flip();
    }

    private FloatBuffer mapped(float[] data, ByteOrder order) {
        try {
            Path file = Files.createTempFile("clattn-mapped", ".f32");
            files.add(file);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, 4L * data.length);
                return filled(map.order(order), data);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        for (Path f : files) {
            Files.deleteIfExists(f);
        }
    }
}
