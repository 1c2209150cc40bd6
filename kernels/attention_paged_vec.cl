// attention_paged.cl for CPU devices: the same work (one (key split, sequence and KV head, block of ROWS query
// rows) per group) done by one work-item in explicit vectors of VW keys, the way attention_fused_vec.cl is
// written for PoCL. A block's keys are stored transposed, [head][d][slot], so VW consecutive slots of one
// dimension are one vector load, and the scores of VW keys build up by broadcast FMAs with no horizontal sum.
// Per chunk of VW keys each row's max and sum move once (one vector exp2); only the V rows of keys a row sees
// are read for it. Semantics, grid and outputs are attention_paged.cl's; the host chooses this kernel on CPU
// devices for block sizes that are a multiple of 4.

// Set by the host per program: HEAD_D, HEAD_DV, BLOCK, ROWS, and VW (4, 8 or 16, dividing BLOCK: the
// device's vector width where the block size allows; other block sizes take attention_paged.cl).
#if VW != 4 && VW != 8 && VW != 16
#error "VW must be 4, 8 or 16"
#endif
#if ROWS < 1 || BLOCK < 1 || BLOCK % VW != 0
#error "ROWS and BLOCK must be >= 1, BLOCK a multiple of VW"
#endif

#include "vec_math.cl"

#define CHAINS (ROWS >= 4 ? 1 : 4 / ROWS)
#define DV_VEC (HEAD_DV / VW * VW)

#include "attention_paged_group.cl"

// Grid: (splits, B * Hk, row blocks), one work-item per group. q [B][Hq][Nq][D]; o and lse [splits][B*Hq*Nq][..].
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void attention_paged_vec(PAGED_ATTENTION_PARAMS)
{
    PAGED_GROUP_PLACE;

    float qs[ROWS][HEAD_D];
    float acc[ROWS][HEAD_DV];
    float row_max[ROWS];
    float row_sum[ROWS];
    int seen[ROWS];
    for (int r = 0; r < ROWS; ++r) {
        for (int e = 0; e < HEAD_D; ++e) {
            qs[r][e] = r < rows ? scale * q[GLOBAL_ROW(r) * HEAD_D + e] : 0.0f;
        }
        for (int c = 0; c < HEAD_DV; ++c) {
            acc[r][c] = 0.0f;
        }
        row_max[r] = -INFINITY;
        row_sum[r] = 0.0f;
        seen[r] = r < rows ? min(k_end, len - nq + (r_all0 + r) % nq + 1) : 0;
    }

    for (int j0 = k_begin; j0 < k_end; j0 += VW) {
        const int block = tables[b * max_blocks + j0 / BLOCK];
        __global const float* kc = kpool + ((size_t)block * hk + g) * HEAD_D * BLOCK + j0 % BLOCK;
        __global const float* vr = vpool + (((size_t)block * hk + g) * BLOCK + j0 % BLOCK) * HEAD_DV;
        // CHAINS partial sums per row over alternate dimensions, so that one row's FMAs do not wait on each other.
        floatv s[ROWS][CHAINS];
        _Pragma("unroll") for (int r = 0; r < ROWS; ++r) {
            _Pragma("unroll") for (int z = 0; z < CHAINS; ++z) {
                s[r][z] = (floatv)(0.0f);
            }
        }
        for (int e = 0; e < HEAD_D - CHAINS + 1; e += CHAINS) {
            _Pragma("unroll") for (int z = 0; z < CHAINS; ++z) {
                const floatv kv = vloadv(0, kc + (e + z) * BLOCK);
                _Pragma("unroll") for (int r = 0; r < ROWS; ++r) {
                    s[r][z] = fma((floatv)(qs[r][e + z]), kv, s[r][z]);
                }
            }
        }
        for (int e = HEAD_D / CHAINS * CHAINS; e < HEAD_D; ++e) {
            const floatv kv = vloadv(0, kc + e * BLOCK);
            _Pragma("unroll") for (int r = 0; r < ROWS; ++r) {
                s[r][0] = fma((floatv)(qs[r][e]), kv, s[r][0]);
            }
        }
        for (int r = 0; r < ROWS; ++r) {
            if (j0 >= seen[r]) {
                continue;
            }
            floatv sr = s[r][0];
            _Pragma("unroll") for (int z = 1; z < CHAINS; ++z) {
                sr += s[r][z];
            }
            const floatv sv = select((floatv)(-INFINITY), sr, (intv)(j0) + IOTA < (intv)(seen[r]));
            // hmax skips NaN, which reaches the output through its weight exp2(NaN) = NaN: a chunk of NaN scores
            // is never skipped as if it held nothing.
            const float mn = fmax(row_max[r], hmax(sv));
            if (mn == -INFINITY && !any(isnan(sv))) {
                continue;
            }
            float w[VW];
            vstorev(exp2_neg((sv - (floatv)(mn)) * LOG2E), 0, w);
            const float f = row_max[r] == mn ? 1.0f : exp2_neg((floatv)((row_max[r] - mn) * LOG2E)).s0;
            row_sum[r] = row_sum[r] * f + hsum(vloadv(0, w));
            row_max[r] = any(isnan(sv)) ? NAN : mn; // NaN-sticky: the row is no longer "saw nothing"
            // The keys this row sees, each V row read once per VW output columns held in a register.
            const int kn = min(VW, seen[r] - j0);
            for (int c0 = 0; c0 < DV_VEC; c0 += VW) {
                floatv a = vloadv(0, acc[r] + c0) * (floatv)(f);
                for (int x = 0; x < kn; ++x) {
                    a = fma((floatv)(w[x]), vloadv(0, vr + x * HEAD_DV + c0), a);
                }
                vstorev(a, 0, acc[r] + c0);
            }
            for (int c = DV_VEC; c < HEAD_DV; ++c) {
                float a = acc[r][c] * f;
                for (int x = 0; x < kn; ++x) {
                    a = fma(w[x], vr[x * HEAD_DV + c], a);
                }
                acc[r][c] = a;
            }
        }
    }

    __global float* part = o + (size_t)split * total_rows * HEAD_DV;
    for (int r = 0; r < rows; ++r) {
        const int empty = row_max[r] == -INFINITY;
        for (int c = 0; c < HEAD_DV; ++c) {
            part[GLOBAL_ROW(r) * HEAD_DV + c] = empty ? 0.0f : acc[r][c] / row_sum[r];
        }
        lse[(size_t)split * total_rows + GLOBAL_ROW(r)] = empty ? -INFINITY : row_max[r] + log(row_sum[r]);
    }
}
