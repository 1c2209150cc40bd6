// Fused attention for CPU devices (PoCL), shaped like a GEMM micro-kernel: one work-item per group owns ROWS
// query rows of one head and walks the keys KEYS = VW * NV at a time. Scores: a ROWS x KEYS block held in
// vector registers, one broadcast Q element times one vector of keys per FMA, from K packed by pack_kt.cl in
// panels of KEYS keys per d (no dot products, no horizontal sums). Softmax: online, scale folded into Q, one
// vector exp2((s - max) * log2(e)) per score vector, rescaling only when a row's max changes. Scores stay in
// natural units: in log2 units the max (and the LSE made from it) would carry log2(e) times the rounding.
// Output: DVB vectors of columns per row in registers while every key of the tile streams through, one
// broadcast weight times one vector of V per FMA. PoCL keeps a private array in memory unless every loop that
// indexes it is unrolled, hence the unrolled register blocks (see kernels/README.md).
// HEAD_D and HEAD_DV are the problem's head dimensions; the masking rule and key skipping are those of
// attention_fused.cl, and split z covers keys [z * split_keys, (z + 1) * split_keys), a multiple of KEYS.

#ifndef ROWS
#define ROWS 6 // query rows per work-item (the micro-kernel's MR); tune: 1 2 3 4 6 8
#endif
#ifndef VW
#define VW 8 // floats per vector: 8 for AVX2, 16 for AVX-512; tune: 4 8 16
#endif
#ifndef NV
#define NV 2 // vectors of keys per tile (KEYS = VW * NV, the micro-kernel's NR); tune: 1 2 4
#endif
#ifndef DVB
#define DVB 2 // vectors of output columns per row held in registers over a tile's keys; tune: 1 2 4
#endif

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define floatv CAT(float, VW)
#define vloadv CAT(vload, VW)
#define vstorev CAT(vstore, VW)
#define KEYS (VW * NV)
#define DV_STEP (VW * DVB)
#define DV_FULL (HEAD_DV / DV_STEP * DV_STEP)
#define LOG2E 1.4426950408889634f

inline float hmax(const floatv x)
{
#if VW == 16
    const float8 a = fmax(x.lo, x.hi);
    const float4 b = fmax(a.lo, a.hi);
#elif VW == 8
    const float4 b = fmax(x.lo, x.hi);
#else
    const float4 b = x;
#endif
    const float2 c = fmax(b.lo, b.hi);
    return fmax(c.x, c.y);
}

inline float hsum(const floatv x)
{
#if VW == 16
    const float8 a = x.lo + x.hi;
    const float4 b = a.lo + a.hi;
#elif VW == 8
    const float4 b = x.lo + x.hi;
#else
    const float4 b = x;
#endif
    const float2 c = b.lo + b.hi;
    return c.x + c.y;
}

// Scores of one tile: s[r][v] = sum_d qs[r][d] * panel[d][v * VW ..], all in registers.
#define SCORE_TILE(s, qs, panel)                                                                  \
    _Pragma("unroll") for (int r = 0; r < ROWS; ++r) {                                            \
        _Pragma("unroll") for (int v = 0; v < NV; ++v) { s[r][v] = (floatv)(0.0f); }             \
    }                                                                                             \
    for (int d = 0; d < HEAD_D; ++d) {                                                            \
        floatv kv[NV];                                                                            \
        _Pragma("unroll") for (int v = 0; v < NV; ++v) { kv[v] = vloadv(v, (panel) + d * KEYS); } \
        _Pragma("unroll") for (int r = 0; r < ROWS; ++r) {                                        \
            const floatv qd = (floatv)(qs[r][d]);                                                 \
            _Pragma("unroll") for (int v = 0; v < NV; ++v) { s[r][v] = fma(qd, kv[v], s[r][v]); } \
        }                                                                                         \
    }

// O[:, c0 .. c0 + DV_STEP) += P V over the tile's kn keys; with CHECK, a zero weight skips its V row
// (a hidden key's V may hold anything, and 0 * NaN would leak).
#define PV_BLOCK(acc, pw, vt, c0, kn, CHECK)                                                           \
    {                                                                                                  \
        floatv a[ROWS][DVB];                                                                           \
        _Pragma("unroll") for (int r = 0; r < ROWS; ++r) {                                             \
            _Pragma("unroll") for (int u = 0; u < DVB; ++u) { a[r][u] = vloadv(u, acc[r] + (c0)); }    \
        }                                                                                              \
        for (int c = 0; c < (kn); ++c) {                                                               \
            __global const float* vrow = (vt) + (size_t)c * HEAD_DV + (c0);                            \
            floatv vv[DVB];                                                                            \
            _Pragma("unroll") for (int u = 0; u < DVB; ++u) { vv[u] = vloadv(u, vrow); }               \
            _Pragma("unroll") for (int r = 0; r < ROWS; ++r) {                                         \
                const float w = pw[r][c];                                                              \
                if (!(CHECK) || w != 0.0f) {                                                           \
                    _Pragma("unroll") for (int u = 0; u < DVB; ++u) { a[r][u] = fma((floatv)(w), vv[u], a[r][u]); } \
                }                                                                                      \
            }                                                                                          \
        }                                                                                              \
        _Pragma("unroll") for (int r = 0; r < ROWS; ++r) {                                             \
            _Pragma("unroll") for (int u = 0; u < DVB; ++u) { vstorev(a[r][u], u, acc[r] + (c0)); }    \
        }                                                                                              \
    }

