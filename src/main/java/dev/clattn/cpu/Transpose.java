package dev.clattn.cpu;

import dev.clattn.HostMemory;

/** The two middle dimensions of a row-major [B][X][Y][W] array swapped: [B][Y][X][W], as a new array or into one. */
final class Transpose {
    private Transpose() {
    }

    static float[] swap(String argument, float[] in, int b, int x, int y, int w) {
        float[] out = HostMemory.floats(argument, in.length);
        swap(in, out, b, x, y, w);
        return out;
    }

    static void swap(float[] in, float[] out, int b, int x, int y, int w) {
        for (int bb = 0; bb < b; bb++) {
            for (int xx = 0; xx < x; xx++) {
                for (int yy = 0; yy < y; yy++) {
                    System.arraycopy(in, ((bb * x + xx) * y + yy) * w, out, ((bb * y + yy) * x + xx) * w, w);
                }
            }
        }
    }
}
