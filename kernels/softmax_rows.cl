// Row-wise softmax in place, one work-group per row, any row length: applies every mask, adds the bias,
// subtracts the row maximum and accumulates in float. A row with no visible key becomes exactly 0 and its
// log-sum-exp -INFINITY; a NaN among the visible scores makes the whole row NaN instead of being skipped.
// With NORMALIZE_MEAN (common.cl) the weights are the scores over the number of visible keys.

#ifndef WG_SIZE
#define WG_SIZE 128 // work-items per row; a power of two; tune: 16 32 64 128 256
#endif

#if WG_SIZE < 1 || (WG_SIZE & (WG_SIZE - 1)) != 0
#error "WG_SIZE must be a power of two"
#endif

// The masked, biased score of key j, or -INFINITY when the boolean mask hides it.
#define SCORE(j) ((has_mask && !mask[mask_row + (j) * mask_stride.w]) ? -INFINITY \
    : row[j] + (has_bias ? bias[bias_row + (j) * bias_stride.w] : 0.0f))

// Grid: (rows * WG_SIZE, heads in the chunk). p holds [heads in chunk][rows][nk] scores on entry, weights on exit.
__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1)))
void softmax_rows(__global float* restrict p, __global float* restrict lse, const int write_lse,
                  const int hq, const int nq, const int nk, const int bh0, const int i0, const int rows,
                  STRUCT_MASK_PARAMS,
                  __global const uchar* restrict mask, const long4 mask_stride, const int has_mask,
                  __global const float* restrict bias, const long4 bias_stride, const int has_bias)
{
    __local float red[WG_SIZE];
    const int t = get_local_id(0);
    const int r = get_group_id(0);
    const int c = get_group_id(1);
    const int bh = bh0 + c;
    const int b = bh / hq;
    const int h = bh % hq;
    const int i = i0 + r;
    __global float* row = p + ((size_t)c * rows + r) * nk;
    const long mask_row = b * mask_stride.x + h * mask_stride.y + i * mask_stride.z;
    const long bias_row = b * bias_stride.x + h * bias_stride.y + i * bias_stride.z;
    const int n = VISIBLE_KEYS(i, b, nk);
    const int first = FIRST_KEY(i, nk);

    float m = -INFINITY;
    for (int j = first + t; j < n; j += WG_SIZE) {
        m = ROW_MAX(m, SCORE(j));
    }
    red[t] = m;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int w = WG_SIZE / 2; w > 0; w >>= 1) {
        if (t < w) {
            red[t] = ROW_MAX(red[t], red[t + w]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    m = red[0];
    barrier(CLK_LOCAL_MEM_FENCE);

    // m == -INFINITY: nothing visible (or every visible score is -INFINITY); the row is all zeros.
    const int any = m != -INFINITY;
    // Each work-item keeps the exponentials of its own keys in the row, so the last pass only divides.
    float sum = 0.0f;
    if (any) {
        for (int j = first + t; j < n; j += WG_SIZE) {
            const float x = SCORE(j);
            const float e = ROW_WEIGHT(x, m, exp);
            row[j] = e;
            sum += ROW_MASS(x, e);
        }
    }
    red[t] = sum;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int w = WG_SIZE / 2; w > 0; w >>= 1) {
        if (t < w) {
            red[t] += red[t + w];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    sum = red[0];

    for (int j = t; j < nk; j += WG_SIZE) {
        row[j] = (any && j < n && j >= first) ? row[j] / sum : 0.0f;
    }
    if (write_lse && t == 0) {
        lse[(size_t)bh * nq + i] = any ? m + log(sum) : -INFINITY;
    }
}
