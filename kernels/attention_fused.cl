// Fused attention (FlashAttention-2's algorithm): a work-group owns TILE_Q query rows of one head and streams
// K/V tiles through local memory, keeping each row's running max and sum (online softmax) and its output in
// registers; it divides once at the end and writes O and the row's log-sum-exp. No Nq x Nk buffer exists.
// Key tiles that causality or the key length hide from every row of the group are never loaded.
// With several key splits (decode shapes), split z covers keys [z * split_keys, (z + 1) * split_keys) and
// writes a normalised partial output and its LSE; attention_merge.cl combines them.
// HEAD_D and HEAD_DV are the problem's head dimensions (shape, not tunables): the host builds one program each.

#ifndef TILE_Q
#define TILE_Q 32 // query rows per work-group; tune: 8 16 32 64
#endif
#ifndef TILE_K
#define TILE_K 32 // keys per step; tune: 16 32 64
#endif
#ifndef TILE_D
#define TILE_D 16 // head-dim slice of Q and K staged in local memory per step; tune: 8 16 32
#endif
#ifndef TILE_J
#define TILE_J 16 // keys of V staged in local memory per step; tune: 8 16 32
#endif
#ifndef WPT_Q
#define WPT_Q 4 // query rows per work-item; tune: 1 2 4 8
#endif
#ifndef THREADS_X
#define THREADS_X 8 // work-items across keys (scores) and across Dv (output); tune: 4 8 16 32
#endif

#if TILE_Q < 1 || TILE_K < 1 || TILE_D < 1 || TILE_J < 1 || WPT_Q < 1 || THREADS_X < 1
#error "TILE_Q, TILE_K, TILE_D, TILE_J, WPT_Q and THREADS_X must be >= 1"
#endif
#if TILE_Q % WPT_Q != 0
#error "TILE_Q must be a multiple of WPT_Q"
#endif
#if TILE_K % THREADS_X != 0
#error "TILE_K must be a multiple of THREADS_X"
#endif
#if TILE_K % TILE_J != 0
#error "TILE_K must be a multiple of TILE_J"
#endif

#define THREADS_Y (TILE_Q / WPT_Q)
#define THREADS (THREADS_X * THREADS_Y)
#define WPT_K (TILE_K / THREADS_X)
#define WPT_V ((HEAD_DV + THREADS_X - 1) / THREADS_X)

