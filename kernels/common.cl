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

// The score function, set by the host per request (not tunables): scale * q.k by default; SCORE_NEG_SQ_DIST:
// -scale * |q - k|^2, summed as the differences themselves (the expansion |q|^2 + |k|^2 - 2 q.k cancels when
// q and k share an offset); SCORE_ACT: a ReLU (ACT_SLOPE: a leaky one) of the dot product, for the additive
// score, whose projections the host makes. SCORE_STEP accumulates one dimension; SCORE_OF finishes a sum;
// kernels that fold the scale into Q take SCORE_Q for each Q element and SCORE_PRESCALED for the sum.
// Scalars and vectors alike.
#ifdef ACT_SLOPE
#define ACT(x) ((x) < 0.0f ? ACT_SLOPE * (x) : (x))
#else
#define ACT(x) ((x) < 0.0f ? 0.0f : (x))
#endif
#if defined(SCORE_NEG_SQ_DIST)
#define SCORE_STEP(a, b, acc) fma((a) - (b), (a) - (b), (acc))
#define SCORE_OF(acc, scale) (-(scale) * (acc))
#define SCORE_Q(x, scale) (x)
#define SCORE_PRESCALED(acc, scale) (-(scale) * (acc))
#elif defined(SCORE_ACT)
#define SCORE_STEP(a, b, acc) fma((a), (b), (acc))
#define SCORE_OF(acc, scale) ACT((scale) * (acc))
#define SCORE_Q(x, scale) ((scale) * (x))
#define SCORE_PRESCALED(acc, scale) ACT(acc)
#else
#define SCORE_STEP(a, b, acc) fma((a), (b), (acc))
#define SCORE_OF(acc, scale) ((scale) * (acc))
#define SCORE_Q(x, scale) ((scale) * (x))
#define SCORE_PRESCALED(acc, scale) (acc)
#endif

// How a row's scores x become weights, also set by the host: softmax by default, with the running max m and
// the weights exp(x - m) (EXP of the difference, each kernel's own exp); NORMALIZE_MEAN: the weights are the
// scores themselves over the count of visible keys (a -INFINITY score is a hidden key), and m is 0 once the row
// has one, so that a kernel's max and rescaling steps, its empty-row test and its LSE m + log(l) (here log n,
// which attention_merge weighs key splits by) stay as they are.
#ifdef NORMALIZE_MEAN
#define ROW_MAX(m, x) ((x) == -INFINITY ? (m) : 0.0f)
#define ROW_WEIGHT(x, m, EXP) ((x) == -INFINITY ? 0.0f : (x))
#define ROW_MASS(x, w) ((x) == -INFINITY ? 0.0f : 1.0f)
#else
#define ROW_MAX(m, x) max_nan((m), (x))
#define ROW_WEIGHT(x, m, EXP) EXP((x) - (m))
#define ROW_MASS(x, w) (w)
#endif
