// Fused attention for CPU devices (PoCL), shaped like a GEMM micro-kernel: one work-item per group owns ROWS
// query rows of one head and walks the keys TILE = SUBS * KEYS at a time. Scores: SUBS blocks of ROWS x KEYS
// (KEYS = VW * NV) held in vector registers, one broadcast Q element times one vector of keys per FMA, from K
// packed by pack_kt.cl in panels of KEYS keys per d (no dot products, no horizontal sums), each block stored
// to the row's weights. Softmax: online over the whole tile, scale folded into Q, one vector
// exp2((s - max) * log2(e)) per score vector, rescaling only when a row's max changes; the per-row bookkeeping
// and the output block's loads and stores are paid once per TILE keys, not once per register block. Scores
// stay in natural units: in log2 units the max (and the LSE made from it) would carry log2(e) times the
// rounding. Output: DVB vectors of columns per row in registers while the tile's keys stream through, one
// broadcast weight times one vector of V per FMA. PoCL keeps a private array in memory unless every loop that
// indexes it is unrolled, hence the unrolled register blocks (see kernels/README.md).
// HEAD_D and HEAD_DV are the problem's head dimensions; the masking rule and key skipping are those of
// attention_fused.cl, and split z covers keys [z * split_keys, (z + 1) * split_keys), a multiple of TILE.

#ifndef ROWS
#define ROWS 6 // query rows per work-item (the micro-kernel's MR); tune: 1 2 3 4 6 8
#endif
#ifndef VW
#define VW 8 // floats per vector: 8 for AVX2, 16 for AVX-512; tune: 4 8 16
#endif
#ifndef NV
#define NV 2 // vectors of keys per tile (KEYS = VW * NV, the micro-kernel's NR); tune: 1 2 4
#endif
#ifndef SUBS
#define SUBS 4 // register blocks of scores per softmax tile (TILE = SUBS * VW * NV keys); tune: 1 2 4 8
#endif
#ifndef DVB
#define DVB 2 // vectors of output columns per row held in registers over a tile's keys; tune: 1 2 4
#endif

#if ROWS < 1 || NV < 1 || SUBS < 1 || DVB < 1
#error "ROWS, NV, SUBS and DVB must be >= 1"
#endif
#if VW != 4 && VW != 8 && VW != 16
#error "VW must be 4, 8 or 16"
#endif

#define KEYS (VW * NV)
#define TILE (KEYS * SUBS)
#define TV (TILE / VW)
#define DV_STEP (VW * DVB)
#define DV_FULL (HEAD_DV / DV_STEP * DV_STEP)

#include "vec_math.cl"

// Scores of one tile: s[r][v] = sum_d qs[r][d] * panel[d][v * VW ..] (or the score's own step), all in
// registers.
#define SCORE_TILE(s, qs, panel)                                                                  \
    _Pragma("unroll") for (int r = 0; r < ROWS; ++r) {                                            \
        _Pragma("unroll") for (int v = 0; v < NV; ++v) { s[r][v] = (floatv)(0.0f); }             \
    }                                                                                             \
    for (int d = 0; d < HEAD_D; ++d) {                                                            \
        floatv kv[NV];                                                                            \
        _Pragma("unroll") for (int v = 0; v < NV; ++v) { kv[v] = vloadv(v, (panel) + d * KEYS); } \
        _Pragma("unroll") for (int r = 0; r < ROWS; ++r) {                                        \
            const floatv qd = (floatv)(qs[r][d]);                                                 \
            _Pragma("unroll") for (int v = 0; v < NV; ++v) { s[r][v] = SCORE_STEP(qd, kv[v], s[r][v]); } \
        }                                                                                         \
    }

// O[:, c0 .. c0 + DV_STEP) += P V over the tile's keys [k0, k1); with CHECK, a zero weight skips its V row
// (a hidden key's V may hold anything, and 0 * NaN would leak).
#define PV_KEYS(a, pw, vt, c0, k0, k1, CHECK)                                                          \
    for (int c = (k0); c < (k1); ++c) {                                                                \
        __global const float* vrow = (vt) + (size_t)c * HEAD_DV + (c0);                                \
        floatv vv[DVB];                                                                                \
        _Pragma("unroll") for (int u = 0; u < DVB; ++u) { vv[u] = vloadv(u, vrow); }                   \
        _Pragma("unroll") for (int r = 0; r < ROWS; ++r) {                                             \
            const float w = pw[r][c];                                                                  \
            if (!(CHECK) || w != 0.0f) {                                                               \
                _Pragma("unroll") for (int u = 0; u < DVB; ++u) { a[r][u] = fma((floatv)(w), vv[u], a[r][u]); } \
            }                                                                                          \
        }                                                                                              \
    }

