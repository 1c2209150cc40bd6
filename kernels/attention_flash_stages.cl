// The stages of attention_flash.cl, in the order the key loop runs them; included by it after its tunables
// and derived values, so that the kernel file reads as the algorithm and these as its steps.

// Q rows [r0, r0 + TILE_Q) into qs[d][row], zeros past nq and past HEAD_D: the A operand of every key tile.
STAGE void load_q(__local float* qs, __global const Q_TYPE* qh, const int r0, const int nq, const int tid)
{
    for (int x = tid; x < TILE_Q * D_PAD; x += THREADS) {
        const int r = x % TILE_Q;
        const int d = x / TILE_Q;
        qs[x] = (r0 + r < nq && d < HEAD_D) ? LOAD_Q(qh, (size_t)(r0 + r) * HEAD_D + d) : 0.0f;
    }
}

// One slice of the tile at j0 into registers, VEC floats per load: K dims [slice * KD, +KD) of TILE_K keys
// (key fastest, so that the transposing store into kv[d][key] is free of bank conflicts), or V keys
// [j0 + slice * TILE_J, +TILE_J) into kv[key][col]. Keys past k_end and columns past the head are zeros.
STAGE void fetch_k(PRE_T* pre, __global const KV_TYPE* kt, const uint slice, const uint keys, const uint tid)
{
    UNROLLED for (uint n = 0; n < FETCH; ++n) {
        const uint x = tid + n * THREADS;
        const uint key = x % TILE_K;
        const uint d = slice * KD + x / TILE_K * VEC;
        pre[n] = ((n + 1) * THREADS <= K_UNITS || x < K_UNITS) && key < keys && (D_PAD == HEAD_D || d < HEAD_D)
            ? LOAD_KV_VEC(kt, key * HEAD_D + d) : (PRE_T)0.0f;
    }
}

STAGE void fetch_v(PRE_T* pre, __global const KV_TYPE* vt, const uint slice, const uint keys, const uint tid)
{
    UNROLLED for (uint n = 0; n < FETCH; ++n) {
        const uint x = tid + n * THREADS;
        const uint c = x % (DV_PAD / VEC) * VEC;
        const uint j = slice * TILE_J + x / (DV_PAD / VEC);
        pre[n] = ((n + 1) * THREADS <= V_UNITS || x < V_UNITS) && j < keys && (DV_PAD == HEAD_DV || c < HEAD_DV)
            ? LOAD_KV_VEC(vt, j * HEAD_DV + c) : (PRE_T)0.0f;
    }
}

STAGE void stash_k(__local float* kv, const PRE_T* pre, const uint tid)
{
    UNROLLED for (uint n = 0; n < FETCH; ++n) {
        const uint x = tid + n * THREADS;
        if ((n + 1) * THREADS <= K_UNITS || x < K_UNITS) {
            __local float* dst = kv + x / TILE_K * VEC * TILE_K + x % TILE_K;
#if VEC == 4
            dst[0] = pre[n].x;
            dst[TILE_K] = pre[n].y;
            dst[2 * TILE_K] = pre[n].z;
            dst[3 * TILE_K] = pre[n].w;
#else
            dst[0] = pre[n];
#endif
        }
    }
}

STAGE void stash_v(__local float* kv, const PRE_T* pre, const uint tid)
{
    UNROLLED for (uint n = 0; n < FETCH; ++n) {
        const uint x = tid + n * THREADS;
        if ((n + 1) * THREADS <= V_UNITS || x < V_UNITS) {
#if VEC == 4
            vstore4(pre[n], x, kv);
#else
            kv[x] = pre[n];
#endif
        }
    }
}

// s += Q rows of this lane x K slice keys of this lane (the score's step, common.cl), over the slice's KD dims.
STAGE void qk_slice(float s[WPT_Q][WPT_K], __local const float* qs, __local const float* kv, const int slice,
                     const int row0, const int key0)
{
    UNROLLED_8 for (int e = 0; e < KD; ++e) {
        float a[WPT_Q];
        float b[WPT_K];
        UNROLLED for (int r = 0; r < WPT_Q; ++r) {
            a[r] = qs[(slice * KD + e) * TILE_Q + row0 + r];
        }
        UNROLLED for (int t = 0; t < WPT_K; ++t) {
            b[t] = kv[e * TILE_K + key0 + t];
        }
        UNROLLED for (int r = 0; r < WPT_Q; ++r) {
            UNROLLED for (int t = 0; t < WPT_K; ++t) {
                s[r][t] = SCORE_STEP(a[r], b[t], s[r][t]);
            }
        }
    }
}

// acc += P x V over the slice's TILE_J keys. On a tile that some row cannot wholly see (checked), a zero
// weight skips its V row, so that 0 * NaN in a hidden V row cannot leak.
STAGE void pv_slice(float acc[WPT_Q][WPT_V], const float p[WPT_Q][WPT_K], __local const float* ps,
                     __local const float* kv, __local float* xch, const int slice, const int row0, const int col0,
                     const int checked)
{
    // Key t of every lane in turn, lane by lane inside: the loop the compiler keeps rolled carries only one
    // key's weights and V row, so that it cannot hoist the shuffles of a whole tile into registers.
    UNROLLED for (int t = 0; t < WPT_K; ++t) {
        ROLLED for (int src = slice * (TILE_J / WPT_K); src < (slice + 1) * (TILE_J / WPT_K); ++src) {
            const int jj = src * WPT_K + t - slice * TILE_J;
            float w[WPT_Q];
            float v[WPT_V];
            UNROLLED for (int r = 0; r < WPT_Q; ++r) {
#if EXCHANGE == 0
                w[r] = ps[(slice * TILE_J + jj) * TILE_Q + row0 + r];
#else
                w[r] = lane_get(p[r][t], src, xch);
#endif
            }
            UNROLLED for (int c = 0; c < WPT_V; ++c) {
                v[c] = kv[jj * DV_PAD + col0 + c];
            }
            UNROLLED for (int r = 0; r < WPT_Q; ++r) {
                const int use = !checked || w[r] != 0.0f;
                UNROLLED for (int c = 0; c < WPT_V; ++c) {
                    acc[r][c] = use ? fma(w[r], v[c], acc[r][c]) : acc[r][c];
                }
            }
        }
    }
}

