// Rotary position embeddings ("rotate half", GPT-NeoX and LLaMA) on rows [rows][d] of Q or K: one work-item per
// pair (x_i, x_{i+d/2}) of a row, rotated by the angle whose cos and sin the host tabulated in float64 for the
// row's position. src and dst may be one buffer (each work-item reads its pair before writing it), hence no
// restrict.

#ifndef WG_SIZE
#define WG_SIZE 256 // work-items per group
#endif

#if WG_SIZE < 1
#error "WG_SIZE must be >= 1"
#endif

// Grid: (ceil(pairs / WG_SIZE) * WG_SIZE), pairs = rows * d / 2. Row r is at position (r % len) + offset of the
// table [positions][d / 2][cos, sin].
__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1)))
void rope(__global const float* src, __global float* dst, __global const float* restrict table, const int len,
          const int d, const int offset, const long pairs)
{
    const long p = get_global_id(0);
    if (p >= pairs) {
        return;
    }
    const int pairs_row = d / 2;
    const int i = (int)(p % pairs_row);
    const long row = p / pairs_row;
    const size_t at = ((size_t)(row % len + offset) * pairs_row + i) * 2;
    const float c = table[at];
    const float s = table[at + 1];
    const float a = src[row * d + i];
    const float b = src[row * d + i + pairs_row];
    dst[row * d + i] = a * c - b * s;
    dst[row * d + i + pairs_row] = b * c + a * s;
}
