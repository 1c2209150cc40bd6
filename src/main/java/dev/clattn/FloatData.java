package dev.clattn;

import java.nio.FloatBuffer;

/**
 * Float input given as an array, as a FloatBuffer (its remaining elements), or as a {@link DeviceTensor} the
 * engine already holds. The engine never keeps a reference to the caller's data past one call, and never
 * changes the caller's buffer position.
 */
public final class FloatData {
    private final float[] array;
    private final FloatBuffer buffer;
    private final DeviceTensor tensor;

    private FloatData(float[] array, FloatBuffer buffer, DeviceTensor tensor) {
        this.array = array;
        this.buffer = buffer;
        this.tensor = tensor;
    }

    public static FloatData of(float[] array) {
        if (array == null) {
            throw new InvalidRequestException("array", "a float array", "null");
        }
        return new FloatData(array, null, null);
    }

    public static FloatData of(FloatBuffer buffer) {
        if (buffer == null) {
            throw new InvalidRequestException("buffer", "a FloatBuffer", "null");
        }
        return new FloatData(null, buffer.slice(), null);
    }

    public static FloatData of(DeviceTensor tensor) {
        if (tensor == null) {
            throw new InvalidRequestException("tensor", "a DeviceTensor", "null");
        }
        return new FloatData(null, null, tensor);
    }

    /** The resident tensor, or null when the data is the caller's. */
    public DeviceTensor resident() {
        return tensor;
    }

    public long length() {
        return array != null ? array.length : buffer != null ? buffer.remaining() : tensor.length();
    }

    /** The data as an array: the caller's own array, or a copy of the buffer's remaining elements. */
    public float[] toArray() {
        if (array != null) {
            return array;
        }
        if (tensor != null) {
            throw new IllegalStateException("the data is a device tensor, which the engine resolves itself");
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