// Keys [0, kd) are visible to every row of the block and need no check; [kd, kn) may hold hidden keys.
#define PV_BLOCK(acc, pw, vt, c0, kd, kn)                                                              \
    {                                                                                                  \
        floatv a[ROWS][DVB];                                                                           \
        _Pragma("unroll") for (int r = 0; r < ROWS; ++r) {                                             \
            _Pragma("unroll") for (int u = 0; u < DVB; ++u) { a[r][u] = vloadv(u, acc[r] + (c0)); }    \
        }                                                                                              \
        PV_KEYS(a, pw, vt, c0, 0, kd, 0)                                                               \
        PV_KEYS(a, pw, vt, c0, kd, kn, 1)                                                              \
        _Pragma("unroll") for (int r = 0; r < ROWS; ++r) {                                             \
            _Pragma("unroll") for (int u = 0; u < DVB; ++u) { vstorev(a[r][u], u, acc[r] + (c0)); }    \
        }                                                                                              \
    }

// Hides the keys a row cannot see in one tile of its scores: outside [first, seen) (a window's left edge;
// causality, a window's right edge, key length; the keys past nk and past the split are among them), one
// vector select at a time; then the boolean mask and the bias element by element, where the request has them.
inline void mask_tile(float* p, const int j0, const int first, const int seen, const int has_mask,
                      __global const uchar* mask, const long mask_row, const long mask_step, const int has_bias,
                      __global const float* bias, const long bias_row, const long bias_step)
{
    for (int t = 0; t < TV; ++t) {
        const intv j = (intv)(j0 + t * VW) + IOTA;
        vstorev(select(vloadv(t, p), (floatv)(-INFINITY), j >= (intv)(seen) || j < (intv)(first)), t, p);
    }
    if (has_mask || has_bias) {
        for (int c = max(0, first - j0); c < min(TILE, seen - j0); ++c) {
            const int j = j0 + c;
            if (has_mask && !mask[mask_row + j * mask_step]) {
                p[c] = -INFINITY;
            } else if (has_bias) {
                p[c] += bias[bias_row + j * bias_step];
            }
        }
    }
}

