// Vectors of VW floats (4, 8 or 16) for the kernels written for CPU devices, which define VW before including
// this file: the vector types, horizontal max and sum, and an exp2 for the softmax's non-positive arguments.

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define floatv CAT(float, VW)
#define vloadv CAT(vload, VW)
#define vstorev CAT(vstore, VW)
#define intv CAT(int, VW)
#define LOG2E 1.4426950408889634f

#if VW == 16
#define IOTA ((int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
#elif VW == 8
#define IOTA ((int8)(0, 1, 2, 3, 4, 5, 6, 7))
#else
#define IOTA ((int4)(0, 1, 2, 3))
#endif

inline float hmax(const floatv x)
{
#if VW == 16
    const float8 a = fmax(x.lo, x.hi);
    const float4 b = fmax(a.lo, a.hi);
#elif VW == 8
    const float4 b = fmax(x.lo, x.hi);
#else
    const float4 b = x;
#endif
    const float2 c = fmax(b.lo, b.hi);
    return fmax(c.x, c.y);
}

inline float hsum(const floatv x)
{
#if VW == 16
    const float8 a = x.lo + x.hi;
    const float4 b = a.lo + a.hi;
#elif VW == 8
    const float4 b = x.lo + x.hi;
#else
    const float4 b = x;
#endif
    const float2 c = b.lo + b.hi;
    return c.x + c.y;
}

// 2^x for the x <= 0 of a softmax, -inf and NaN included, in fewer steps than the library's exp2 (no
// overflow or denormal paths): x = n + f with |f| <= 1/2, 2^f from a degree-6 fit of relative error 2e-9
// (0.9 ulp in float32 arithmetic), n added to the exponent bits. Below -126 the result is exactly 0, so
// a key of negligible weight carries none (and its V, which may hold anything, is never touched).
inline floatv exp2_neg(const floatv x)
{
    const intv tiny = x < (floatv)(-126.0f);
    const floatv xc = select(x, (floatv)(-126.0f), tiny);
    // Adding 1.5 * 2^23 rounds to an integer, which lands in the low mantissa bits (PoCL's rint is a slow
    // software sequence).
    const floatv t = xc + (floatv)(12582912.0f);
    const floatv f = xc - (t - (floatv)(12582912.0f));
    floatv p = fma(f, (floatv)(1.535336196e-04f), (floatv)(1.339887502e-03f));
    p = fma(p, f, (floatv)(9.618436918e-03f));
    p = fma(p, f, (floatv)(5.550332367e-02f));
    p = fma(p, f, (floatv)(2.402264774e-01f));
    p = fma(p, f, (floatv)(6.931471825e-01f));
    p = fma(p, f, (floatv)(1.0f));
    const floatv r = CAT(as_float, VW)(CAT(as_int, VW)(p) + ((CAT(as_int, VW)(t) - 0x4b400000) << 23));
    return select(r, (floatv)(0.0f), tiny);
}
