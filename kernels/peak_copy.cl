// Copy bandwidth of the device's global memory, for the benchmarks' fraction of peak (softmax GB/s):
// one float4 read and one written per work-item; bytes moved = 2 x 16 x items.

#ifndef WG_SIZE
#define WG_SIZE 256 // work-items per group
#endif

#if WG_SIZE < 1
#error "WG_SIZE must be >= 1"
#endif

// Grid: (items), a multiple of WG_SIZE.
__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1)))
void peak_copy(__global const float4* restrict src, __global float4* restrict dst)
{
    const int i = get_global_id(0);
    dst[i] = src[i];
}
