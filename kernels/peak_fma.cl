// FMA throughput of the device, for the benchmarks' fraction of peak: each work-item runs CHAINS
// independent float8 multiply-add chains, so that neither latency nor memory limits it. Counts 2 FLOPs per
// lane per fma. The result is written so that the compiler cannot drop the work.

#ifndef WG_SIZE
#define WG_SIZE 256 // work-items per group
#endif
#ifndef CHAINS
#define CHAINS 8 // independent float8 accumulators per work-item: enough to cover FMA latency
#endif

#if WG_SIZE < 1 || CHAINS < 1
#error "WG_SIZE and CHAINS must be >= 1"
#endif

// Grid: (items), a multiple of WG_SIZE. out has one float per work-item.
__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1)))
void peak_fma(__global float* restrict out, const float a, const float b, const int iterations)
{
    const int gid = get_global_id(0);
    float8 acc[CHAINS];
    #pragma unroll
    for (int c = 0; c < CHAINS; c++) {
        acc[c] = (float8)(gid + c) * 1e-6f;
    }
    for (int i = 0; i < iterations; i++) {
        #pragma unroll
        for (int c = 0; c < CHAINS; c++) {
            acc[c] = fma(acc[c], (float8)(a), (float8)(b));
        }
    }
    float8 sum = acc[0];
    #pragma unroll
    for (int c = 1; c < CHAINS; c++) {
        sum += acc[c];
    }
    out[gid] = sum.s0 + sum.s1 + sum.s2 + sum.s3 + sum.s4 + sum.s5 + sum.s6 + sum.s7;
}
