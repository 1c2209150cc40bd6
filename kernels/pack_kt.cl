// Packs K [heads][nk][HEAD_D] into key panels for attention_fused_vec: kt[heads][tiles][HEAD_D][PANEL], so that
// one vector load gives PANEL consecutive keys for one d (the B panel of a GEMM micro-kernel). Keys past nk
// are zeros; the fused kernel masks them. PANEL and HEAD_D are shape, set by the host.
// One work-item per key slot, looping over d: the index arithmetic is paid once per key, not per element, and
// a CPU device's work-group loop turns the neighbouring work-items' writes into vector stores.

#ifndef WG_SIZE
#define WG_SIZE 64 // work-items per group (an element-wise copy: not worth a tuner)
#endif

#if WG_SIZE < 1
#error "WG_SIZE must be >= 1"
#endif

// Grid: (ceil(n / WG_SIZE) * WG_SIZE) over the n = heads * tiles * PANEL key slots.
__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1)))
void pack_kt(__global const float* restrict k, __global float* restrict kt, const int nk, const int tiles,
             const long n)
{
    const long e = get_global_id(0);
    if (e < n) {
        const long slots = (long)tiles * PANEL;
        const long head = e / slots;
        const int j = (int)(e % slots);
        __global float* dst = kt + (head * tiles + j / PANEL) * HEAD_D * PANEL + j % PANEL;
        if (j < nk) {
            __global const float* src = k + (head * nk + j) * HEAD_D;
            for (int d = 0; d < HEAD_D; ++d) {
                dst[d * PANEL] = src[d];
            }
        } else {
            for (int d = 0; d < HEAD_D; ++d) {
                dst[d * PANEL] = 0.0f;
            }
        }
    }
}
