package dev.clattn.testing;

import java.util.Random;

/** Test data generation. */
public final class Data {
    private Data() {
    }

    public static float[] gaussian(Random rnd, long n, float amplitude) {
        float[] x = new float[Math.toIntExact(n)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian() * amplitude;
        }
        return x;
    }

    /** Attention weights for a stage test: uniform in [0, 1), a fifth of them exactly 0. */
    public static float[] weights(long seed, long n) {
        Random rnd = new Random(seed);
        float[] w = new float[Math.toIntExact(n)];
        for (int x = 0; x < w.length; x++) {
            w[x] = rnd.nextInt(5) == 0 ? 0f : rnd.nextFloat();
        }
        return w;
    }

    /**
     * x rounded to the nearest fp16 value (ties to even), computed by scaling to the fp16 grid and rounding
     * there, independently of the library's bit-level conversion.
     */
    public static float roundHalf(float x) {
        if (Float.isNaN(x) || Float.isInfinite(x) || x == 0) {
            return x;
        }
        int e = Math.max(Math.getExponent(x), -14);
        double step = Math.scalb(1.0, e - 10);
        double r = Math.rint(x / step) * step;
        return Math.abs(r) > 65504 ? Math.copySign(Float.POSITIVE_INFINITY, x) : (float) r;
    }

    public static float[] roundHalf(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = roundHalf(x[i]);
        }
        return out;
    }

    public static int product(int[] dims) {
        int p = 1;
        for (int d : dims) {
            p *= d;
        }
        return p;
    }
}
