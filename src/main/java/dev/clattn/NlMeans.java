package dev.clattn;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Non-local means denoising (Buades et al. 2005) as attention: each pixel p becomes Σ_q w(p,q)·u(q) / Σ_q w(p,q)
 * over the search × search window centred on p, w(p,q) = exp(−d²(p,q)/h²), d² the mean over the patch × patch
 * neighbourhoods (and the channels) of the squared differences; borders by reflection without repeating the
 * edge pixel (numpy's {@code reflect}, OpenCV's {@code BORDER_REFLECT_101}), for the search window and the
 * patches alike, on one image extended by search/2 + patch/2. OpenCV's {@code fastNlMeansDenoising} convention
 * (its h, templateWindowSize, searchWindowSize), computed exactly: the patch vectors are the queries and keys
 * (D = patch²·C), the pixels the values, the score {@link Score#negSqDist()} with scale 1/(D·h²). It runs as
 * {@link PatchAttention}, whose kernels sum each pair's squared differences with box filters (O(1) a pair);
 * {@link #denoiseAsAttention} runs the same as general attention calls, for checking. Sums of squared
 * differences of 8-bit values are integers below 2^24, exact in float32.
 */
public final class NlMeans {
    private NlMeans() {
    }

    /** A row-major image [height, width, channels] of values 0..255 (or any floats). */
    public record Image(int height, int width, int channels, float[] pixels) {
        public Image {
            if (height < 1 || width < 1 || channels < 1) {
                throw new InvalidRequestException("image", "height, width and channels >= 1", height + " x " + width
                        + " x " + channels);
            }
            if (pixels == null || pixels.length != (long) height * width * channels) {
                throw new InvalidRequestException("image", height + " x " + width + " x " + channels + " = "
                        + (long) height * width * channels + " values", pixels == null ? "null" : pixels.length
                        + " values");
            }
        }
    }

    /** The denoised image, unrounded. {@code patch} and {@code search} are odd and at least 1, {@code h} > 0. */
    public static Image denoise(Attention engine, Image u, float h, int patch, int search) {
        return new Image(u.height(), u.width(), u.channels(), engine.computePatches(request(u, h, patch, search)));
    }

    /** The attention over patches that {@link #denoise} computes: the image extended by reflection. */
    public static PatchAttention request(Image u, float h, int patch, int search) {
        check("patch", patch);
        check("search", search);
        if (!(h > 0) || !Float.isFinite(h)) {
            throw new InvalidRequestException("h", "a finite filter strength > 0", String.valueOf(h));
        }
        int pad = search / 2 + patch / 2;
        int c = u.channels();
        int he = PatchAttention.extendedHeight(u.height(), patch, search);
        int we = PatchAttention.extendedWidth(u.width(), patch, search);
        float[] e = HostMemory.floats("extended image", (long) he * we * c);
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < he; y++) {
                for (int x = 0; x < we; x++) {
                    e[(ch * he + y) * we + x] = u.pixels()[pixel(u, y - pad, x - pad) + ch];
                }
            }
        }
        return new PatchAttention(e, u.height(), u.width(), c, patch, search,
                (float) (1.0 / ((double) patch * patch * c * h * h)));
    }

    /**
     * The same denoising as the general attention it is, for checking: the patch vectors as Q and K (D =
     * patch²·C), the pixels as V, {@link Score#negSqDist()} with scale 1/(D·h²), one call per row of the search
     * window (each image row's keys under a sliding window), merged by their LSE.
     */
    public static Image denoiseAsAttention(Attention engine, Image u, float h, int patch, int search) {
        PatchAttention p = request(u, h, patch, search);
        int big = search / 2;
        int c = u.channels();
        int d = patch * patch * c;
        int hk = u.height() + 2 * big;
        int wk = u.width() + 2 * big;
        int we = p.extendedWidth();
        int he = p.extendedHeight();
        long keyFloats = (long) hk * wk * d;
        new HostMemory.Plan().add("patches", 4 * (keyFloats + (long) u.height() * u.width() * d)).require();
        // Direct buffers: the engine reads each call's slice of them where it lies, with no copy on the heap.
        FloatBuffer keys = direct(keyFloats);
        FloatBuffer values = direct((long) hk * wk * c);
        float[] e = p.extended();
        for (int ky = 0; ky < hk; ky++) {
            for (int kx = 0; kx < wk; kx++) {
                for (int ey = 0; ey < patch; ey++) {
                    for (int ex = 0; ex < patch; ex++) {
                        for (int ch = 0; ch < c; ch++) {
                            keys.put(e[(ch * he + ky + ey) * we + kx + ex]);
                        }
                    }
                }
                for (int ch = 0; ch < c; ch++) {
                    values.put(e[(ch * he + ky + patch / 2) * we + kx + patch / 2]);
                }
            }
        }
        float[] queries = HostMemory.floats("patches", (long) u.height() * u.width() * d);
        for (int y = 0; y < u.height(); y++) {
            for (int x = 0; x < u.width(); x++) {
                keys.get(((y + big) * wk + x + big) * d, queries, (y * u.width() + x) * d, d);
            }
        }
        Shape s = new Shape(u.height(), 1, 1, u.width(), wk, d, c);
        List<AttentionResult> rows = new ArrayList<>();
        try (DeviceTensor q = engine.upload(queries)) {
            for (int dy = 0; dy < search; dy++) {
                AttentionRequest r = AttentionRequest.builder(s).q(q)
                        .k(keys.slice(dy * wk * d, u.height() * wk * d))
                        .v(values.slice(dy * wk * c, u.height() * wk * c))
                        .score(Score.negSqDist()).scale(p.scale()).window(2 * big, 0).returnLse(true).build();
                rows.add(engine.compute(r));
            }
        }
        return new Image(u.height(), u.width(), c, Attention.merge(rows).output());
    }

    private static FloatBuffer direct(long floats) {
        return java.nio.ByteBuffer.allocateDirect(Math.toIntExact(4 * floats)).order(java.nio.ByteOrder.nativeOrder())
                .asFloatBuffer();
    }

    /** Offset of the pixel at (y, x) of the image reflected without repeating its edge. */
    private static int pixel(Image u, int y, int x) {
        return (reflect(y, u.height()) * u.width() + reflect(x, u.width())) * u.channels();
    }

    /** i reflected into [0, n) about the edge pixels (…, 2, 1, 0, 1, 2, …), repeatedly for a large i. */
    static int reflect(int i, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * (n - 1);
        int m = Math.floorMod(i, period);
        return m < n ? m : period - m;
    }

    private static void check(String name, int size) {
        if (size < 1 || size % 2 == 0) {
            throw new InvalidRequestException(name, "an odd size >= 1", String.valueOf(size));
        }
    }
}
