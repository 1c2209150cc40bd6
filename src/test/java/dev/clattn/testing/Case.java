package dev.clattn.testing;

import dev.clattn.AttentionRequest;
import dev.clattn.Causal;
import dev.clattn.Shape;
import dev.clattn.Storage;
import java.util.Random;

/**
 * One test problem: shape, masks and data, generated from a seed. With {@code plantNaN}, every K and V row
 * that no query may see (by causality, key length or the boolean mask) is filled with NaN, so any read of
 * masked data shows in the output.
 */
public record Case(String name, Shape shape, Causal causal, int[] keyLengths, int[] maskDims, double maskKeep,
        int[] biasDims, double biasScale, float amplitude, boolean nanPlanted, int[] window, long seed) {

    public static Case of(String name, Shape shape) {
        return new Case(name, shape, Causal.NONE, null, null, 1, null, 0, 1, false, null, name.hashCode());
    }

    public Case causal(Causal c) {
        return new Case(name, shape, c, keyLengths, maskDims, maskKeep, biasDims, biasScale, amplitude, nanPlanted, window, seed);
    }

    public Case keyLengths(int... lengths) {
        return new Case(name, shape, causal, lengths, maskDims, maskKeep, biasDims, biasScale, amplitude, nanPlanted, window, seed);
    }

    /** A random boolean mask of these dimensions keeping each key with probability {@code keep}. */
    public Case mask(double keep, int... dims) {
        return new Case(name, shape, causal, keyLengths, dims, keep, biasDims, biasScale, amplitude, nanPlanted, window, seed);
    }

    /** A random bias of these dimensions, normal with standard deviation {@code scale}. */
    public Case bias(double scale, int... dims) {
        return new Case(name, shape, causal, keyLengths, maskDims, maskKeep, dims, scale, amplitude, nanPlanted, window, seed);
    }

    public Case amplitude(float a) {
        return new Case(name, shape, causal, keyLengths, maskDims, maskKeep, biasDims, biasScale, a, nanPlanted, window, seed);
    }

    /** A sliding window (LEFT, RIGHT; −1 unbounded), as {@link AttentionRequest.Builder#window}. */
    public Case window(int left, int right) {
        return new Case(name, shape, causal, keyLengths, maskDims, maskKeep, biasDims, biasScale, amplitude, nanPlanted,
                new int[] {left, right}, seed);
    }

    public Case plantNaN() {
        return new Case(name, shape, causal, keyLengths, maskDims, maskKeep, biasDims, biasScale, amplitude, true, window, seed);
    }

    public AttentionRequest request(boolean weights, boolean lse) {
        return request(weights, lse, Storage.F32, false);
    }

    /**
     * The case's request with this storage; with {@code roundInputs} the inputs the storage rounds to fp16
     * are rounded here instead (and storage is F32): the problem a half-storage run must answer.
     */
    public AttentionRequest request(boolean weights, boolean lse, Storage storage, boolean roundInputs) {
        return request(weights, lse, storage, roundInputs, null);
    }

    /** The case's request with its Q, K and V held by the engine: {@code resident} uploads each. */
    public AttentionRequest requestResident(boolean lse, java.util.function.Function<float[], dev.clattn.DeviceTensor>
            resident) {
        // The host request's arrays, NaN planted where the case plants them, are the ones uploaded.
        AttentionRequest host = request(false, lse);
        java.util.Iterator<float[]> inputs = java.util.List.of(host.q().array(), host.k().array(), host.v().array())
                .iterator();
        return request(false, lse, Storage.F32, false, generated -> resident.apply(inputs.next()));
    }

    private AttentionRequest request(boolean weights, boolean lse, Storage storage, boolean roundInputs,
            java.util.function.Function<float[], dev.clattn.DeviceTensor> resident) {
        Random rnd = new Random(seed);
        float[] q = Data.gaussian(rnd, shape.qElements(), amplitude);
        float[] k = Data.gaussian(rnd, shape.kElements(), amplitude);
        float[] v = Data.gaussian(rnd, shape.vElements(), 1);
        if (roundInputs) {
            q = storage == Storage.F16 ? Data.roundHalf(q) : q;
            k = storage != Storage.F32 ? Data.roundHalf(k) : k;
            v = storage != Storage.F32 ? Data.roundHalf(v) : v;
        }
        AttentionRequest.Builder b = AttentionRequest.builder(shape);
        if (resident == null) {
            b.q(q).k(k).v(v);
        } else {
            b.q(resident.apply(q)).k(resident.apply(k)).v(resident.apply(v));
        }
        b.storage(roundInputs ? Storage.F32 : storage)
                .causal(causal).keyLengths(keyLengths).returnWeights(weights).returnLse(lse);
        if (window != null) {
            b.window(window[0], window[1]);
        }
        if (maskDims != null) {
            byte[] m = new byte[Data.product(maskDims)];
            for (int x = 0; x < m.length; x++) {
                m[x] = (byte) (rnd.nextDouble() < maskKeep ? 1 : 0);
            }
            if (m.length >= 8) {
                m[m.length / 2] = 1;
            }
            b.maskBytes(m, maskDims);
        }
        if (biasDims != null) {
            b.bias(Data.gaussian(rnd, Data.product(biasDims), (float) biasScale), biasDims);
        }
        AttentionRequest request = b.build();
        if (nanPlanted && resident == null) {
            plant(request);
        }
        return request;
    }

    private void plant(AttentionRequest request) {
        Naive ref = new Naive(request, Naive.Precision.F64);
        float[] k = request.k().array();
        float[] v = request.v().array();
        Shape s = shape;
        for (int b = 0; b < s.batch(); b++) {
            for (int kh = 0; kh < s.kvHeads(); kh++) {
                for (int j = 0; j < s.keyLen(); j++) {
                    boolean seen = false;
                    for (int h = kh * s.group(); h < (kh + 1) * s.group() && !seen; h++) {
                        for (int i = 0; i < s.queryLen() && !seen; i++) {
                            seen = ref.visible(b, h, i, j);
                        }
                    }
                    if (!seen) {
                        int row = (b * s.kvHeads() + kh) * s.keyLen() + j;
                        java.util.Arrays.fill(k, row * s.headDim(), (row + 1) * s.headDim(), Float.NaN);
                        java.util.Arrays.fill(v, row * s.valueDim(), (row + 1) * s.valueDim(), Float.NaN);
                    }
                }
            }
        }
    }

    @Override
    public String toString() {
        return name + " [" + shape + (causal != Causal.NONE ? ", causal=" + causal : "")
                + (window != null ? ", window=" + window[0] + "," + window[1] : "") + "]";
    }
}
