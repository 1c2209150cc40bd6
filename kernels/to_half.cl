// Converts float input to fp16 storage on the device (round to nearest even), for the fused path's half
// storage. vstore_half_rte is core OpenCL: no cl_khr_fp16 needed.

#ifndef WG_SIZE
#define WG_SIZE 256 // work-items per group
#endif

#if WG_SIZE < 1
#error "WG_SIZE must be >= 1"
#endif

// Grid: (ceil(n / WG_SIZE) * WG_SIZE).
__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1)))
void to_half(__global const float* restrict src, __global half* restrict dst, const int n)
{
    const int i = get_global_id(0);
    if (i < n) {
        vstore_half_rte(src[i], i, dst);
    }
}
