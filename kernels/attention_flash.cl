// Fused attention shaped for GPUs, FlashAttention-2's schedule on SIMT lanes. A work-group owns TILE_Q query
// rows of one head; their Q stays in local memory for the whole key loop. Work-items form TILE_Q / WPT_Q row
// groups of LANES = TILE_K / WPT_K lanes: a lane holds a WPT_Q x WPT_K block of the key tile's scores and a
// WPT_Q x WPT_V block of the output (WPT_V = ceil(Dv / LANES)), both in registers, so each float read from
// local memory feeds WPT_K (Q) or WPT_Q (K, V) FMAs. The online softmax runs in registers: the lanes of a row
// group agree on each row's max (a butterfly over LANES), keep partial row sums apart until the end, and
// rescale their output only when the max moved. The weights P of a row reach the lanes that need them by
// sub-group shuffles (EXCHANGE 1, NVIDIA) or through local memory (EXCHANGE 0). K and V tiles are staged in
// slices of TILE_D dims and TILE_J keys, each slice fetched into registers while the previous one is being
// computed, in one local buffer (two barriers per slice: the next stash waits for the readers) or in two
// alternating ones (one barrier per slice: the stash two slices on is behind the next slice's barrier).
// Semantics are attention_fused.cl's: masks, causal alignment, key lengths, GQA, fp16 storage, key splits
// writing a normalised partial O and its LSE, NaN-sticky maxima, exactly-0 empty rows. The kernel's steps are
// in attention_flash_stages.cl, the lane shuffles in lane_exchange.cl, both included after the values below.

#ifndef TILE_Q
#define TILE_Q 128 // query rows per work-group, resident in local memory; tune: 32 64 128
#endif
#ifndef TILE_K
#define TILE_K 64 // keys per tile; tune: 32 64 128
#endif
#ifndef WPT_Q
#define WPT_Q 8 // query rows per work-item (score and output tile); tune: 2 4 8
#endif
#ifndef WPT_K
#define WPT_K 4 // keys per work-item in the score tile; LANES = TILE_K / WPT_K share a row; tune: 2 4 8
#endif
#ifndef TILE_D
#define TILE_D 64 // most head dims of a K tile staged at once (HEAD_D is split evenly); tune: 16 32 64 128
#endif
#ifndef TILE_J
#define TILE_J 64 // keys of a V tile staged at once (divides TILE_K, multiple of WPT_K); tune: 8 16 32 64
#endif
#ifndef UNROLL
#define UNROLL 1 // 1: unroll loops over register arrays, which a GPU keeps in registers only then; 0: CPU builds
#endif
#ifndef KV_BUFFERS
#define KV_BUFFERS 1 // local buffers the K and V slices alternate between: 1 or 2 (one barrier less per slice); tune: 1 2
#endif
#ifndef EXCHANGE
#define EXCHANGE 0 // row exchange: 0 local memory, 1 NVIDIA shfl.sync, 2 shuffles emulated in local memory (tests)
#endif

#if TILE_Q < 1 || TILE_K < 1 || WPT_Q < 1 || WPT_K < 1 || TILE_D < 1 || TILE_J < 1
#error "TILE_Q, TILE_K, WPT_Q, WPT_K, TILE_D and TILE_J must be >= 1"
#endif
#if TILE_Q % WPT_Q || TILE_K % WPT_K || TILE_K % TILE_J || TILE_J % WPT_K
#error "TILE_Q must be a multiple of WPT_Q, TILE_K of WPT_K and of TILE_J, TILE_J of WPT_K"
#endif
#if KV_BUFFERS != 1 && KV_BUFFERS != 2
#error "KV_BUFFERS must be 1 or 2"
#endif
#if EXCHANGE < 0 || EXCHANGE > 2
#error "EXCHANGE must be 0, 1 or 2"
#endif

#if UNROLL
#define UNROLLED _Pragma("unroll")
#define UNROLLED_8 _Pragma("unroll 8")
#define ROLLED _Pragma("unroll 1")
#else
#define UNROLLED
#define UNROLLED_8
#define ROLLED
#endif

