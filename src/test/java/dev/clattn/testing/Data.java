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

    public static int product(int[] dims) {
        int p = 1;
        for (int d : dims) {
            p *= d;
        }
        return p;
    }

    public static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }
}
