// attention_patches.cl for CPU devices (PoCL): one work-item per band of ROWS image rows, all of its width,
// walking the offsets of the search window with explicit vectors of VW pixels along a row: the squared
// differences of each halo row, their horizontal box sums, then per pixel the vertical box sum, the weight
// (vec_math's exp2_neg, 2e-9 relative) and the sums. The same sums of the same terms as attention_patches.cl;
// the work-group form pays its barriers and work-item loops on each of the search^2 offsets here.
// Rows are processed VW pixels at a time over W8 = width rounded up to VW: the pixels past the width are
// computed from whatever lies there (the host pads e by 64 floats) and never stored.
// scratch per work-item: box sums (ROWS + PATCH - 1) x W8, squares W8 + PATCH - 1 + VW, the weights' sum
// ROWS x W8 and the weighted values CHANNELS x ROWS x W8.

#ifndef ROWS
#define ROWS 32 // image rows per work-item (not yet in the tuner)
#endif
#ifndef VW
#define VW 16 // floats per vector (16: AVX-512, and two AVX2 vectors, which overlap better) (not yet in the tuner)
#endif
#if ROWS < 1 || PATCH < 1 || CHANNELS < 1
#error "ROWS, PATCH and CHANNELS must be >= 1"
#endif

#include "vec_math.cl"

#define SQ_LEN(w8) ((w8) + PATCH - 1 + VW)
#define SCRATCH(w8) ((ROWS + PATCH - 1) * (w8) + SQ_LEN(w8) + ROWS * (w8) + CHANNELS * ROWS * (w8))

// sq[j] = the squares summed over the channels, one halo row of the band, for the shift (dy, dx).
inline void row_squares(__global float* sq, __global const float* e, const size_t plane, const int q,
                        const int shift, const int n)
{
    for (int j = 0; j < n; j += VW) {
        floatv s = (floatv)(0.0f);
        for (int c = 0; c < CHANNELS; ++c) {
            const floatv d = vloadv(0, e + c * plane + q + j) - vloadv(0, e + c * plane + q + shift + j);
            s = fma(d, d, s);
        }
        vstorev(s, 0, sq + j);
    }
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
    const int he = height + 2 * big + PATCH - 1;
    const size_t plane = (size_t)he * we;
    const int w8 = (width + VW - 1) / VW * VW;
    const int halo = rows + PATCH - 1;
    const int sq_n = (w8 + PATCH - 1 + VW - 1) / VW * VW;
    __global float* hs = scratch + (size_t)band * SCRATCH(w8);
    __global float* sq = hs + (ROWS + PATCH - 1) * w8;
    __global float* den = sq + SQ_LEN(w8);
    __global float* num = den + ROWS * w8;
    for (int n = 0; n < ROWS * w8; n += VW) {
        vstorev((floatv)(0.0f), 0, den + n);
    }
    for (int n = 0; n < CHANNELS * ROWS * w8; n += VW) {
        vstorev((floatv)(0.0f), 0, num + n);
    }
    const floatv k = (floatv)(-scale * LOG2E);
    for (int dy = -big; dy <= big; ++dy) {
        for (int dx = -big; dx <= big; ++dx) {
            for (int i = 0; i < halo; ++i) {
                row_squares(sq, e, plane, (y0 + big + i) * we + big, dy * we + dx, sq_n);
                for (int x = 0; x < w8; x += VW) {
                    floatv s = vloadv(0, sq + x);
                    for (int t = 1; t < PATCH; ++t) {
                        s += vloadv(0, sq + x + t);
                    }
                    vstorev(s, 0, hs + i * w8 + x);
                }
            }
            for (int y = 0; y < rows; ++y) {
                const int v = (y0 + y + big + PATCH / 2 + dy) * we + big + PATCH / 2 + dx;
                for (int x = 0; x < w8; x += VW) {
                    floatv d2 = vloadv(0, hs + y * w8 + x);
                    for (int t = 1; t < PATCH; ++t) {
                        d2 += vloadv(0, hs + (y + t) * w8 + x);
                    }
                    const floatv w = exp2_neg(d2 * k);
                    vstorev(vloadv(0, den + y * w8 + x) + w, 0, den + y * w8 + x);
                    for (int c = 0; c < CHANNELS; ++c) {
                        __global float* nc = num + (c * ROWS + y) * w8 + x;
                        vstorev(fma(w, vloadv(0, e + c * plane + v + x), vloadv(0, nc)), 0, nc);
                    }
                }
            }
        }
    }
    for (int y = 0; y < rows; ++y) {
        for (int x = 0; x < width; ++x) {
            for (int c = 0; c < CHANNELS; ++c) {
                out[((size_t)(y0 + y) * width + x) * CHANNELS + c] = num[(c * ROWS + y) * w8 + x] / den[y * w8 + x];
            }
        }
    }
}
