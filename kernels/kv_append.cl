// Writes appended tokens into the paged KV cache's blocks from one staging upload: each work-item copies one
// (token, head)'s key into its block transposed, [head][d][slot], and its value as a row, [head][slot][dv].
// k is [groups][Hk][tokens][D] and v [groups][Hk][tokens][Dv] (a group per sequence appended to); token t of
// group g goes to block blocks[g * tokens + t], slot slots[g * tokens + t], which the cache has chosen.

#ifndef WG_SIZE
#define WG_SIZE 64 // work-items per group
#endif

// Set by the host per program: HEAD_D, HEAD_DV, BLOCK (tokens per cache block).
#if WG_SIZE < 1
#error "WG_SIZE must be >= 1"
#endif

// Grid: (ceil(rows * Hk / WG_SIZE) * WG_SIZE).
__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1)))
void kv_append(__global const float* restrict k, __global const float* restrict v,
               __global const int* restrict blocks, __global const int* restrict slots,
               __global float* restrict kpool, __global float* restrict vpool,
               const int hk, const int tokens, const int items)
{
    const int x = get_global_id(0);
    if (x >= items) {
        return;
    }
    const int r = x / hk;
    const int h = x % hk;
    const size_t src = ((size_t)(r / tokens) * hk + h) * tokens + r % tokens;
    const size_t head = (size_t)blocks[r] * hk + h;
    const int slot = slots[r];
    for (int e = 0; e < HEAD_D; ++e) {
        kpool[(head * HEAD_D + e) * BLOCK + slot] = k[src * HEAD_D + e];
    }
    for (int e = 0; e < HEAD_DV; ++e) {
        vpool[(head * BLOCK + slot) * HEAD_DV + e] = v[src * HEAD_DV + e];
    }
}
