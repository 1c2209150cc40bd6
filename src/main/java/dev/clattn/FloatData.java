package dev.clattn;

import java.nio.FloatBuffer;

/**
 * Float input given either as an array or as a FloatBuffer (its remaining elements). The engine never
 * keeps a reference past one call, and never changes the caller's buffer position.
 */
public final class FloatData {
    private final float[] array;
    private final FloatBuffer buffer;

    private FloatData(float[] array, FloatBuffer buffer) {
        this.array = array;
        this.buffer = buffer;
    }

    public static FloatData of(float[] array) {
        if (array == null) {
            throw new InvalidRequestException("array", "a float array", "null");
        }
        return new FloatData(array, null);
    }

    public static FloatData of(FloatBuffer buffer) {
        if (buffer == null) {
            throw new InvalidRequestException("buffer", "a FloatBuffer", "null");
        }
        return new FloatData(null, buffer.slice());
    }

    public long length() {
        return array != null ? array.length : buffer.remaining();
    }

    /** The data as an array: the caller's own array, or a copy of the buffer's remaining elements. */
    public float[] toArray() {
        if (array != null) {
            return array;
        }
        float[] copy = new float[buffer.remaining()];
        buffer.duplicate().get(copy);
        return copy;
    }

    /** The array, or null when the data sits in a buffer. */
    public float[] array() {
        return array;
    }

    /** The buffer (a slice starting at the caller's position), or null when the data sits in an array. */
    public FloatBuffer buffer() {
        return buffer;
    }
}
