// Y = X·Wᵀ + b (PyTorch's Linear: W is [out][in]) for X [n][in], tiled in local memory with register
// blocking: THREADS_O x THREADS_N work-items own a TILE_N x TILE_O block of Y, each a WPT_N x WPT_O block in
// registers strided by the thread count, over slices of TILE_I inputs staged in local memory. The projections
// of attention layers (Q, K, V, the output) and the non-local block's 1x1 convolutions.

#ifndef TILE_N
#define TILE_N 32 // rows of X per work-group (not yet in the tuner)
#endif
#ifndef TILE_O
#define TILE_O 32 // outputs per work-group (not yet in the tuner)
#endif
#ifndef TILE_I
#define TILE_I 16 // inputs staged in local memory per step (not yet in the tuner)
#endif
#ifndef WPT_N
#define WPT_N 4 // rows per work-item (not yet in the tuner)
#endif
#ifndef WPT_O
#define WPT_O 4 // outputs per work-item (not yet in the tuner)
#endif

#if TILE_N < 1 || TILE_O < 1 || TILE_I < 1 || WPT_N < 1 || WPT_O < 1
#error "TILE_N, TILE_O, TILE_I, WPT_N and WPT_O must be >= 1"
#endif
#if TILE_N % WPT_N != 0
#error "TILE_N must be a multiple of WPT_N"
#endif
#if TILE_O % WPT_O != 0
#error "TILE_O must be a multiple of WPT_O"
#endif

#define THREADS_N (TILE_N / WPT_N)
#define THREADS_O (TILE_O / WPT_O)
#define THREADS (THREADS_N * THREADS_O)

// Grid: (ceil(out / TILE_O) * THREADS_O, ceil(n / TILE_N) * THREADS_N). has_bias 0: b is a placeholder.
__kernel __attribute__((reqd_work_group_size(THREADS_O, THREADS_N, 1)))
void linear(__global const float* restrict x, __global const float* restrict w, __global const float* restrict b,
            __global float* restrict y, const int n, const int in, const int out, const int has_bias)
{
    __local float xs[TILE_I][TILE_N];
    __local float ws[TILE_I][TILE_O];
    const int to = get_local_id(0);
    const int tn = get_local_id(1);
    const int tid = tn * THREADS_O + to;
    const int o0 = get_group_id(0) * TILE_O;
    const int n0 = get_group_id(1) * TILE_N;

    float acc[WPT_N][WPT_O];
    for (int a = 0; a < WPT_N; ++a) {
        for (int c = 0; c < WPT_O; ++c) {
            acc[a][c] = 0.0f;
        }
    }
    for (int i0 = 0; i0 < in; i0 += TILE_I) {
        for (int t = tid; t < TILE_N * TILE_I; t += THREADS) {
            const int r = t / TILE_I;
            const int e = t % TILE_I;
            xs[e][r] = n0 + r < n && i0 + e < in ? x[(size_t)(n0 + r) * in + i0 + e] : 0.0f;
        }
        for (int t = tid; t < TILE_O * TILE_I; t += THREADS) {
            const int r = t / TILE_I;
            const int e = t % TILE_I;
            ws[e][r] = o0 + r < out && i0 + e < in ? w[(size_t)(o0 + r) * in + i0 + e] : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int e = 0; e < TILE_I; ++e) {
            float xa[WPT_N];
            float wb[WPT_O];
            for (int a = 0; a < WPT_N; ++a) {
                xa[a] = xs[e][tn + a * THREADS_N];
            }
            for (int c = 0; c < WPT_O; ++c) {
                wb[c] = ws[e][to + c * THREADS_O];
            }
            for (int a = 0; a < WPT_N; ++a) {
                for (int c = 0; c < WPT_O; ++c) {
                    acc[a][c] = fma(xa[a], wb[c], acc[a][c]);
                }
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int a = 0; a < WPT_N; ++a) {
        const int r = n0 + tn + a * THREADS_N;
        for (int c = 0; c < WPT_O; ++c) {
            const int o = o0 + to + c * THREADS_O;
            if (r < n && o < out) {
                y[(size_t)r * out + o] = acc[a][c] + (has_bias ? b[o] : 0.0f);
            }
        }
    }
}