#define LANES (TILE_K / WPT_K)
#define GROUPS_Q (TILE_Q / WPT_Q)
#define THREADS (LANES * GROUPS_Q)
#if EXCHANGE != 0 && ((LANES & (LANES - 1)) != 0 || LANES > 32)
#error "shuffles need TILE_K / WPT_K lanes, a power of two up to 32"
#endif
// shfl.sync names all 32 lanes of a warp: a partial last warp would wait for lanes that do not exist.
#if EXCHANGE == 1 && THREADS % 32 != 0
#error "EXCHANGE 1 needs whole warps: (TILE_Q / WPT_Q) * (TILE_K / WPT_K) work-items, a multiple of 32"
#endif
#define WPT_V ((HEAD_DV + LANES - 1) / LANES)
#define DV_PAD (LANES * WPT_V)
#define K_SLICES ((HEAD_D + TILE_D - 1) / TILE_D)
#define KD ((HEAD_D + K_SLICES - 1) / K_SLICES)
#define D_PAD (K_SLICES * KD)
#define V_SLICES (TILE_K / TILE_J)
#define KV_FLOATS (TILE_K * KD > TILE_J * DV_PAD ? TILE_K * KD : TILE_J * DV_PAD)
// The buffer of the n-th slice staged, counting on over key tiles.
#define KV_AT(n) (kv + (KV_BUFFERS == 2 ? ((n) & 1) * KV_FLOATS : 0))
#if HEAD_D % 4 == 0 && KD % 4 == 0 && HEAD_DV % 4 == 0 && DV_PAD % 4 == 0
#define VEC 4
#define PRE_T float4
#else
#define VEC 1
#define PRE_T float
#endif
#define K_UNITS (TILE_K * KD / VEC)
#define V_UNITS (TILE_J * DV_PAD / VEC)
#define FETCH ((KV_FLOATS / VEC + THREADS - 1) / THREADS)
#define STAGE static inline __attribute__((always_inline))
#define LOG2E 1.4426950408889634f
#if defined(MASK_OPERAND) || defined(BIAS_OPERAND)
#define OPERANDS 1
#else
#define OPERANDS 0
#endif

#if VEC == 4
#define LOAD_KV_VEC LOAD_KV4
#else
#define LOAD_KV_VEC LOAD_KV
#endif

#include "lane_exchange.cl"
#include "attention_flash_stages.cl"

#if EXCHANGE == 0
#define PS ps
#define RED red
#else
#define PS kv
#define RED kv
#endif
#if EXCHANGE == 2
#define XCH xch
#else
#define XCH kv
#endif

