// Attention of new queries over a paged KV cache, flash-decoding style: a work-group owns one (key split,
// sequence and KV head, block of ROWS query rows), where the rows are the (Hq / Hk) query heads sharing the KV
// head times the Nq new queries, so that each cached key and value row is read once for all of them. Keys are
// found through the sequence's block table. A pool block holds, per head, its BLOCK keys transposed,
// [head][d][slot], so that the work-items scoring consecutive keys read consecutive floats (a vector load on a
// CPU, a coalesced one on a GPU), and its values as rows, [head][slot][dv]. Per tile of WG_SIZE keys: each
// work-item scores one key against every row while the group stages the tile's V rows; one work-item per row
// updates that row's max and sum; then every work-item accumulates its share of the ROWS x Dv outputs.
// Query i of a sequence of length L sees keys j <= L - Nq + i. A split writes its normalised partial O and its
// LSE ([split][B * Hq * Nq]...), which attention_merge combines; a split past a sequence's end writes O = 0
// and LSE = -INFINITY. NaN-sticky maxima; a weight of 0 never multiplies a V row (0 * Inf would be NaN).

#ifndef WG_SIZE
#define WG_SIZE 64 // work-items per group, one key of a tile each; tune: 16 32 64 128
#endif

// Set by the host per program: HEAD_D, HEAD_DV, BLOCK (tokens per cache block), ROWS (query rows per group).
#if WG_SIZE < 1
#error "WG_SIZE must be >= 1"
#endif
#if ROWS < 1 || BLOCK < 1
#error "ROWS and BLOCK must be >= 1"
#endif
#if ROWS > WG_SIZE
#error "ROWS must be at most WG_SIZE: one work-item updates each row"
#endif

#define OUT_PER ((ROWS * HEAD_DV + WG_SIZE - 1) / WG_SIZE)

#include "attention_paged_group.cl"

// Grid: (splits * WG_SIZE, B * Hk, row blocks). q [B][Hq][Nq][D]; o and lse [splits][B * Hq * Nq][..].
__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1)))
void attention_paged(PAGED_ATTENTION_PARAMS)
{
    __local float qs[ROWS][HEAD_D];
    __local float ss[ROWS][WG_SIZE];
    __local float vs[WG_SIZE][HEAD_DV];
    __local float fac[ROWS];
    __local float row_max[ROWS];
    __local float row_sum[ROWS];
    const int t = get_local_id(0);
    PAGED_GROUP_PLACE;

    for (int x = t; x < ROWS * HEAD_D; x += WG_SIZE) {
        const int r = x / HEAD_D;
        qs[r][x % HEAD_D] = r < rows ? q[GLOBAL_ROW(r) * HEAD_D + x % HEAD_D] : 0.0f;
    }
    if (t < ROWS) {
        row_max[t] = -INFINITY;
        row_sum[t] = 0.0f;
    }
    float acc[OUT_PER];
    for (int n = 0; n < OUT_PER; ++n) {
        acc[n] = 0.0f;
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    for (int j0 = k_begin; j0 < k_end; j0 += WG_SIZE) {
        const int j = j0 + t;
        if (j < k_end) {
            __global const float* kc = kpool + ((size_t)tables[b * max_blocks + j / BLOCK] * hk + g) * HEAD_D * BLOCK
                + j % BLOCK;
            float s[ROWS];
            for (int r = 0; r < ROWS; ++r) {
                s[r] = 0.0f;
            }
            for (int e = 0; e < HEAD_D; ++e) {
                const float kd = kc[e * BLOCK];
                for (int r = 0; r < ROWS; ++r) {
                    s[r] = fma(qs[r][e], kd, s[r]);
                }
            }
            for (int r = 0; r < ROWS; ++r) {
                const int visible = r < rows && j <= len - nq + (r_all0 + r) % nq;
                ss[r][t] = visible ? s[r] * scale : -INFINITY;
            }
        } else {
            for (int r = 0; r < ROWS; ++r) {
                ss[r][t] = -INFINITY;
            }
        }
        for (int x = t; x < WG_SIZE * HEAD_DV; x += WG_SIZE) {
            const int jv = j0 + x / HEAD_DV;
            vs[x / HEAD_DV][x % HEAD_DV] = jv < k_end ? vpool[(((size_t)tables[b * max_blocks + jv / BLOCK] * hk + g)
                * BLOCK + jv % BLOCK) * HEAD_DV + x % HEAD_DV] : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        if (t < ROWS) {
            float tile_max = -INFINITY;
            for (int x = 0; x < WG_SIZE; ++x) {
                tile_max = max_nan(tile_max, ss[t][x]);
            }
            const float mn = max_nan(row_max[t], tile_max);
            float sum = 0.0f;
            for (int x = 0; x < WG_SIZE; ++x) {
                const float p = mn == -INFINITY ? 0.0f : exp(ss[t][x] - mn);
                ss[t][x] = p;
                sum += p;
            }
            fac[t] = mn == -INFINITY ? 1.0f : exp(row_max[t] - mn);
            row_sum[t] = row_sum[t] * fac[t] + sum;
            row_max[t] = mn;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int n = 0; n < OUT_PER; ++n) {
            const int x = t + n * WG_SIZE;
            if (x < ROWS * HEAD_DV) {
                const int r = x / HEAD_DV;
                const int c = x % HEAD_DV;
                float a = acc[n] * fac[r];
                for (int y = 0; y < WG_SIZE; ++y) {
                    const float p = ss[r][y];
                    a = p != 0.0f ? fma(p, vs[y][c], a) : a;
                }
                acc[n] = a;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    __global float* part = o + (size_t)split * total_rows * HEAD_DV;
    for (int n = 0; n < OUT_PER; ++n) {
        const int x = t + n * WG_SIZE;
        const int r = x / HEAD_DV;
        if (x < ROWS * HEAD_DV && r < rows) {
            const float l = row_sum[r];
            part[GLOBAL_ROW(r) * HEAD_DV + x % HEAD_DV] = row_max[r] == -INFINITY ? 0.0f : acc[n] / l;
        }
    }
    if (t < rows) {
        lse[(size_t)split * total_rows + GLOBAL_ROW(t)] = row_max[t] == -INFINITY ? -INFINITY
            : row_max[t] + log(row_sum[t]);
    }
}
