// Shared by every kernel: the host prepends this file to each kernel's source.
// Masking has one rule everywhere: query row i of batch b sees keys [first_key(...), visible_keys(...)), and
// within those the boolean mask and the bias (a -INFINITY bias hides a key) apply. Keys outside are never read.

// The structural bounds, passed to every kernel in this order: row i sees keys j <= i + upper_offset (causality
// and a window's right edge, folded by the host into one offset) and j >= i + lower_offset (a window's left
// edge), each where present, and keys below the batch's key length.
#define STRUCT_MASK_PARAMS const int upper, const int upper_offset, const int lower, const int lower_offset, \
    __global const int* restrict key_len, const int has_key_len

inline int visible_keys(const int i, const int b, const int nk, const int upper, const int upper_offset,
                        __global const int* restrict key_len, const int has_key_len)
{
    int n = has_key_len ? min(key_len[b], nk) : nk;
    if (upper) {
        n = clamp(i + upper_offset + 1, 0, n);
    }
    return n;
}

// The host clamps both offsets to [-nq, nk], so that i + offset cannot overflow.
inline int first_key(const int i, const int nk, const int lower, const int lower_offset)
{
    return lower ? clamp(i + lower_offset, 0, nk) : 0;
}

#define VISIBLE_KEYS(i, b, nk) visible_keys((i), (b), (nk), upper, upper_offset, key_len, has_key_len)
#define FIRST_KEY(i, nk) first_key((i), (nk), lower, lower_offset)

// Storage of Q, K and V: float, or half (STORAGE_F16: K and V, STORAGE_F16_Q: Q too) read with the core
// vload_half, so that no kernel needs cl_khr_fp16.
#ifdef STORAGE_F16
#define LOAD_KV(p, idx) vload_half((idx), (p))
#define LOAD_KV4(p, idx) vload_half4(0, (p) + (idx))
#define KV_TYPE half
#else
#define LOAD_KV(p, idx) ((p)[idx])
#define LOAD_KV4(p, idx) vload4(0, (p) + (idx))
#define KV_TYPE float
#endif
#ifdef STORAGE_F16_Q
#define LOAD_Q(p, idx) vload_half((idx), (p))
#define Q_TYPE half
#else
#define LOAD_Q(p, idx) ((p)[idx])
#define Q_TYPE float
#endif

// The arguments of the portable and the GPU fused kernels, in the order Launcher.beginFused sets them.
#define FUSED_ATTENTION_PARAMS __global const Q_TYPE* restrict q, __global const KV_TYPE* restrict k, \
    __global const KV_TYPE* restrict v, __global float* restrict o, __global float* restrict lse, \
    const int hq, const int group, const int heads, const int head0, const int nq, const int nk, \
    const float scale, const int split_keys, STRUCT_MASK_PARAMS, \
    __global const uchar* restrict mask, const long4 mask_stride, const int has_mask, \
    __global const float* restrict bias, const long4 bias_stride, const int has_bias

// The larger of two, NaN if either is: a NaN score or LSE poisons its row rather than being skipped.
inline float max_nan(const float a, const float b)
{
    return (b > a || isnan(b)) ? b : a;
}
