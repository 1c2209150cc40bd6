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
