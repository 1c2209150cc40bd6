// Fused attention for CPU devices (PoCL): the algorithm of attention_fused.cl, written for one work-item per
// group with explicit float16 vectors instead of work-items sharing local memory. A work-item owns ROWS query
// rows of one head and walks the keys 16 at a time: scores are float16 dot products over D, the softmax
// exponentials one float16 exp per row, and the output rows float16 multiply-adds over Dv. PoCL runs a
// work-group's items as a loop, so this shape is what reaches its SIMD units (see kernels/README.md).
// HEAD_D and HEAD_DV are the problem's head dimensions; the same masking rule and key skipping as the
// portable kernel apply, and split z covers keys [z * split_keys, (z + 1) * split_keys).

#ifndef ROWS
#define ROWS 4 // query rows per work-item; tune: 1 2 3 4 6 8
#endif

#define KEYS 16
#define D_FULL (HEAD_D / 16)
#define D_TAIL (HEAD_D % 16)
#define V_FULL (HEAD_DV / 16)
#define V_TAIL (HEAD_DV % 16)

inline float max_nan(const float a, const float b)
{
    return (b > a || isnan(b)) ? b : a;
}

inline float hsum(const float16 x)
{
    const float8 a = x.lo + x.hi;
    const float4 b = a.lo + a.hi;
    const float2 c = b.lo + b.hi;
    return c.x + c.y;
}

