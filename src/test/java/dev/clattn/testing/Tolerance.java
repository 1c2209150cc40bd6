package dev.clattn.testing;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The one tolerance rule: an implementation's largest error against float64 may be at most twice the error
 * of a naive float32 implementation on the same data, and never needs to be below 1e-5. Non-finite
 * reference values must be matched exactly (NaN by NaN, ±∞ by the same infinity).
 */
public final class Tolerance {
    public static final double FACTOR = 2.0;
    public static final double FLOOR = 1e-5;

    private Tolerance() {
    }

    public static void check(String what, float[] actual, double[] f64, double[] naiveF32) {
        if (actual.length != f64.length) {
            fail(what + ": length " + actual.length + ", expected " + f64.length);
        }
        double naiveErr = maxError(what + " (naive f32)", naiveF32, f64);
        double allowed = Math.max(FACTOR * naiveErr, FLOOR);
        double worst = 0;
        int at = -1;
        for (int x = 0; x < f64.length; x++) {
            double e = error(what, actual[x], f64[x], x);
            if (e > worst) {
                worst = e;
                at = x;
            }
        }
        if (worst > allowed) {
            fail(String.format("%s: max error %.3g at [%d] (got %s, expected %s) exceeds %.3g (= max(%.1f x naive "
                    + "f32 error %.3g, %.0e))", what, worst, at, actual[at], f64[at], allowed, FACTOR, naiveErr, FLOOR));
        }
    }

    private static double maxError(String what, double[] a, double[] ref) {
        double worst = 0;
        for (int x = 0; x < ref.length; x++) {
            worst = Math.max(worst, error(what, a[x], ref[x], x));
        }
        return worst;
    }

    private static double error(String what, double a, double ref, int x) {
        if (Double.isNaN(ref) || Double.isInfinite(ref)) {
            if (Double.compare(a, ref) != 0 && !(Double.isNaN(a) && Double.isNaN(ref))) {
                fail(what + ": at [" + x + "] expected " + ref + ", got " + a);
            }
            return 0;
        }
        if (!Double.isFinite(a)) {
            fail(what + ": at [" + x + "] expected " + ref + ", got " + a);
        }
        return Math.abs(a - ref);
    }
}