// Grid: (ceil(nq / TILE_Q) * THREADS_X, THREADS_Y * n, splits) for heads [head0, head0 + n) of the B*Hq = heads;
// the host launches in parts of n heads where a device limits the groups per dimension. o and lse are
// [splits][heads][nq][..].
__kernel __attribute__((reqd_work_group_size(THREADS_X, THREADS_Y, 1)))
void attention_fused(FUSED_ATTENTION_PARAMS)
{
    __local float qs[TILE_D][TILE_Q];
    __local float ks[TILE_D][TILE_K];
    __local float ps[TILE_Q][TILE_K + 1];
    __local float vs[TILE_J][HEAD_DV];
    __local float row_max[TILE_Q];
    __local float row_sum[TILE_Q];
    __local float row_scale[TILE_Q];

    const int tx = get_local_id(0);
    const int ty = get_local_id(1);
    const int tid = ty * THREADS_X + tx;
    const int r0 = get_group_id(0) * TILE_Q;
    const int bh = head0 + get_group_id(1);
    const int split = get_group_id(2);
    const int b = bh / hq;
    const int h = bh % hq;
    const size_t kv_head = (size_t)b * (hq / group) + h / group;
    __global const Q_TYPE* qh = q + (size_t)bh * nq * HEAD_D;
    __global const KV_TYPE* kh = k + kv_head * nk * HEAD_D;
    __global const KV_TYPE* vh = v + kv_head * nk * HEAD_DV;

    // Keys from `full` on, and before `from`, are hidden from some row of the group; keys from `end` on, and
    // before the first row's first key (a window's left edge moves right with the row), from all of them.
    const int end = VISIBLE_KEYS(min(r0 + TILE_Q, nq) - 1, b, nk);
    const int full = (has_mask || has_bias) ? 0 : VISIBLE_KEYS(r0, b, nk);
    const int from = FIRST_KEY(min(r0 + TILE_Q, nq) - 1, nk);
    const int k_begin = split * split_keys;
    const int k_end = min(end, k_begin + split_keys);
    const int k_start = k_begin + max(0, FIRST_KEY(r0, nk) - k_begin) / TILE_K * TILE_K;

    int seen[WPT_Q];
    int first[WPT_Q];
    long mask_row[WPT_Q];
    long bias_row[WPT_Q];
    float acc[WPT_Q][WPT_V];
    for (int wq = 0; wq < WPT_Q; ++wq) {
        const int i = min(r0 + ty + wq * THREADS_Y, nq - 1);
        seen[wq] = r0 + ty + wq * THREADS_Y < nq ? VISIBLE_KEYS(i, b, nk) : 0;
        first[wq] = FIRST_KEY(i, nk);
        mask_row[wq] = b * mask_stride.x + h * mask_stride.y + i * mask_stride.z;
        bias_row[wq] = b * bias_stride.x + h * bias_stride.y + i * bias_stride.z;
        for (int wv = 0; wv < WPT_V; ++wv) {
            acc[wq][wv] = 0.0f;
        }
    }
    for (int r = tid; r < TILE_Q; r += THREADS) {
        row_max[r] = -INFINITY;
        row_sum[r] = 0.0f;
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    for (int j0 = k_start; j0 < k_end; j0 += TILE_K) {
        float s[WPT_Q][WPT_K];
        for (int wq = 0; wq < WPT_Q; ++wq) {
            for (int wk = 0; wk < WPT_K; ++wk) {
                s[wq][wk] = 0.0f;
            }
        }
        for (int d0 = 0; d0 < HEAD_D; d0 += TILE_D) {
            for (int x = tid; x < TILE_Q * TILE_D; x += THREADS) {
                const int r = x / TILE_D;
                const int e = x % TILE_D;
                qs[e][r] = (r0 + r < nq && d0 + e < HEAD_D) ? LOAD_Q(qh, (size_t)(r0 + r) * HEAD_D + d0 + e) : 0.0f;
            }
            for (int x = tid; x < TILE_K * TILE_D; x += THREADS) {
                const int r = x / TILE_D;
                const int e = x % TILE_D;
                ks[e][r] = (j0 + r < k_end && d0 + e < HEAD_D) ? LOAD_KV(kh, (size_t)(j0 + r) * HEAD_D + d0 + e) : 0.0f;
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            for (int e = 0; e < TILE_D; ++e) {
                float a[WPT_Q];
                float kb[WPT_K];
                for (int wq = 0; wq < WPT_Q; ++wq) {
                    a[wq] = qs[e][ty + wq * THREADS_Y];
                }
                for (int wk = 0; wk < WPT_K; ++wk) {
                    kb[wk] = ks[e][tx + wk * THREADS_X];
                }
                for (int wq = 0; wq < WPT_Q; ++wq) {
                    for (int wk = 0; wk < WPT_K; ++wk) {
                        s[wq][wk] = SCORE_STEP(a[wq], kb[wk], s[wq][wk]);
                    }
                }
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }

        // Scaled, masked, biased scores of the tile; a hidden key is -INFINITY whatever K held.
        for (int wq = 0; wq < WPT_Q; ++wq) {
            for (int wk = 0; wk < WPT_K; ++wk) {
                const int j = j0 + tx + wk * THREADS_X;
                float x = -INFINITY;
                if (j < k_end && j < seen[wq] && j >= first[wq]
                        && !(has_mask && !mask[mask_row[wq] + j * mask_stride.w])) {
                    x = SCORE_OF(s[wq][wk], scale) + (has_bias ? bias[bias_row[wq] + j * bias_stride.w] : 0.0f);
                }
                ps[ty + wq * THREADS_Y][tx + wk * THREADS_X] = x;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);

        // Online softmax (or mean, common.cl): new row max, rescale factor for what was accumulated, weights of this tile.
        for (int r = tid; r < TILE_Q; r += THREADS) {
            const float old_max = row_max[r];
            float m = old_max;
            for (int jj = 0; jj < TILE_K; ++jj) {
                m = ROW_MAX(m, ps[r][jj]);
            }
            float factor = 1.0f;
            if (m == -INFINITY) {
                for (int jj = 0; jj < TILE_K; ++jj) {
                    ps[r][jj] = 0.0f;
                }
            } else {
                factor = exp(old_max - m);
                float sum = 0.0f;
                for (int jj = 0; jj < TILE_K; ++jj) {
                    const float x = ps[r][jj];
                    const float p = ROW_WEIGHT(x, m, exp);
                    ps[r][jj] = p;
                    sum += ROW_MASS(x, p);
                }
                row_sum[r] = row_sum[r] * factor + sum;
            }
            row_max[r] = m;
            row_scale[r] = factor;
        }
        barrier(CLK_LOCAL_MEM_FENCE);

        for (int wq = 0; wq < WPT_Q; ++wq) {
            const float f = row_scale[ty + wq * THREADS_Y];
            for (int wv = 0; wv < WPT_V; ++wv) {
                acc[wq][wv] *= f;
            }
        }
        // On a tile that some row cannot wholly see, a zero weight skips its V row (0 * NaN would leak).
        const int dense = j0 >= from && j0 + TILE_K <= full;
        for (int jj0 = 0; jj0 < TILE_K; jj0 += TILE_J) {
            for (int x = tid; x < TILE_J * HEAD_DV; x += THREADS) {
                const int e = x / HEAD_DV;
                const int c = x % HEAD_DV;
                const int j = j0 + jj0 + e;
                vs[e][c] = j < k_end ? LOAD_KV(vh, (size_t)j * HEAD_DV + c) : 0.0f;
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            for (int e = 0; e < TILE_J; ++e) {
                for (int wq = 0; wq < WPT_Q; ++wq) {
                    const float p = ps[ty + wq * THREADS_Y][jj0 + e];
                    const int use = dense || p != 0.0f;
                    for (int wv = 0; wv < WPT_V; ++wv) {
                        const int c = tx + wv * THREADS_X;
                        if (c < HEAD_DV) {
                            acc[wq][wv] = use ? fma(p, vs[e][c], acc[wq][wv]) : acc[wq][wv];
                        }
                    }
                }
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }
    }

    const size_t out_head = (size_t)split * heads + bh;
    for (int wq = 0; wq < WPT_Q; ++wq) {
        const int r = ty + wq * THREADS_Y;
        const int i = r0 + r;
        if (i < nq) {
            const float m = row_max[r];
            const float l = row_sum[r];
            const int empty = m == -INFINITY;
            __global float* orow = o + (out_head * nq + i) * HEAD_DV;
            for (int wv = 0; wv < WPT_V; ++wv) {
                const int c = tx + wv * THREADS_X;
                if (c < HEAD_DV) {
                    orow[c] = empty ? 0.0f : acc[wq][wv] / l;
                }
            }
            if (tx == 0) {
                lse[out_head * nq + i] = empty ? -INFINITY : m + log(l);
            }
        }
    }
}
