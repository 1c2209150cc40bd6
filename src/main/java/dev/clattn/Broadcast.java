package dev.clattn;

import java.util.Arrays;

/**
 * A mask or bias of rank &le; 4, broadcast numpy-style (dimensions aligned from the right, each 1 or equal)
 * to [B,Hq,Nq,Nk]. Element (b,h,i,j) sits at b·strides[0] + h·strides[1] + i·strides[2] + j·strides[3].
 *
 * @param data    boolean mask as bytes (0 = hidden) or float bias
 * @param dims    the caller's dimensions
 * @param strides element strides against [B,Hq,Nq,Nk], 0 on broadcast dimensions
 */
public record Broadcast<T>(T data, int[] dims, long[] strides) {

    static Broadcast<byte[]> mask(byte[] data, int[] dims, Shape shape) {
        present("mask", data, dims, shape);
        return new Broadcast<>(data, dims.clone(), strides("mask", data.length, dims, shape));
    }

    static Broadcast<float[]> bias(float[] data, int[] dims, Shape shape) {
        present("bias", data, dims, shape);
        return new Broadcast<>(data, dims.clone(), strides("bias", data.length, dims, shape));
    }

    private static void present(String name, Object data, int[] dims, Shape shape) {
        if (data == null || dims == null) {
            throw new InvalidRequestException(name, "data and dimensions " + broadcastable(shape),
                    data == null ? "null data" : "null dimensions");
        }
    }

    private static String broadcastable(Shape shape) {
        return "broadcastable to [B,Hq,Nq,Nk]=" + Arrays.toString(new int[] {shape.batch(), shape.queryHeads(),
            shape.queryLen(), shape.keyLen()});
    }

    private static long[] strides(String name, long length, int[] dims, Shape shape) {
        int[] target = {shape.batch(), shape.queryHeads(), shape.queryLen(), shape.keyLen()};
        String expected = broadcastable(shape);
        if (dims.length > 4) {
            throw new InvalidRequestException(name, "rank <= 4 " + expected, "shape " + Arrays.toString(dims));
        }
        long[] strides = new long[4];
        long stride = 1;
        for (int axis = 3, k = dims.length - 1; axis >= 0; axis--, k--) {
            int dim = k >= 0 ? dims[k] : 1;
            if (dim != 1 && dim != target[axis]) {
                throw new InvalidRequestException(name, "shape " + expected, Arrays.toString(dims));
            }
            strides[axis] = dim == 1 ? 0 : stride;
            stride *= dim;
        }
        if (stride != length) {
            throw new InvalidRequestException(name, stride + " elements for shape " + Arrays.toString(dims),
                    String.valueOf(length));
        }
        return strides;
    }

    /** Offset of element (b, h, i, 0). */
    public long rowOffset(int b, int h, int i) {
        return b * strides[0] + h * strides[1] + i * strides[2];
    }

    /** Stride along the key axis. */
    public long keyStride() {
        return strides[3];
    }
}
