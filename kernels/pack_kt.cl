// Packs K [heads][nk][HEAD_D] into key panels for attention_fused_vec: kt[heads][tiles][HEAD_D][PANEL], so that
// one vector load gives PANEL consecutive keys for one d (the B panel of a GEMM micro-kernel). Keys past nk
// are zeros; the fused kernel masks them. PANEL and HEAD_D are shape, set by the host.

#ifndef WG_SIZE
#define WG_SIZE 64 // work-items per group
#endif

// Grid: (ceil(n / WG_SIZE) * WG_SIZE) over the n = heads * tiles * HEAD_D * PANEL packed elements.
__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1)))
void pack_kt(__global const float* restrict k, __global float* restrict kt, const int nk, const int tiles,
             const long n)
{
    const long e = get_global_id(0);
    if (e < n) {
        const int c = e % PANEL;
        const int d = (e / PANEL) % HEAD_D;
        const long panel = e / ((long)PANEL * HEAD_D);
        const long head = panel / tiles;
        const int j = (int)(panel % tiles) * PANEL + c;
        kt[e] = j < nk ? k[(head * nk + j) * HEAD_D + d] : 0.0f;
    }
}
