// Combines partial attention results over disjoint key blocks by their log-sum-exp:
// lse = log(sum_s exp(lse_s)), O = sum_s exp(lse_s - lse) * O_s. A block with lse_s = -INFINITY saw no key and
// contributes nothing; if no block saw a key, O = 0 and lse = -INFINITY. NaN in any block propagates.

#ifndef WG_SIZE
#define WG_SIZE 64 // work-items per group (over output columns)
#endif

#if WG_SIZE < 1
#error "WG_SIZE must be >= 1"
#endif

// Grid: (ceil(dv / WG_SIZE) * WG_SIZE, n) for rows [row0, row0 + n): the host launches in parts where a device
// limits the groups per dimension. parts: [splits][rows][dv], part_lse: [splits][rows].
__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1)))
void attention_merge(__global const float* restrict parts, __global const float* restrict part_lse,
                     __global float* restrict o, __global float* restrict lse,
                     const int splits, const int rows, const int dv, const int row0)
{
    const int c = get_global_id(0);
    const int row = row0 + get_global_id(1);
    float m = -INFINITY;
    for (int z = 0; z < splits; ++z) {
        m = max_nan(m, part_lse[(size_t)z * rows + row]);
    }
    float total = 0.0f;
    float acc = 0.0f;
    if (m != -INFINITY) {
        for (int z = 0; z < splits; ++z) {
            const float l = part_lse[(size_t)z * rows + row];
            if (l != -INFINITY) {
                const float w = exp(l - m);
                total += w;
                if (c < dv) {
                    acc = fma(w, parts[((size_t)z * rows + row) * dv + c], acc);
                }
            }
        }
    }
    if (c < dv) {
        o[(size_t)row * dv + c] = m == -INFINITY ? 0.0f : acc / total;
    }
    if (c == 0) {
        lse[row] = m == -INFINITY ? -INFINITY : m + log(total);
    }
}
