// attention_patches.cl for CPU devices (PoCL): one work-item per band of ROWS image rows, all of its width,
// walking the offsets of the search window; each step is a loop along the row that the compiler vectorises
// (squared differences of a halo row, its horizontal box sums, then per pixel the vertical box sum, the
// weight and the sums), where the work-group form pays its barriers and work-item loops on every offset.
// The same sums of the same terms as attention_patches.cl; the weight's exp is vec_math's exp2_neg (2e-9
// relative), written for one float so that the row loop stays vectorised. scratch holds (ROWS + PATCH - 1) * width floats of
// box sums and width + PATCH - 1 of squares per work-item; den, width * ROWS floats per work-item.

#ifndef ROWS
#define ROWS 32 // image rows per work-item (not yet in the tuner)
#endif
#if ROWS < 1 || PATCH < 1 || CHANNELS < 1
#error "ROWS, PATCH and CHANNELS must be >= 1"
#endif

// vec_math.cl's exp2_neg for one float, exp(x) for x <= 0: a scalar function the row loop's vectoriser can
// widen (a vector one called per element would not be).
inline float exp_neg(const float x)
{
    const float xc = fmax(x * 1.4426950408889634f, -126.0f);
    const float t = xc + 12582912.0f;
    const float f = xc - (t - 12582912.0f);
    float p = fma(f, 1.535336196e-04f, 1.339887502e-03f);
    p = fma(p, f, 9.618436918e-03f);
    p = fma(p, f, 5.550332367e-02f);
    p = fma(p, f, 2.402264774e-01f);
    p = fma(p, f, 6.931471825e-01f);
    p = fma(p, f, 1.0f);
    const float r = as_float(as_int(p) + ((as_int(t) - 0x4b400000) << 23));
    return xc == -126.0f ? 0.0f : r;
}

// Grid: (ceil(height / ROWS)), one work-item per group. out [height][width][CHANNELS].
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void attention_patches_vec(__global const float* restrict e, __global float* restrict out,
                           __global float* restrict scratch, const int height, const int width, const int search,
                           const float scale)
{
    const int band = get_global_id(0);
    const int y0 = band * ROWS;
    const int rows = min(ROWS, height - y0);
    const int big = search / 2;
    const int we = width + 2 * big + PATCH - 1;
    const int halo = rows + PATCH - 1;
    __global float* hs = scratch + (size_t)band * ((ROWS + PATCH - 1) * width + width + PATCH - 1 + ROWS * width);
    __global float* sq = hs + (ROWS + PATCH - 1) * width;
    __global float* den = sq + width + PATCH - 1;
    __global float* o = out + (size_t)y0 * width * CHANNELS;
    for (int n = 0; n < rows * width * CHANNELS; ++n) {
        o[n] = 0.0f;
    }
    for (int n = 0; n < rows * width; ++n) {
        den[n] = 0.0f;
    }
    for (int dy = -big; dy <= big; ++dy) {
        for (int dx = -big; dx <= big; ++dx) {
            for (int i = 0; i < halo; ++i) {
                __global const float* qrow = e + ((size_t)(y0 + big + i) * we + big) * CHANNELS;
                __global const float* krow = qrow + ((ptrdiff_t)dy * we + dx) * CHANNELS;
                for (int j = 0; j < width + PATCH - 1; ++j) {
                    float s = 0.0f;
                    for (int c = 0; c < CHANNELS; ++c) {
                        const float d = qrow[j * CHANNELS + c] - krow[j * CHANNELS + c];
                        s = fma(d, d, s);
                    }
                    sq[j] = s;
                }
                for (int x = 0; x < width; ++x) {
                    float s = 0.0f;
                    for (int t = 0; t < PATCH; ++t) {
                        s += sq[x + t];
                    }
                    hs[i * width + x] = s;
                }
            }
            for (int y = 0; y < rows; ++y) {
                __global const float* v = e + ((size_t)(y0 + y + big + PATCH / 2 + dy) * we + big + PATCH / 2 + dx)
                        * CHANNELS;
                for (int x = 0; x < width; ++x) {
                    float d2 = 0.0f;
                    for (int t = 0; t < PATCH; ++t) {
                        d2 += hs[(y + t) * width + x];
                    }
                    const float w = exp_neg(-scale * d2);
                    den[y * width + x] += w;
                    for (int c = 0; c < CHANNELS; ++c) {
                        o[(y * width + x) * CHANNELS + c] = fma(w, v[x * CHANNELS + c], o[(y * width + x) * CHANNELS + c]);
                    }
                }
            }
        }
    }
    for (int n = 0; n < rows * width * CHANNELS; ++n) {
        o[n] /= den[n / CHANNELS];
    }
}