// Scaled scores, -INFINITY where a key is hidden, whatever K held: past a row's visible keys (seen) or the
// split's end, before its first key (i + lower_offset; INT_MIN without a window's left edge), then by the mask
// and bias, which are compiled in only for requests that have them. Tiles every
// row of the group wholly sees take the first line alone. Scores stay in natural units so that the LSE is
// m + log(l) exactly: a log2-unit max would carry bias * log2(e) rounded, 0.002 of LSE at logits of 1e4.
STAGE void mask_scores(float s[WPT_Q][WPT_K], const int checked, const float scale, const int seen[WPT_Q],
                       const int lower_offset, const int i0, const int j0, const int nq, const int nk, const int b,
                       const int h,
                       __global const uchar* restrict mask, const long4 ms,
                       __global const float* restrict bias, const long4 bs)
{
    UNROLLED for (int r = 0; r < WPT_Q; ++r) {
        UNROLLED for (int t = 0; t < WPT_K; ++t) {
            s[r][t] = !checked || (j0 + t < seen[r] && j0 + t - r >= i0 + lower_offset) ? SCORE_OF(s[r][t], scale)
                                                                                         : -INFINITY;
        }
    }
#if OPERANDS
    UNROLLED for (int r = 0; r < WPT_Q; ++r) {
        const long i = min(i0 + r, nq - 1);
        UNROLLED for (int t = 0; t < WPT_K; ++t) {
            const long j = min(j0 + t, nk - 1);
#ifdef MASK_OPERAND
            s[r][t] = mask[b * ms.x + h * ms.y + i * ms.z + j * ms.w] ? s[r][t] : -INFINITY;
#endif
#ifdef BIAS_OPERAND
            s[r][t] += s[r][t] == -INFINITY ? 0.0f : bias[b * bs.x + h * bs.y + i * bs.z + j * bs.w];
#endif
        }
    }
#endif
}

// The new row maxima agreed, the scores become weights exp2((s - m) * log2(e)) (the difference is exact near
// the max, where it matters); the output and the partial sums are rescaled only for rows whose max moved.
// A row that has seen no key yet keeps max -INFINITY and zero weights. (With NORMALIZE_MEAN, common.cl, the
// weights are the scores and the sum a count.)
#define FLASH_EXP(x) exp2_w((x) * LOG2E)
STAGE void softmax_update(float s[WPT_Q][WPT_K], float acc[WPT_Q][WPT_V], float m[WPT_Q], float l[WPT_Q],
                           const float tile_max[WPT_Q])
{
    UNROLLED for (int r = 0; r < WPT_Q; ++r) {
        const float mn = ROW_MAX(m[r], tile_max[r]);
        float sum = 0.0f;
        UNROLLED for (int t = 0; t < WPT_K; ++t) {
            const float x = s[r][t];
            s[r][t] = mn == -INFINITY ? 0.0f : ROW_WEIGHT(x, mn, FLASH_EXP);
            sum += ROW_MASS(x, s[r][t]);
        }
        if (mn != m[r] && mn != -INFINITY) {
            const float f = exp2_w((m[r] - mn) * LOG2E);
            l[r] *= f;
            UNROLLED for (int c = 0; c < WPT_V; ++c) {
                acc[r][c] *= f;
            }
        }
        l[r] += sum;
        m[r] = mn;
    }
}

// Each row's max (sum = 0) or sum (sum = 1) over the LANES lanes of its row group: a butterfly of shuffles, or
// (EXCHANGE 0) the values every lane published in red before a barrier the caller placed.
STAGE void combine_rows(float x[WPT_Q], const int sum, __local const float* red, __local float* xch,
                        const int row0)
{
    UNROLLED for (int r = 0; r < WPT_Q; ++r) {
#if EXCHANGE == 0
        float y = sum ? 0.0f : -INFINITY;
        UNROLLED for (int n = 0; n < LANES; ++n) {
            const float z = red[(row0 + r) * LANES + n];
            y = sum ? y + z : ROW_MAX(y, z);
        }
        x[r] = y;
#else
        UNROLLED for (int n = LANES / 2; n > 0; n /= 2) {
            const float z = lane_xor(x[r], n, xch);
            x[r] = sum ? x[r] + z : ROW_MAX(x[r], z);
        }
#endif
    }
}

// O = acc / l and LSE = m + log(l) for the rows that exist; a row that saw no key is exactly 0 and -INFINITY.
STAGE void store_out(__global float* o, __global float* lse, const float acc[WPT_Q][WPT_V], const float m[WPT_Q],
                     const float l[WPT_Q], const int i0, const int nq, const int lane)
{
    UNROLLED for (int r = 0; r < WPT_Q; ++r) {
        if (i0 + r < nq) {
            const int empty = m[r] == -INFINITY;
            UNROLLED for (int c = 0; c < WPT_V; ++c) {
                if (lane * WPT_V + c < HEAD_DV) {
                    o[(size_t)(i0 + r) * HEAD_DV + lane * WPT_V + c] = empty ? 0.0f : acc[r][c] / l[r];
                }
            }
            if (lane == 0) {
                lse[i0 + r] = empty ? -INFINITY : m[r] + log(l[r]);
            }
        }
    }
}