// Grid: (ceil(nq / TILE_Q) * LANES, GROUPS_Q * n, splits) for heads [head0, head0 + n) of the B*Hq = heads;
// o and lse are [splits][heads][nq][..], as for attention_fused.
__kernel __attribute__((reqd_work_group_size(LANES, GROUPS_Q, 1)))
void attention_flash(FUSED_ATTENTION_PARAMS)
{
    __local float qs[D_PAD * TILE_Q] __attribute__((aligned(16)));
    __local float kv[KV_BUFFERS * KV_FLOATS] __attribute__((aligned(16)));
#if EXCHANGE == 0
    __local float ps[TILE_K * TILE_Q] __attribute__((aligned(16)));
    __local float red[TILE_Q * LANES];
#elif EXCHANGE == 2
    __local float xch[THREADS];
#endif
    const int lane = get_local_id(0);
    const int tid = get_local_id(1) * LANES + lane;
    const int row0 = get_local_id(1) * WPT_Q;
    const int r0 = get_group_id(0) * TILE_Q;
    const int bh = head0 + get_group_id(1);
    const int split = get_group_id(2);
    const int b = bh / hq;
    const int h = bh % hq;
    const size_t kv_head = (size_t)b * (hq / group) + h / group;
    __global const KV_TYPE* kh = k + kv_head * nk * HEAD_D;
    __global const KV_TYPE* vh = v + kv_head * nk * HEAD_DV;

    // Keys from `full` on, and before `from`, are hidden from some row of the group; keys from `end` on, and
    // before the first row's first key (a window's left edge moves right with the row), from all of them.
    const int end = VISIBLE_KEYS(min(r0 + TILE_Q, nq) - 1, b, nk);
    const int full = OPERANDS ? 0 : VISIBLE_KEYS(r0, b, nk);
    const int from = FIRST_KEY(min(r0 + TILE_Q, nq) - 1, nk);
    const int k_begin = split * split_keys;
    const int k_end = min(end, k_begin + split_keys);
    const int k_start = k_begin + max(0, FIRST_KEY(r0, nk) - k_begin) / TILE_K * TILE_K;

    float acc[WPT_Q][WPT_V];
    float m[WPT_Q];
    float l[WPT_Q];
    int seen[WPT_Q];
    UNROLLED for (int r = 0; r < WPT_Q; ++r) {
        const int i = r0 + row0 + r;
        seen[r] = i < nq ? min(k_end, VISIBLE_KEYS(i, b, nk)) : 0;
        m[r] = -INFINITY;
        l[r] = 0.0f;
        UNROLLED for (int c = 0; c < WPT_V; ++c) {
            acc[r][c] = 0.0f;
        }
    }
    PRE_T pre[FETCH];
    load_q(qs, q + (size_t)bh * nq * HEAD_D, r0, nq, tid);
    if (k_start < k_end) {
        fetch_k(pre, kh + (size_t)k_start * HEAD_D, 0, k_end - k_start, tid);
    }

    int staged = 0;
    for (int j0 = k_start; j0 < k_end; j0 += TILE_K) {
        const int checked = j0 + TILE_K > full || j0 < from;
        float s[WPT_Q][WPT_K];
        float tile_max[WPT_Q];
        UNROLLED for (int r = 0; r < WPT_Q; ++r) {
            UNROLLED for (int t = 0; t < WPT_K; ++t) {
                s[r][t] = 0.0f;
            }
        }
        for (int slice = 0; slice < K_SLICES; ++slice) {
            __local float* kt = KV_AT(staged++);
            stash_k(kt, pre, tid);
            barrier(CLK_LOCAL_MEM_FENCE);
            if (slice + 1 < K_SLICES) {
                fetch_k(pre, kh + (size_t)j0 * HEAD_D, slice + 1, k_end - j0, tid);
            } else {
                fetch_v(pre, vh + (size_t)j0 * HEAD_DV, 0, k_end - j0, tid);
            }
            qk_slice(s, qs, kt, slice, row0, lane * WPT_K);
            if (slice + 1 == K_SLICES) {
                mask_scores(s, checked, scale, seen, lower ? lower_offset : INT_MIN, r0 + row0,
                            j0 + lane * WPT_K, nq, nk, b, h, mask, mask_stride, bias, bias_stride);
                UNROLLED for (int r = 0; r < WPT_Q; ++r) {
                    tile_max[r] = -INFINITY;
                    UNROLLED for (int t = 0; t < WPT_K; ++t) {
                        tile_max[r] = ROW_MAX(tile_max[r], s[r][t]);
                    }
#if EXCHANGE == 0
                    red[(row0 + r) * LANES + lane] = tile_max[r];
#endif
                }
            }
            if (KV_BUFFERS == 1 || (EXCHANGE == 0 && slice + 1 == K_SLICES)) {
                barrier(CLK_LOCAL_MEM_FENCE); // before the next stash, or the row maxima's exchange
            }
        }
        combine_rows(tile_max, 0, RED, XCH, row0);
        softmax_update(s, acc, m, l, tile_max);
#if EXCHANGE == 0
        UNROLLED for (int t = 0; t < WPT_K; ++t) {
            UNROLLED for (int r = 0; r < WPT_Q; ++r) {
                ps[(lane * WPT_K + t) * TILE_Q + row0 + r] = s[r][t];
            }
        }
#endif
        for (int slice = 0; slice < V_SLICES; ++slice) {
            __local float* vt = KV_AT(staged++);
            stash_v(vt, pre, tid);
            barrier(CLK_LOCAL_MEM_FENCE);
            if (slice + 1 < V_SLICES) {
                fetch_v(pre, vh + (size_t)j0 * HEAD_DV, slice + 1, k_end - j0, tid);
            } else if (j0 + TILE_K < k_end) {
                fetch_k(pre, kh + (size_t)(j0 + TILE_K) * HEAD_D, 0, k_end - j0 - TILE_K, tid);
            }
            pv_slice(acc, s, PS, vt, XCH, slice, row0, lane * WPT_V, checked);
            if (KV_BUFFERS == 1) {
                barrier(CLK_LOCAL_MEM_FENCE);
            }
        }
    }

    // Partial row sums of the lanes combined once, then one division per output.
#if EXCHANGE == 0
    UNROLLED for (int r = 0; r < WPT_Q; ++r) {
        red[(row0 + r) * LANES + lane] = l[r];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
#endif
    combine_rows(l, 1, RED, XCH, row0);
    const size_t out_head = (size_t)split * heads + bh;
    store_out(o + out_head * nq * HEAD_DV, lse + out_head * nq, acc, m, l, r0 + row0, nq, lane);
}