// Grid: (ceil(nq / ROWS), n, splits), one work-item per group, for heads [head0, head0 + n) of the B*Hq = heads
// (the host launches in parts where a device limits the groups per dimension); o and lse are [splits][heads][nq][..].
// kt is K packed by pack_kt.cl: [B*Hk][ceil(nk / KEYS)][HEAD_D][KEYS].
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void attention_fused_vec(__global const float* restrict q, __global const float* restrict kt,
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
    const int tiles = (nk + KEYS - 1) / KEYS;
    __global const float* kth = kt + kv_head * tiles * HEAD_D * KEYS;
    __global const float* vh = v + kv_head * nk * HEAD_DV;

    const int end = VISIBLE_KEYS(min(r0 + ROWS, nq) - 1, b, nk);
    const int full = (has_mask || has_bias) ? 0 : VISIBLE_KEYS(r0, b, nk);
    const int k_begin = split * split_keys;
    const int k_end = min(end, k_begin + split_keys);

    float qs[ROWS][HEAD_D];
    float acc[ROWS][HEAD_DV];
    float pw[ROWS][KEYS];
    float row_max[ROWS];
    float row_sum[ROWS];
    int seen[ROWS];
    long mask_row[ROWS];
    long bias_row[ROWS];
    for (int r = 0; r < ROWS; ++r) {
        const int i = min(r0 + r, nq - 1);
        __global const float* qrow = q + ((size_t)bh * nq + i) * HEAD_D;
        for (int d = 0; d < HEAD_D; ++d) {
            qs[r][d] = scale * qrow[d];
        }
        for (int e = 0; e < HEAD_DV; ++e) {
            acc[r][e] = 0.0f;
        }
        row_max[r] = -INFINITY;
        row_sum[r] = 0.0f;
        seen[r] = r0 + r < nq ? VISIBLE_KEYS(i, b, nk) : 0;
        mask_row[r] = b * mask_stride.x + h * mask_stride.y + i * mask_stride.z;
        bias_row[r] = b * bias_stride.x + h * bias_stride.y + i * bias_stride.z;
    }

    for (int j0 = k_begin; j0 < k_end; j0 += KEYS) {
        floatv s[ROWS][NV];
        __global const float* panel = kth + (size_t)(j0 / KEYS) * HEAD_D * KEYS;
        SCORE_TILE(s, qs, panel)

        // Only a tile some row cannot wholly see pays for masking, element by element.
        const int dense = j0 + KEYS <= full;
        if (!dense) {
            for (int r = 0; r < ROWS; ++r) {
                for (int vv = 0; vv < NV; ++vv) {
                    vstorev(s[r][vv], vv, pw[r]);
                }
                for (int c = 0; c < KEYS; ++c) {
                    const int j = j0 + c;
                    const int hidden = j >= seen[r] || (has_mask && !mask[mask_row[r] + j * mask_stride.w]);
                    pw[r][c] = hidden ? -INFINITY
                        : pw[r][c] + (has_bias ? bias[bias_row[r] + j * bias_stride.w] : 0.0f);
                }
                for (int vv = 0; vv < NV; ++vv) {
                    s[r][vv] = vloadv(vv, pw[r]);
                }
            }
        }

        _Pragma("unroll") for (int r = 0; r < ROWS; ++r) {
            floatv mv = s[r][0];
            int nan = any(isnan(s[r][0]));
            _Pragma("unroll") for (int vv = 1; vv < NV; ++vv) {
                mv = fmax(mv, s[r][vv]);
                nan |= any(isnan(s[r][vv]));
            }
            const float m = (nan || isnan(row_max[r])) ? NAN : fmax(row_max[r], hmax(mv));
            if (m == -INFINITY) {
                _Pragma("unroll") for (int vv = 0; vv < NV; ++vv) {
                    vstorev((floatv)(0.0f), vv, pw[r]);
                }
            } else {
                floatv sum = (floatv)(0.0f);
                _Pragma("unroll") for (int vv = 0; vv < NV; ++vv) {
                    const floatv p = exp2((s[r][vv] - m) * LOG2E);
                    sum += p;
                    vstorev(p, vv, pw[r]);
                }
                const float factor = exp2((row_max[r] - m) * LOG2E);
                row_sum[r] = row_sum[r] * factor + hsum(sum);
                if (factor != 1.0f) {
                    for (int e = 0; e < HEAD_DV; ++e) {
                        acc[r][e] *= factor;
                    }
                }
            }
            row_max[r] = m;
        }

        const int kn = min(KEYS, k_end - j0);
        __global const float* vt = vh + (size_t)j0 * HEAD_DV;
        for (int c0 = 0; c0 < DV_FULL; c0 += DV_STEP) {
            if (dense) {
                PV_BLOCK(acc, pw, vt, c0, kn, 0)
            } else {
                PV_BLOCK(acc, pw, vt, c0, kn, 1)
            }
        }
        for (int c = 0; c < kn && DV_FULL < HEAD_DV; ++c) {
            __global const float* vrow = vt + (size_t)c * HEAD_DV;
            for (int r = 0; r < ROWS; ++r) {
                const float w = pw[r][c];
                if (dense || w != 0.0f) {
                    for (int e = DV_FULL; e < HEAD_DV; ++e) {
                        acc[r][e] = fma(w, vrow[e], acc[r][e]);
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
            for (int e = 0; e < HEAD_DV; ++e) {
                orow[e] = empty ? 0.0f : acc[r][e] / l;
            }
            lse[out_head * nq + i] = empty ? -INFINITY : row_max[r] + log(l);
        }
    }
}
