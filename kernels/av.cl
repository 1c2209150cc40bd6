// O = P·V for a chunk of heads and query rows, tiled in local memory with register blocking (same scheme
// as qkt.cl). Keys no row of the tile can see are never loaded, so masked or padded V rows holding NaN or
// Inf cannot reach the output. Where some rows of a tile see a key and others do not (causal diagonal,
// boolean mask, -INFINITY bias), each row skips the keys it cannot see and the keys of zero weight instead
// of computing 0 * V.

#ifndef TILE_Q
#define TILE_Q 32 // query rows per work-group; tune: 8 16 32 64
#endif
#ifndef TILE_V
#define TILE_V 32 // output columns (of Dv) per work-group; tune: 16 32 64
#endif
#ifndef TILE_J
#define TILE_J 16 // keys staged in local memory per step; tune: 8 16 32
#endif
#ifndef WPT_Q
#define WPT_Q 4 // query rows per work-item; tune: 1 2 4 8
#endif
#ifndef WPT_V
#define WPT_V 4 // output columns per work-item; tune: 1 2 4 8 16
#endif

#if TILE_Q < 1 || TILE_V < 1 || TILE_J < 1 || WPT_Q < 1 || WPT_V < 1
#error "TILE_Q, TILE_V, TILE_J, WPT_Q and WPT_V must be >= 1"
#endif
#if TILE_Q % WPT_Q != 0
#error "TILE_Q must be a multiple of WPT_Q"
#endif
#if TILE_V % WPT_V != 0
#error "TILE_V must be a multiple of WPT_V"
#endif

#define THREADS_Q (TILE_Q / WPT_Q)
#define THREADS_V (TILE_V / WPT_V)
#define THREADS (THREADS_Q * THREADS_V)

// Grid: (ceil(dv / TILE_V) * THREADS_V, ceil(rows / TILE_Q) * THREADS_Q, heads in the chunk).
// p holds [heads in chunk][rows][nk]; o is the whole output [B,Hq,Nq,Dv].
// any_mask: a boolean mask or a bias is present, so a zero weight may sit anywhere.
__kernel __attribute__((reqd_work_group_size(THREADS_V, THREADS_Q, 1)))
void av(__global const float* restrict p, __global const float* restrict v, __global float* restrict o,
        const int hq, const int group, const int nq, const int nk, const int dv,
        const int bh0, const int i0, const int rows, STRUCT_MASK_PARAMS, const int any_mask)
{
    const int tv = get_local_id(0);
    const int tq = get_local_id(1);
    const int tid = tq * THREADS_V + tv;
    const int c0 = get_group_id(0) * TILE_V;
    const int r0 = get_group_id(1) * TILE_Q;
    const int c = get_group_id(2);
    const int bh = bh0 + c;
    const int b = bh / hq;
    const int h = bh % hq;
    __global const float* ph = p + (size_t)c * rows * nk;
    __global const float* vh = v + ((size_t)b * (hq / group) + h / group) * nk * dv;

    // Keys from `full` on, and before `from`, are hidden from some row of the tile; keys from `end` on, and
    // before the first row's first key (a window's left edge), from all of them.
    const int end = VISIBLE_KEYS(i0 + min(r0 + TILE_Q, rows) - 1, b, nk);
    const int full = any_mask ? 0 : VISIBLE_KEYS(i0 + r0, b, nk);
    const int from = FIRST_KEY(i0 + min(r0 + TILE_Q, rows) - 1, nk);
    const int start = FIRST_KEY(i0 + r0, nk);

    int seen[WPT_Q];
    for (int wq = 0; wq < WPT_Q; ++wq) {
        seen[wq] = VISIBLE_KEYS(i0 + min(r0 + tq + wq * THREADS_Q, rows - 1), b, nk);
    }

    float acc[WPT_Q][WPT_V];
    for (int wq = 0; wq < WPT_Q; ++wq) {
        for (int wv = 0; wv < WPT_V; ++wv) {
            acc[wq][wv] = 0.0f;
        }
    }

    __local float ps[TILE_J][TILE_Q];
    __local float vs[TILE_J][TILE_V];
    for (int j0 = start; j0 < end; j0 += TILE_J) {
        for (int x = tid; x < TILE_Q * TILE_J; x += THREADS) {
            const int r = x / TILE_J;
            const int e = x % TILE_J;
            ps[e][r] = (r0 + r < rows && j0 + e < end) ? ph[(size_t)(r0 + r) * nk + j0 + e] : 0.0f;
        }
        for (int x = tid; x < TILE_J * TILE_V; x += THREADS) {
            const int e = x / TILE_V;
            const int col = x % TILE_V;
            vs[e][col] = (j0 + e < end && c0 + col < dv) ? vh[(size_t)(j0 + e) * dv + c0 + col] : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        const int dense = j0 >= from && j0 + TILE_J <= full;
        for (int e = 0; e < TILE_J; ++e) {
            float a[WPT_Q];
            float bv[WPT_V];
            for (int wq = 0; wq < WPT_Q; ++wq) {
                a[wq] = ps[e][tq + wq * THREADS_Q];
            }
            for (int wv = 0; wv < WPT_V; ++wv) {
                bv[wv] = vs[e][tv + wv * THREADS_V];
            }
            for (int wq = 0; wq < WPT_Q; ++wq) {
                const int use = dense || (j0 + e < seen[wq] && a[wq] != 0.0f);
                for (int wv = 0; wv < WPT_V; ++wv) {
                    acc[wq][wv] = use ? fma(a[wq], bv[wv], acc[wq][wv]) : acc[wq][wv];
                }
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    for (int wq = 0; wq < WPT_Q; ++wq) {
        const int r = r0 + tq + wq * THREADS_Q;
        if (r < rows) {
            __global float* orow = o + ((size_t)bh * nq + i0 + r) * dv;
            for (int wv = 0; wv < WPT_V; ++wv) {
                const int col = c0 + tv + wv * THREADS_V;
                if (col < dv) {
                    orow[col] = acc[wq][wv];
                }
            }
        }
    }
}