#ifdef NORMALIZE_MEAN
// Mean normalisation (common.cl) over one tile: the scores are the weights, a hidden key's -inf becomes 0, the
// sum counts the visible keys, and the max is 0 once a row has one; nothing is ever rescaled.
inline __attribute__((always_inline)) void softmax_block(float pw[ROWS][TILE], float acc[ROWS][HEAD_DV],
                                                        float* row_max, float* row_sum)
{
    _Pragma("unroll") for (int r = 0; r < ROWS; ++r) {
        floatv n = (floatv)(0.0f);
        for (int t = 0; t < TV; ++t) {
            const floatv x = vloadv(t, pw[r]);
            const intv hidden = x == (floatv)(-INFINITY);
            n += select((floatv)(1.0f), (floatv)(0.0f), hidden);
            vstorev(select(x, (floatv)(0.0f), hidden), t, pw[r]);
        }
        const float count = hsum(n);
        row_max[r] = count > 0.0f ? 0.0f : row_max[r];
        row_sum[r] += count;
    }
}
#else
// Online softmax over one tile of every row's scores, in place: the scores become exp(s - max), the running
// max and sum take the tile in, and a row's output is rescaled when its max grows. The rows go side by side
// through each step: one row alone is a chain of dependent max, exp and sum steps that leaves the FMA units
// idle. NaN needs no test of its own: it reaches the sum (and the output) through exp2 whether or not the max
// kept it (hence the plain max, undefined for NaN). A row whose max is -inf has seen only hidden keys (weights
// 0) or NaN (a NaN sum, so its max becomes NaN and stays so).
inline __attribute__((always_inline)) void softmax_block(float pw[ROWS][TILE], float acc[ROWS][HEAD_DV],
                                                        float* row_max, float* row_sum)
{
    floatv mv[ROWS];
    _Pragma("unroll") for (int r = 0; r < ROWS; ++r) { mv[r] = vloadv(0, pw[r]); }
    for (int t = 1; t < TV; ++t) {
        _Pragma("unroll") for (int r = 0; r < ROWS; ++r) { mv[r] = max(mv[r], vloadv(t, pw[r])); }
    }
    float m[ROWS];
    floatv sum[ROWS];
    _Pragma("unroll") for (int r = 0; r < ROWS; ++r) {
        m[r] = isnan(row_max[r]) ? NAN : fmax(row_max[r], hmax(mv[r]));
        mv[r] = (floatv)(m[r] == -INFINITY ? 0.0f : m[r]);
        sum[r] = (floatv)(0.0f);
    }
    for (int t = 0; t < TV; ++t) {
        _Pragma("unroll") for (int r = 0; r < ROWS; ++r) {
            const floatv e = exp2_neg((vloadv(t, pw[r]) - mv[r]) * LOG2E);
            sum[r] += e;
            vstorev(e, t, pw[r]);
        }
    }
    _Pragma("unroll") for (int r = 0; r < ROWS; ++r) {
        const float tile_sum = hsum(sum[r]);
        if (m[r] == -INFINITY) {
            row_max[r] = isnan(tile_sum) ? NAN : m[r];
        } else {
            const float factor = exp2_neg((floatv)((row_max[r] - m[r]) * LOG2E)).s0;
            row_sum[r] = row_sum[r] * factor + tile_sum;
            if (factor != 1.0f) {
                for (int e = 0; e < HEAD_DV; ++e) {
                    acc[r][e] *= factor;
                }
            }
            row_max[r] = m[r];
        }
    }
}
#endif

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
    const int panels = (nk + KEYS - 1) / KEYS;
    __global const float* kth = kt + kv_head * panels * HEAD_D * KEYS;
    __global const float* vh = v + kv_head * nk * HEAD_DV;

    const int end = VISIBLE_KEYS(min(r0 + ROWS, nq) - 1, b, nk);
    const int plain = !has_mask && !has_bias;
    // Every row of the block sees keys [from, full) (rows past nq repeat the last one); tiles inside need no
    // masking at all. A window's left edge moves right with the row: the first row's first key is the block's,
    // and the keys before it are skipped, from a panel boundary (tiles then start on panels, not on tiles).
    const int full = VISIBLE_KEYS(r0, b, nk);
    const int from = FIRST_KEY(min(r0 + ROWS, nq) - 1, nk);
    const int k_begin = split * split_keys;
    const int k_end = min(end, k_begin + split_keys);
    const int k_start = k_begin + max(0, FIRST_KEY(r0, nk) - k_begin) / KEYS * KEYS;

    float qs[ROWS][HEAD_D];
    float acc[ROWS][HEAD_DV];
    float pw[ROWS][TILE];
    float row_max[ROWS];
    float row_sum[ROWS];
    int seen[ROWS];
    int first[ROWS];
    long mask_row[ROWS];
    long bias_row[ROWS];
    for (int r = 0; r < ROWS; ++r) {
        const int i = min(r0 + r, nq - 1);
        __global const float* qrow = q + ((size_t)bh * nq + i) * HEAD_D;
        for (int d = 0; d < HEAD_D; ++d) {
            qs[r][d] = SCORE_Q(qrow[d], scale);
        }
        for (int e = 0; e < HEAD_DV; ++e) {
            acc[r][e] = 0.0f;
        }
        row_max[r] = -INFINITY;
        row_sum[r] = 0.0f;
        seen[r] = r0 + r < nq ? VISIBLE_KEYS(i, b, nk) : 0;
        first[r] = FIRST_KEY(i, nk);
        mask_row[r] = b * mask_stride.x + h * mask_stride.y + i * mask_stride.z;
        bias_row[r] = b * bias_stride.x + h * bias_stride.y + i * bias_stride.z;
    }

    for (int j0 = k_start; j0 < k_end; j0 += TILE) {
        const int kn = min(TILE, k_end - j0);
        for (int sb = 0; sb < SUBS; ++sb) {
            if (sb * KEYS < kn) {
                floatv s[ROWS][NV];
                __global const float* panel = kth + (size_t)(j0 / KEYS + sb) * HEAD_D * KEYS;
                SCORE_TILE(s, qs, panel)
                _Pragma("unroll") for (int r = 0; r < ROWS; ++r) {
                    _Pragma("unroll") for (int vv = 0; vv < NV; ++vv) {
                        vstorev(SCORE_PRESCALED(s[r][vv], scale), sb * NV + vv, pw[r]);
                    }
                }
            } else {
                for (int r = 0; r < ROWS; ++r) {
                    for (int vv = 0; vv < NV; ++vv) {
                        vstorev((floatv)(-INFINITY), sb * NV + vv, pw[r]);
                    }
                }
            }
        }

        const int inside = plain && j0 >= from;
        const int dense = inside && j0 + TILE <= full;
        for (int r = 0; r < ROWS && !dense; ++r) {
            mask_tile(pw[r], j0, first[r], seen[r], has_mask, mask, mask_row[r], mask_stride.w, has_bias, bias, bias_row[r],
                      bias_stride.w);
        }
        softmax_block(pw, acc, row_max, row_sum);

        // Keys every row sees, before the first hidden one, take the unchecked loop.
        const int kd = dense ? kn : inside ? clamp(full - j0, 0, kn) : 0;
        __global const float* vt = vh + (size_t)j0 * HEAD_DV;
        for (int c0 = 0; c0 < DV_FULL; c0 += DV_STEP) {
            PV_BLOCK(acc, pw, vt, c0, kd, kn)
        }
        for (int c = 0; c < (DV_FULL < HEAD_DV ? kn : 0); ++c) {
            __global const float* vrow = vt + (size_t)c * HEAD_DV;
            for (int r = 0; r < ROWS; ++r) {
                const float w = pw[r][c];
                if (c < kd || w != 0.0f) {
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
            // Vector divisions: one scalar division per column costs as much as a short row's tiles.
            for (int t = 0; t < HEAD_DV / VW; ++t) {
                vstorev(empty ? (floatv)(0.0f) : vloadv(t, acc[r]) / (floatv)(l), t, orow);
            }
            for (int e = HEAD_DV / VW * VW; e < HEAD_DV; ++e) {
                orow[e] = empty ? 0.0f : acc[r][e] / l;
            }
            lse[out_head * nq + i] = empty ? -INFINITY : row_max[r] + log(l);
        }
    }
}