// Grid: (ceil(nq / ROWS), n, splits), one work-item per group, for heads [head0, head0 + n) of the B*Hq = heads
// (the host launches in parts where a device limits the groups per dimension); o and lse are [splits][heads][nq][..].
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void attention_fused_vec(__global const float* restrict q, __global const float* restrict k,
                         __global const float* restrict v, __global float* restrict o, __global float* restrict lse,
                         const int hq, const int group, const int heads, const int head0, const int nq,
                         const int nk, const float scale,
                         const int split_keys, STRUCT_MASK_PARAMS,
                         __global const uchar* restrict mask, const long4 mask_stride, const int has_mask,
                         __global const float* restrict bias, const long4 bias_stride, const int has_bias)
{
    const int r0 = get_group_id(0) * ROWS;
    const int bh = head0 + get_group_id(1);
    const int split = get_group_id(2);
    const int b = bh / hq;
    const int h = bh % hq;
    const size_t kv_head = (size_t)b * (hq / group) + h / group;
    __global const float* kh = k + kv_head * nk * HEAD_D;
    __global const float* vh = v + kv_head * nk * HEAD_DV;

    const int end = VISIBLE_KEYS(min(r0 + ROWS, nq) - 1, b, nk);
    const int full = (has_mask || has_bias) ? 0 : VISIBLE_KEYS(r0, b, nk);
    const int k_begin = split * split_keys;
    const int k_end = min(end, k_begin + split_keys);

    float16 qv[ROWS][D_FULL + 1];
    float qt[ROWS][D_TAIL + 1];
    float16 acc[ROWS][V_FULL + 1];
    float acct[ROWS][V_TAIL + 1];
    float row_max[ROWS];
    float row_sum[ROWS];
    int seen[ROWS];
    long mask_row[ROWS];
    long bias_row[ROWS];
    for (int r = 0; r < ROWS; ++r) {
        const int i = min(r0 + r, nq - 1);
        __global const float* qrow = q + ((size_t)bh * nq + i) * HEAD_D;
        for (int c = 0; c < D_FULL; ++c) {
            qv[r][c] = vload16(c, qrow);
        }
        for (int e = 0; e < D_TAIL; ++e) {
            qt[r][e] = qrow[D_FULL * 16 + e];
        }
        for (int c = 0; c < V_FULL; ++c) {
            acc[r][c] = (float16)(0.0f);
        }
        for (int e = 0; e < V_TAIL; ++e) {
            acct[r][e] = 0.0f;
        }
        row_max[r] = -INFINITY;
        row_sum[r] = 0.0f;
        seen[r] = r0 + r < nq ? VISIBLE_KEYS(i, b, nk) : 0;
        mask_row[r] = b * mask_stride.x + h * mask_stride.y + i * mask_stride.z;
        bias_row[r] = b * bias_stride.x + h * bias_stride.y + i * bias_stride.z;
    }

    for (int j0 = k_begin; j0 < k_end; j0 += KEYS) {
        float s[ROWS][KEYS];
        for (int c = 0; c < KEYS; ++c) {
            const int j = j0 + c;
            if (j < k_end) {
                __global const float* krow = kh + (size_t)j * HEAD_D;
                float16 part[ROWS];
                for (int r = 0; r < ROWS; ++r) {
                    part[r] = (float16)(0.0f);
                }
                for (int d = 0; d < D_FULL; ++d) {
                    const float16 kc = vload16(d, krow);
                    for (int r = 0; r < ROWS; ++r) {
                        part[r] = fma(qv[r][d], kc, part[r]);
                    }
                }
                for (int r = 0; r < ROWS; ++r) {
                    float dot = hsum(part[r]);
                    for (int e = 0; e < D_TAIL; ++e) {
                        dot = fma(qt[r][e], krow[D_FULL * 16 + e], dot);
                    }
                    const int hidden = j >= seen[r] || (has_mask && !mask[mask_row[r] + j * mask_stride.w]);
                    s[r][c] = hidden ? -INFINITY
                        : scale * dot + (has_bias ? bias[bias_row[r] + j * bias_stride.w] : 0.0f);
                }
            } else {
                for (int r = 0; r < ROWS; ++r) {
                    s[r][c] = -INFINITY;
                }
            }
        }

        for (int r = 0; r < ROWS; ++r) {
            const float16 sv = vload16(0, s[r]);
            float m = row_max[r];
            for (int c = 0; c < KEYS; ++c) {
                m = max_nan(m, s[r][c]);
            }
            float16 p = (float16)(0.0f);
            if (m != -INFINITY) {
                const float factor = exp(row_max[r] - m);
                p = exp(sv - m);
                row_sum[r] = row_sum[r] * factor + hsum(p);
                for (int c = 0; c < V_FULL; ++c) {
                    acc[r][c] *= factor;
                }
                for (int e = 0; e < V_TAIL; ++e) {
                    acct[r][e] *= factor;
                }
            }
            row_max[r] = m;
            vstore16(p, 0, s[r]);
        }

        // On a tile that some row cannot wholly see, a zero weight skips its V row (0 * NaN would leak).
        const int dense = j0 + KEYS <= full;
        for (int c = 0; c < KEYS && j0 + c < k_end; ++c) {
            __global const float* vrow = vh + (size_t)(j0 + c) * HEAD_DV;
            for (int r = 0; r < ROWS; ++r) {
                const float w = s[r][c];
                if (dense || w != 0.0f) {
                    for (int d = 0; d < V_FULL; ++d) {
                        acc[r][d] = fma((float16)(w), vload16(d, vrow), acc[r][d]);
                    }
                    for (int e = 0; e < V_TAIL; ++e) {
                        acct[r][e] = fma(w, vrow[V_FULL * 16 + e], acct[r][e]);
                    }
                }
            }
        }
    }

    const size_t out_head = (size_t)split * heads + bh;
    for (int r = 0; r < ROWS; ++r) {
        const int i = r0 + r;
        if (i < nq) {
            const int empty = row_max[r] == -INFINITY;
            const float l = row_sum[r];
            __global float* orow = o + (out_head * nq + i) * HEAD_DV;
            for (int d = 0; d < V_FULL; ++d) {
                vstore16(empty ? (float16)(0.0f) : acc[r][d] / l, d, orow);
            }
            for (int e = 0; e < V_TAIL; ++e) {
                orow[V_FULL * 16 + e] = empty ? 0.0f : acct[r][e] / l;
            }
            lse[out_head * nq + i] = empty ? -INFINITY : row_max[r] + log(l);
        }
    }
}
