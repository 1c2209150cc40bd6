// S = scale * Q·Kᵀ (or the score function common.cl defines) for a chunk of heads and query rows, tiled in
// local memory with register blocking.
// Work-group: THREADS_K x THREADS_Q work-items own a TILE_Q x TILE_K block of S; each work-item keeps a
// WPT_Q x WPT_K block in registers, strided by the thread count so that neighbouring work-items touch
// neighbouring addresses. Keys hidden by causality or key length get -INFINITY and are never read.

#ifndef TILE_Q
#define TILE_Q 32 // query rows per work-group; tune: 8 16 32 64
#endif
#ifndef TILE_K
#define TILE_K 32 // keys per work-group; tune: 16 32 64
#endif
#ifndef TILE_D
#define TILE_D 16 // head-dim slice staged in local memory per step; tune: 8 16 32
#endif
#ifndef WPT_Q
#define WPT_Q 4 // query rows per work-item; tune: 1 2 4 8
#endif
#ifndef WPT_K
#define WPT_K 4 // keys per work-item; tune: 1 2 4 8 16
#endif

#if TILE_Q < 1 || TILE_K < 1 || TILE_D < 1 || WPT_Q < 1 || WPT_K < 1
#error "TILE_Q, TILE_K, TILE_D, WPT_Q and WPT_K must be >= 1"
#endif
#if TILE_Q % WPT_Q != 0
#error "TILE_Q must be a multiple of WPT_Q"
#endif
#if TILE_K % WPT_K != 0
#error "TILE_K must be a multiple of WPT_K"
#endif

#define THREADS_Q (TILE_Q / WPT_Q)
#define THREADS_K (TILE_K / WPT_K)
#define THREADS (THREADS_Q * THREADS_K)

// Grid: (ceil(nk / TILE_K) * THREADS_K, ceil(rows / TILE_Q) * THREADS_Q, heads in the chunk).
// s holds [heads in chunk][rows][nk]; chunk head c is global head bh0 + c, chunk row r is query row i0 + r.
__kernel __attribute__((reqd_work_group_size(THREADS_K, THREADS_Q, 1)))
void qkt(__global const float* restrict q, __global const float* restrict k, __global float* restrict s,
         const int hq, const int group, const int nq, const int nk, const int d, const float scale,
         const int bh0, const int i0, const int rows, STRUCT_MASK_PARAMS)
{
    const int tk = get_local_id(0);
    const int tq = get_local_id(1);
    const int tid = tq * THREADS_K + tk;
    const int j0 = get_group_id(0) * TILE_K;
    const int r0 = get_group_id(1) * TILE_Q;
    const int c = get_group_id(2);
    const int bh = bh0 + c;
    const int b = bh / hq;
    const int h = bh % hq;
    __global const float* qh = q + ((size_t)bh * nq + i0) * d;
    __global const float* kh = k + ((size_t)b * (hq / group) + h / group) * nk * d;
    __global float* sh = s + (size_t)c * rows * nk;

    // The tile's last row sees the most keys and its first row the earliest (a window's left edge): a tile
    // wholly outside those is -INFINITY and needs no arithmetic.
    const int limit = VISIBLE_KEYS(i0 + min(r0 + TILE_Q, rows) - 1, b, nk);
    const int start = FIRST_KEY(i0 + r0, nk);

    float acc[WPT_Q][WPT_K];
    for (int wq = 0; wq < WPT_Q; ++wq) {
        for (int wk = 0; wk < WPT_K; ++wk) {
            acc[wq][wk] = 0.0f;
        }
    }

    __local float qs[TILE_D][TILE_Q];
    __local float ks[TILE_D][TILE_K];
    if (j0 < limit && j0 + TILE_K > start) {
        for (int d0 = 0; d0 < d; d0 += TILE_D) {
            for (int x = tid; x < TILE_Q * TILE_D; x += THREADS) {
                const int r = x / TILE_D;
                const int e = x % TILE_D;
                qs[e][r] = (r0 + r < rows && d0 + e < d) ? qh[(size_t)(r0 + r) * d + d0 + e] : 0.0f;
            }
            for (int x = tid; x < TILE_K * TILE_D; x += THREADS) {
                const int r = x / TILE_D;
                const int e = x % TILE_D;
                ks[e][r] = (j0 + r < limit && d0 + e < d) ? kh[(size_t)(j0 + r) * d + d0 + e] : 0.0f;
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            for (int e = 0; e < TILE_D; ++e) {
                float a[WPT_Q];
                float bk[WPT_K];
                for (int wq = 0; wq < WPT_Q; ++wq) {
                    a[wq] = qs[e][tq + wq * THREADS_Q];
                }
                for (int wk = 0; wk < WPT_K; ++wk) {
                    bk[wk] = ks[e][tk + wk * THREADS_K];
                }
                for (int wq = 0; wq < WPT_Q; ++wq) {
                    for (int wk = 0; wk < WPT_K; ++wk) {
                        acc[wq][wk] = SCORE_STEP(a[wq], bk[wk], acc[wq][wk]);
                    }
                }
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }
    }

    for (int wq = 0; wq < WPT_Q; ++wq) {
        const int r = r0 + tq + wq * THREADS_Q;
        if (r < rows) {
            const int n = VISIBLE_KEYS(i0 + r, b, nk);
            const int first = FIRST_KEY(i0 + r, nk);
            for (int wk = 0; wk < WPT_K; ++wk) {
                const int j = j0 + tk + wk * THREADS_K;
                if (j < nk) {
                    sh[(size_t)r * nk + j] = j < n && j >= first ? SCORE_OF(acc[wq][wk], scale) : -INFINITY;
                }
            }
        }
    }
}
