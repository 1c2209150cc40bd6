// Swaps the two middle dimensions of a row-major [B][X][Y][W] array into [B][Y][X][W]: Q, K and V given as
// [B, N, H, D] become the [B, H, N, D] every attention kernel reads, and O goes back the other way, on the
// device, so that the host never transposes. Each work-item writes consecutive output floats.

#ifndef WG_SIZE
#define WG_SIZE 256 // work-items per group
#endif

#if WG_SIZE < 1
#error "WG_SIZE must be >= 1"
#endif

// Grid: any multiple of WG_SIZE; the work-items stride over the total elements.
__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1)))
void transpose_heads(__global const float* restrict in, __global float* restrict out, const int x, const int y,
                     const int w, const long total)
{
    for (long e = get_global_id(0); e < total; e += get_global_size(0)) {
        const int c = e % w;
        long t = e / w;
        const int xx = t % x;
        t /= x;
        const int yy = t % y;
        const long b = t / y;
        out[e] = in[((b * x + xx) * y + yy) * w + c];
    }
}
