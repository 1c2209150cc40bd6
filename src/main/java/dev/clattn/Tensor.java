package dev.clattn;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Float data with its dimensions, row-major: Q as [B, Hq, Nq, D] (or [Hq, Nq, D] for B = 1), K as [B, Hk, Nk, D],
 * V as [B, Hk, Nk, Dv]. {@link AttentionRequest#builder(Tensor, Tensor, Tensor)} reads the problem's shape from
 * them, so that a batch and a head count cannot trade places unnoticed.
 */
public final class Tensor {
    private final FloatData data;
    private final int[] dims;

    private Tensor(FloatData data, int[] dims) {
        if (dims.length < 3 || dims.length > 4) {
            throw new InvalidRequestException("dims", "[B, H, N, D] or [H, N, D]", Arrays.toString(dims));
        }
        long n = 1;
        for (int d : dims) {
            if (d < 1) {
                throw new InvalidRequestException("dims", "dimensions >= 1", Arrays.toString(dims));
            }
            n = Math.multiplyExact(n, d);
        }
        if (n != data.length()) {
            throw new InvalidRequestException("dims", Arrays.toString(dims) + " = " + n + " floats", data.length()
                    + " floats of data");
        }
        this.data = data;
        this.dims = dims.length == 4 ? dims.clone() : new int[] {1, dims[0], dims[1], dims[2]};
    }

    public static Tensor of(float[] data, int... dims) {
        return new Tensor(FloatData.of(data), dims);
    }

    public static Tensor of(FloatBuffer data, int... dims) {
        return new Tensor(FloatData.of(data), dims);
    }

    public static Tensor of(DeviceTensor data, int... dims) {
        return new Tensor(FloatData.of(data), dims);
    }

    FloatData data() {
        return data;
    }

    /** [B, H, N, D], B = 1 for a tensor given as three dimensions. */
    public int[] dims() {
        return dims.clone();
    }

    /** The shape Q, K and V describe; throws naming the tensor and dimension that disagree. */
    static Shape shape(Tensor q, Tensor k, Tensor v) {
        for (Object[] t : new Object[][] {{"q", q}, {"k", k}, {"v", v}}) {
            if (t[1] == null) {
                throw new InvalidRequestException((String) t[0], "a Tensor", "null");
            }
        }
        agree("k", "batch", k.dims[0], "q's", q.dims[0]);
        agree("v", "batch", v.dims[0], "q's", q.dims[0]);
        agree("v", "kvHeads", v.dims[1], "k's", k.dims[1]);
        agree("v", "keyLen", v.dims[2], "k's", k.dims[2]);
        agree("k", "headDim", k.dims[3], "q's", q.dims[3]);
        if (q.dims[1] % k.dims[1] != 0) {
            throw new InvalidRequestException("k", "a head count dividing q's " + q.dims[1], k.dims[1] + " heads");
        }
        return new Shape(q.dims[0], q.dims[1], k.dims[1], q.dims[2], k.dims[2], q.dims[3], v.dims[3]);
    }

    private static void agree(String tensor, String dim, int value, String other, int expected) {
        if (value != expected) {
            throw new InvalidRequestException(tensor, dim + " " + expected + " like " + other, dim + " " + value);
        }
    }
}
