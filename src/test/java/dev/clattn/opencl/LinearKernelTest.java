package dev.clattn.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.clattn.Config;
import dev.clattn.InvalidRequestException;
import dev.clattn.Linear;
import dev.clattn.cpu.CpuBackend;
import dev.clattn.spi.Backend;
import dev.clattn.testing.Data;
import dev.clattn.testing.Tolerance;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** linear.cl and the CPU fallback's Linear against Y = X·Wᵀ + b in float64, at tile-edge sizes on every axis. */
class LinearKernelTest {
    /** The sum in float64, or rounded to float32 after every operation (the naive float32 error). */
    private static double[] naive(Linear r, boolean f32) {
        double[] y = new double[r.rows() * r.out()];
        for (int n = 0; n < r.rows(); n++) {
            for (int o = 0; o < r.out(); o++) {
                double s = 0;
                for (int i = 0; i < r.in(); i++) {
                    double p = (double) r.x()[n * r.in() + i] * r.weight()[o * r.in() + i];
                    s = f32 ? (float) (s + (float) p) : s + p;
                }
                double b = r.bias() == null ? 0 : r.bias()[o];
                y[n * r.out() + o] = f32 ? (float) (s + b) : s + b;
            }
        }
        return y;
    }

    @Test
    void bothBackendsMatchTheReference() {
        int[][] shapes = {{1, 1, 1}, {37, 3, 5}, {130, 111, 70}, {33, 64, 1}, {1, 256, 129}};
        try (OpenClBackend ocl = new OpenClBackend(OpenClDevices.require(), Config.fromEnvironment());
                CpuBackend cpu = new CpuBackend(2)) {
            for (Backend b : new Backend[] {ocl, cpu}) {
                for (int[] s : shapes) {
                    for (boolean bias : new boolean[] {false, true}) {
                        Random rnd = new Random(s[0] * 131L + s[1] * 7L + s[2]);
                        Linear r = new Linear(Data.gaussian(rnd, (long) s[0] * s[1], 1), s[0], s[1],
                                Data.gaussian(rnd, (long) s[2] * s[1], 1), s[2],
                                bias ? Data.gaussian(rnd, s[2], 1) : null);
                        Tolerance.check(b.name() + " " + java.util.Arrays.toString(s) + (bias ? " bias" : ""),
                                b.linear(r), naive(r, false), naive(r, true));
                    }
                }
            }
        }
    }

    @Test
    void shapesAreCheckedByName() {
        assertEquals("weight: expected [out, in] = [2, 3] = 6 floats, got 5 floats", assertThrows(
                InvalidRequestException.class, () -> new Linear(new float[3], 1, 3, new float[5], 2, null)).getMessage());
        assertEquals("bias: expected [out] = 2 floats, got 3 floats", assertThrows(InvalidRequestException.class,
                () -> new Linear(new float[3], 1, 3, new float[6], 2, new float[3])).getMessage());
        assertEquals("x: expected [rows, in] = [2, 3] = 6 floats, got 3 floats", assertThrows(
                InvalidRequestException.class, () -> new Linear(new float[3], 2, 3, new float[6], 2, null)).getMessage());
    }
}
