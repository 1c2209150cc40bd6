// Values between the LANES lanes of a row group (LANES consecutive work-items of dimension 0, a power of two up
// to 32), for a kernel that defines LANES, EXCHANGE and STAGE before including this file: EXCHANGE 1 through
// NVIDIA's shfl.sync (inline PTX, as CLBlast does for post-Volta NVIDIA), EXCHANGE 2 through local memory with
// the same data movement (for tests on devices without shuffles); EXCHANGE 0 includes nothing. xch is THREADS
// floats of local memory for EXCHANGE 2 and unused otherwise.

#if EXCHANGE == 1
// Lane `src` of this lane's row group (LANES consecutive lanes of a warp), and the butterfly partner.
STAGE float lane_get(const float x, const int src, __local float* xch)
{
    float y;
    __asm__ volatile("shfl.sync.idx.b32 %0, %1, %2, %3, 0xffffffff;"
                     : "=f"(y) : "f"(x), "r"(src), "r"(((32 - LANES) << 8) | 0x1f));
    return y;
}
STAGE float lane_xor(const float x, const int mask, __local float* xch)
{
    float y;
    __asm__ volatile("shfl.sync.bfly.b32 %0, %1, %2, 0x1f, 0xffffffff;" : "=f"(y) : "f"(x), "r"(mask));
    return y;
}
// The hardware exp2 (relative error ~2^-22, 0 for -INFINITY): the weights need no more, and a library exp2
// inlined for every score of the tile would take the registers the tiles need.
STAGE float exp2_w(const float x)
{
    float y;
    __asm__("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));
    return y;
}
#else
#define exp2_w exp2
#endif
#if EXCHANGE == 2
STAGE float lane_get(const float x, const int src, __local float* xch)
{
    const int me = get_local_id(1) * LANES + get_local_id(0);
    xch[me] = x;
    barrier(CLK_LOCAL_MEM_FENCE);
    const float y = xch[me - get_local_id(0) + src];
    barrier(CLK_LOCAL_MEM_FENCE);
    return y;
}
STAGE float lane_xor(const float x, const int mask, __local float* xch)
{
    return lane_get(x, get_local_id(0) ^ mask, xch);
}
#endif
