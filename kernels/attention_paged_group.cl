// What attention_paged.cl and attention_paged_vec.cl share: their arguments, in the order
// AttentionPagedKernel sets them, and a group's place in the grid (splits, B * Hk, row blocks): key split
// `split`, sequence b of length len, KV head g, the group's `rows` query rows from r_all0 (of the Hq / Hk * Nq
// sharing the head), keys [k_begin, k_end). Row r is query head g * (Hq / Hk) + (r_all0 + r) / nq, query
// (r_all0 + r) % nq, at GLOBAL_ROW(r) of q, o and lse. Included after ROWS is defined.

#define PAGED_ATTENTION_PARAMS __global const float* restrict q, __global const float* restrict kpool, \
    __global const float* restrict vpool, __global const int* restrict tables, \
    __global const int* restrict lengths, __global float* restrict o, __global float* restrict lse, \
    const int hq, const int hk, const int nq, const int max_blocks, const float scale, const int split_keys, \
    const int total_rows

#define PAGED_GROUP_PLACE \
    const int split = get_group_id(0); \
    const int b = get_group_id(1) / hk; \
    const int g = get_group_id(1) % hk; \
    const int r_all0 = get_group_id(2) * ROWS; \
    const int rows = min(ROWS, (hq / hk) * nq - r_all0); \
    const int len = lengths[b]; \
    const int k_begin = split * split_keys; \
    const int k_end = min(len, k_begin + split_keys)

#define GLOBAL_ROW(r) (((size_t)b * hq + g * (hq / hk) + (r_all0 + (r)) / nq) * nq + (r_all0 + (r)) % nq)
