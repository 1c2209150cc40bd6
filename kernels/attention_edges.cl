// Attention over a graph's edges (CSR): query row i of each head visits only the keys
// indices[indptr[i] .. indptr[i+1]), each also subject to the structural bounds, the boolean mask and the bias,
// with an online softmax. An edge to a hidden key is never read, so hidden K and V data never reaches the
// output. O(E * D) work and no Nq x Nk buffer: one work-item per (query row, head), its Q row and output row in
// registers (the loops over D and Dv unrolled: indexed arrays would sit in a GPU's stack memory); the score
// and the normalisation are common.cl's. Optionally
// the weights per edge, [heads][E] in the graph's order, from a second pass.

#ifndef WG_SIZE
#define WG_SIZE 64 // work-items per group (query rows of one head)
#endif

// Set by the host per program: HEAD_D, HEAD_DV.
#if WG_SIZE < 1 || HEAD_D < 1 || HEAD_DV < 1
#error "WG_SIZE, HEAD_D and HEAD_DV must be >= 1"
#endif

// Edge e's key j, or -1 where the row may not see it: outside [first, end), or hidden by the boolean mask.
inline __attribute__((always_inline)) int edge_key(__global const int* restrict indices, const int e,
        const int first, const int end, __global const uchar* restrict mask, const long mask_row,
        const long mask_step, const int has_mask)
{
    const int j = indices[e];
    return j >= first && j < end && !(has_mask && !mask[mask_row + j * mask_step]) ? j : -1;
}

// Row qr (SCORE_Q of Q's row) against key j: the score (common.cl) with the bias added.
inline __attribute__((always_inline)) float edge_score(const float qr[HEAD_D], const float scale,
        __global const float* restrict kh, const int j, __global const float* restrict bias, const long bias_row,
        const long bias_step, const int has_bias)
{
    __global const float* kj = kh + (size_t)j * HEAD_D;
    float s = 0.0f;
    _Pragma("unroll") for (int c = 0; c < HEAD_D; ++c) {
        s = SCORE_STEP(qr[c], kj[c], s);
    }
    return SCORE_PRESCALED(s, scale) + (has_bias ? bias[bias_row + j * bias_step] : 0.0f);
}

// Grid: (ceil(nq / WG_SIZE) * WG_SIZE, n) for heads [head0, head0 + n) of the B*Hq: the host launches in parts
// where a device limits the groups per dimension. o [B*Hq][nq][HEAD_DV], lse [B*Hq][nq], p [B*Hq][edges].
__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1)))
void attention_edges(__global const float* restrict q, __global const float* restrict k,
                     __global const float* restrict v, __global float* restrict o, __global float* restrict lse,
                     __global float* restrict p, __global const int* restrict indptr,
                     __global const int* restrict indices, const int hq, const int group, const int nq,
                     const int nk, const int head0, const float scale, const int write_p, const long edges,
                     STRUCT_MASK_PARAMS,
                     __global const uchar* restrict mask, const long4 mask_stride, const int has_mask,
                     __global const float* restrict bias, const long4 bias_stride, const int has_bias)
{
    const int i = get_global_id(0);
    const int bh = head0 + get_global_id(1);
    if (i >= nq) {
        return;
    }
    const int b = bh / hq;
    const int h = bh % hq;
    const size_t kv_head = (size_t)b * (hq / group) + h / group;
    __global const float* kh = k + kv_head * nk * HEAD_D;
    __global const float* vh = v + kv_head * nk * HEAD_DV;
    const int first = FIRST_KEY(i, nk);
    const int end = VISIBLE_KEYS(i, b, nk);
    const long mask_row = b * mask_stride.x + h * mask_stride.y + i * mask_stride.z;
    const long bias_row = b * bias_stride.x + h * bias_stride.y + i * bias_stride.z;
    const int e0 = indptr[i];
    const int e1 = indptr[i + 1];

    float qr[HEAD_D];
    __global const float* qi = q + ((size_t)bh * nq + i) * HEAD_D;
    _Pragma("unroll") for (int c = 0; c < HEAD_D; ++c) {
        qr[c] = SCORE_Q(qi[c], scale);
    }
    float acc[HEAD_DV];
    _Pragma("unroll") for (int c = 0; c < HEAD_DV; ++c) {
        acc[c] = 0.0f;
    }
    float m = -INFINITY;
    float l = 0.0f;
    for (int e = e0; e < e1; ++e) {
        const int j = edge_key(indices, e, first, end, mask, mask_row, mask_stride.w, has_mask);
        if (j < 0) {
            continue;
        }
        const float s = edge_score(qr, scale, kh, j, bias, bias_row, bias_stride.w, has_bias);
        if (s == -INFINITY) {
            continue; // a -INFINITY bias hides the key, whatever V holds
        }
        const float mn = ROW_MAX(m, s);
        if (mn != m) {
            // NaN is sticky: exp of a NaN difference makes the sum and the output NaN.
            const float f = m == -INFINITY ? 0.0f : exp(m - mn);
            l *= f;
            _Pragma("unroll") for (int c = 0; c < HEAD_DV; ++c) {
                acc[c] *= f;
            }
            m = mn;
        }
        const float w = ROW_WEIGHT(s, m, exp);
        l += ROW_MASS(s, w);
        __global const float* vj = vh + (size_t)j * HEAD_DV;
        _Pragma("unroll") for (int c = 0; c < HEAD_DV; ++c) {
            acc[c] = fma(w, vj[c], acc[c]);
        }
    }

    const int empty = m == -INFINITY;
    __global float* orow = o + ((size_t)bh * nq + i) * HEAD_DV;
    _Pragma("unroll") for (int c = 0; c < HEAD_DV; ++c) {
        orow[c] = empty ? 0.0f : acc[c] / l;
    }
    lse[(size_t)bh * nq + i] = empty ? -INFINITY : m + log(l);
    if (write_p) {
        __global float* prow = p + bh * edges;
        for (int e = e0; e < e1; ++e) {
            const int j = empty ? -1 : edge_key(indices, e, first, end, mask, mask_row, mask_stride.w, has_mask);
            const float s = j < 0 ? -INFINITY : edge_score(qr, scale, kh, j, bias, bias_row, bias_stride.w, has_bias);
            prow[e] = s == -INFINITY ? 0.0f : ROW_WEIGHT(s, m, exp) / l;
        }
    }
}
