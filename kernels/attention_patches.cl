// Attention whose queries and keys are the PATCH x PATCH patches of one image (non-local means): pixel p
// attends to the pixels q of the search x search window centred on it with score -scale * |patch(p) -
// patch(q)|^2 and value u(q); out(p) = sum_q w u(q) / sum_q w with w = exp(score). The score's maximum is the
// pixel's own, 0 (so no running max is kept: every weight is at most 1 and the sum at least 1). A work-group
// owns TY x TX pixels; for each offset of the window it stages the squared differences of the tile and its
// halo in local memory and sums them as box filters, rows then columns, so a pair costs O(1), not PATCH^2:
// the same sum of the same terms, exact in float for 8-bit images (integers below 2^24).
// e is the image extended by search / 2 + PATCH / 2 on each side by reflection, planar: [CHANNELS][he][we];
// PATCH and CHANNELS are the problem's (shape, not tunables): the host builds one program each.

#ifndef TX
#define TX 32 // pixels per work-group across a row (not yet in the tuner)
#endif
#ifndef TY
#define TY 8 // rows of pixels per work-group (not yet in the tuner)
#endif

#if TX < 1 || TY < 1 || PATCH < 1 || CHANNELS < 1
#error "TX, TY, PATCH and CHANNELS must be >= 1"
#endif
#if PATCH % 2 != 1
#error "PATCH must be odd"
#endif

#define HY (TY + PATCH - 1)
#define HX (TX + PATCH - 1)

// sq[i][j] = sum over channels of (query patch pixel - key patch pixel)^2 for the tile and its halo, the key
// patches shifted by (dy, dx); reads past the image are clamped (they serve only pixels that do not exist).
inline void stage_squares(__local float* sq, __global const float* e, const int we, const int he, const int y0,
                          const int x0, const int big, const int dy, const int dx, const int ty, const int tx)
{
    for (int i = ty; i < HY; i += TY) {
        const int qy = min(y0 + big + i, he - 1);
        const int ky = min(qy + dy, he - 1);
        for (int j = tx; j < HX; j += TX) {
            const int qx = min(x0 + big + j, we - 1);
            const int kx = min(qx + dx, we - 1);
            float s = 0.0f;
            for (int c = 0; c < CHANNELS; ++c) {
                const size_t plane = (size_t)c * he * we;
                const float d = e[plane + (size_t)qy * we + qx] - e[plane + (size_t)ky * we + kx];
                s = fma(d, d, s);
            }
            sq[i * HX + j] = s;
        }
    }
}

// hs[i][j] = sq[i][j .. j + PATCH): the horizontal box sums of every halo row.
inline void box_rows(__local float* hs, __local const float* sq, const int ty, const int tx)
{
    for (int i = ty; i < HY; i += TY) {
        float s = 0.0f;
        for (int t = 0; t < PATCH; ++t) {
            s += sq[i * HX + tx + t];
        }
        hs[i * TX + tx] = s;
    }
}

// Grid: (ceil(width / TX) * TX, ceil(height / TY) * TY). out [height][width][CHANNELS].
__kernel __attribute__((reqd_work_group_size(TX, TY, 1)))
void attention_patches(__global const float* restrict e, __global float* restrict out, const int height,
                       const int width, const int search, const float scale)
{
    __local float sq[HY * HX];
    __local float hs[HY * TX];
    const int tx = get_local_id(0);
    const int ty = get_local_id(1);
    const int x0 = get_group_id(0) * TX;
    const int y0 = get_group_id(1) * TY;
    const int big = search / 2;
    const int we = width + 2 * big + PATCH - 1;
    const int he = height + 2 * big + PATCH - 1;
    const int y = min(y0 + ty, height - 1);
    const int x = min(x0 + tx, width - 1);
    // p's centre in the extended image; q = p + (dy - big, dx - big).
    const int cy = y + big + PATCH / 2;
    const int cx = x + big + PATCH / 2;

    float num[CHANNELS];
    for (int c = 0; c < CHANNELS; ++c) {
        num[c] = 0.0f;
    }
    float den = 0.0f;
    for (int dy = -big; dy <= big; ++dy) {
        for (int dx = -big; dx <= big; ++dx) {
            stage_squares(sq, e, we, he, y0, x0, big, dy, dx, ty, tx);
            barrier(CLK_LOCAL_MEM_FENCE);
            box_rows(hs, sq, ty, tx);
            barrier(CLK_LOCAL_MEM_FENCE);
            float d2 = 0.0f;
            for (int t = 0; t < PATCH; ++t) {
                d2 += hs[(ty + t) * TX + tx];
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            const float w = exp(-scale * d2);
            den += w;
            __global const float* vq = e + (size_t)(cy + dy) * we + cx + dx;
            for (int c = 0; c < CHANNELS; ++c) {
                num[c] = fma(w, vq[(size_t)c * he * we], num[c]);
            }
        }
    }
    if (y0 + ty < height && x0 + tx < width) {
        for (int c = 0; c < CHANNELS; ++c) {
            out[((size_t)y * width + x) * CHANNELS + c] = num[c] / den;
        }
    }
}
