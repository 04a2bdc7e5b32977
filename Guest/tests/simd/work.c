/* The SIMD test's computation (see work.h): scalar float and double arithmetic, sqrt, conversions,
 * NaN and infinity handling, MXCSR exception flags and rounding control, a little x87 (long double)
 * integer loops that gcc -O2 vectorises with SSE2, and MMX with the SSE/SSSE3 instructions on MMX
 * registers and SSSE3 on XMM registers (intrinsics: gcc does not vectorise to MMX). Every result is printed as its bit pattern,
 * so equal transcripts mean bit-identical results. Inputs are read through volatile so that the
 * compiler cannot fold the arithmetic away: the CPU under test must do it. */
#include "work.h"
#include <tmmintrin.h>

#define N 256

static volatile double vd[] = {1.0, 3.0, 2.0, 0.1, 0.2, 1e308, 4.9406564584124654e-324, -2.5, 1e-310, 7.0};
static volatile float vf[] = {1.0f, 3.0f, 2.0f, 0.1f, 1e38f, 1.17549435e-38f, -0.0f};
static volatile int64_t vi[] = {-7, 123456789012345678LL, -1};
static volatile uint64_t vu[] = {0xFFFFFFFFFFFFFFFFull, 0x8000000000000001ull};
static volatile uint64_t vm[] = {0x80007FFF0102FF80ull, 0x0123456789ABCDEFull, 0xFFFF0001FFFE7FFFull, 0x00FF00807F01FF00ull};

static uint32_t ia[N], ib[N], ic[N];
static uint8_t bytes[N];
static float fx[N], fy[N];
static double dx[N], dy[N];
static int results;

static uint64_t dbits(double d) {
    union { double d; uint64_t u; } v = {d};
    return v.u;
}

static uint64_t fbits(float f) {
    union { float f; uint32_t u; } v = {f};
    return v.u;
}

static double from_bits(uint64_t u) {
    union { uint64_t u; double d; } v = {u};
    return v.d;
}

static void out(const char *name, uint64_t v) {
    simd_emit(name, v);
    results++;
}

static uint32_t read_mxcsr(void) {
    uint32_t m;
    __asm__ volatile("stmxcsr %0" : "=m"(m));
    return m;
}

static void write_mxcsr(uint32_t m) { __asm__ volatile("ldmxcsr %0" : : "m"(m)); }

#define MXCSR_DEFAULT 0x1F80u
#define MXCSR_FLAGS 0x3Fu

/* A tiny printf-like formatter built from FP operations (multiply, truncate, subtract): the digits of
 * x with six decimals. Every step is exact IEEE arithmetic, so the text is the same everywhere. */
static void format_fixed(char *buf, double x) {
    int n = 0;
    if (x < 0) {
        buf[n++] = '-';
        x = -x;
    }
    int64_t whole = (int64_t)x;
    double frac = x - (double)whole;
    char digits[24];
    int d = 0;
    do {
        digits[d++] = (char)('0' + whole % 10);
        whole /= 10;
    } while (whole);
    while (d) {
        buf[n++] = digits[--d];
    }
    buf[n++] = '.';
    for (int i = 0; i < 6; i++) {
        frac *= 10.0;
        int digit = (int)frac;
        buf[n++] = (char)('0' + digit);
        frac -= digit;
    }
    buf[n] = 0;
}

static void double_arithmetic(void) {
    double one = vd[0], three = vd[1], two = vd[2];
    out("double 1/3", dbits(one / three));
    out("double 0.1+0.2", dbits(vd[3] + vd[4]));
    out("double sqrt 2", dbits(__builtin_sqrt(two)));
    out("double sqrt 1e-310 (denormal)", dbits(__builtin_sqrt(vd[8])));
    out("double 1e308*10 (overflow)", dbits(vd[5] * 10.0));
    out("double min denormal / 2", dbits(vd[6] / two));
    out("double -2.5*7", dbits(vd[7] * vd[9]));
    double h = 0;
    for (int i = 1; i <= 1000; i++) {
        h += one / (double)i;
    }
    out("double harmonic 1000", dbits(h));
    double pi = 0; /* Leibniz, 4 * sum (-1)^k / (2k+1) */
    for (int k = 0; k < 2000; k++) {
        pi += (k & 1 ? -4.0 : 4.0) / (2 * k + 1);
    }
    out("double leibniz pi 2000", dbits(pi));
    char text[40];
    format_fixed(text, pi);
    simd_emit_text("double leibniz pi 2000 (fixed)", text);
    format_fixed(text, vd[7] * vd[9] / three);
    simd_emit_text("double -17.5/3 (fixed)", text);
}

static void float_arithmetic(void) {
    float one = vf[0], three = vf[1];
    out("float 1/3", fbits(one / three));
    out("float sqrt 2", fbits(__builtin_sqrtf(vf[2])));
    out("float 1e38*10 (overflow)", fbits(vf[4] * 10.0f));
    out("float min normal / 4", fbits(vf[5] / 4.0f));
    out("float -0 + -0", fbits(vf[6] + vf[6]));
    out("float -0 - -0", fbits(vf[6] - vf[6]));
    float s = 0;
    for (int i = 1; i <= 1000; i++) {
        s += vf[3] * (float)i;
    }
    out("float sum 0.1*i", fbits(s));
}

static void conversions(void) {
    out("cvt int64 -7 to double", dbits((double)vi[0]));
    out("cvt int64 big to double (rounds)", dbits((double)vi[1]));
    out("cvt int64 big to float (rounds)", fbits((float)vi[1]));
    out("cvt uint64 max to double", dbits((double)vu[0]));
    out("cvt uint64 2^63+1 to float", fbits((float)vu[1]));
    out("cvt double -2.5 to int64 (truncates)", (uint64_t)(int64_t)vd[7]);
    out("cvt double 0.1 to float", fbits((float)vd[3]));
    out("cvt double 1e308 to float (inf)", fbits((float)vd[5]));
    out("cvt double denormal to float (zero)", fbits((float)vd[8]));
    out("cvt float 0.1 to double", dbits((double)vf[3]));
    out("cvt float 1e38 to int32 (indefinite)", (uint32_t)__builtin_ia32_cvttss2si((__attribute__((vector_size(16))) float){vf[4]}));
    out("cvt double 1e308 to int64 (indefinite)", (uint64_t)__builtin_ia32_cvttsd2si64((__attribute__((vector_size(16))) double){vd[5]}));
    out("cvt double 2.5 to int32 (nearest even)", (uint32_t)__builtin_ia32_cvtsd2si((__attribute__((vector_size(16))) double){-vd[7]}));
}

static void nans(void) {
    double zero = vd[0] - vd[0];
    out("nan 0/0 (default nan)", dbits(zero / zero));
    out("nan inf-inf", dbits(vd[5] * 10.0 - vd[5] * 10.0));
    double payload = from_bits(0x7FF0000000012345ull); /* a signalling NaN: quieted, payload kept */
    volatile double snan = payload;
    out("nan snan+1 (quieted)", dbits(snan + vd[0]));
    volatile double qa = from_bits(0x7FF8000000000AAAull), qb = from_bits(0xFFF8000000000BBBull);
    out("nan two quiet nans added", dbits(qa + qb));
    out("nan two quiet nans multiplied", dbits(qb * qa));
    out("nan sqrt -1", dbits(__builtin_sqrt(vd[7])));
    out("nan compare nan<1", (uint64_t)(zero / zero < vd[0]));
    out("nan compare nan!=nan", (uint64_t)(zero / zero != zero / zero));
}

/* MXCSR (SDM Vol. 1, 10.2.3): the sticky exception flags each operation raises, and rounding control */
static void mxcsr(void) {
    static const struct {
        const char *name;
        int op;
    } cases[] = {{"mxcsr flags 1/3 (PE)", 0}, {"mxcsr flags 1/0 (ZE)", 1}, {"mxcsr flags 0/0 (IE)", 2},
                 {"mxcsr flags denormal*1 (DE)", 3}, {"mxcsr flags min denormal/2 (UE PE)", 4},
                 {"mxcsr flags 1e308*10 (OE PE)", 5}, {"mxcsr flags 2+1 (none)", 6}};
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_mxcsr(MXCSR_DEFAULT);
        volatile double r;
        switch (cases[i].op) {
        case 0: r = vd[0] / vd[1]; break;
        case 1: r = vd[0] / (vd[0] - vd[0]); break;
        case 2: r = (vd[0] - vd[0]) / (vd[0] - vd[0]); break;
        case 3: r = vd[8] * vd[0]; break;
        case 4: r = vd[6] / vd[2]; break;
        case 5: r = vd[5] * 10.0; break;
        default: r = vd[2] + vd[0]; break;
        }
        (void)r;
        out(cases[i].name, read_mxcsr() & MXCSR_FLAGS);
    }
    static const struct {
        const char *name;
        uint32_t rc;
    } modes[] = {{"rounding nearest 1/3", 0}, {"rounding down -1/3", 1}, {"rounding up 1/3", 2}, {"rounding toward zero -1/3", 3}};
    for (unsigned i = 0; i < 4; i++) {
        write_mxcsr(MXCSR_DEFAULT | modes[i].rc << 13);
        volatile double r = ((i & 1) ? -vd[0] : vd[0]) / vd[1];
        out(modes[i].name, dbits(r));
    }
    write_mxcsr(MXCSR_DEFAULT | 1u << 15 | 1u << 6); /* FTZ and DAZ */
    volatile double r = vd[8] * vd[0];
    out("ftz daz denormal*1", dbits(r));
    write_mxcsr(MXCSR_DEFAULT);
}

/* long double is the x87's 80-bit format on x86-64: the significand and the sign and exponent */
static void x87(void) {
    long double third = (long double)vd[0] / (long double)vd[1];
    union { long double l; struct { uint64_t mant; uint16_t se; } p; } u = {.l = third};
    out("x87 1/3 significand", u.p.mant);
    out("x87 1/3 sign exponent", u.p.se);
    u.l = __builtin_sqrtl((long double)vd[2]);
    out("x87 sqrt 2 significand", u.p.mant);
    out("x87 sqrt 2 to double", dbits((double)u.l));
}

/* The vectorised loops: gcc -O2 (its "very cheap" vectoriser cost model) turns loops of a known trip
 * count over arrays that cannot alias into PADDD, PXOR, PSLLD, PSRLD, PMAXUB, MULPS, ADDPS, MULPD,
 * SUBPD. The test finds these functions' instructions in the image. */
__attribute__((noinline)) uint32_t simd_int_sum(void) {
    uint32_t s = 0;
    for (int i = 0; i < N; i++) {
        s += ia[i];
    }
    return s;
}

__attribute__((noinline)) void simd_int_mix(void) {
    for (int i = 0; i < N; i++) {
        ic[i] = (ia[i] ^ (ib[i] << 3)) + (ia[i] >> 5);
    }
}

__attribute__((noinline)) uint32_t simd_byte_max(void) {
    uint8_t m = 0;
    for (int i = 0; i < N; i++) {
        m = bytes[i] > m ? bytes[i] : m;
    }
    return m;
}

__attribute__((noinline)) void simd_float_axpy(float k) {
    for (int i = 0; i < N; i++) {
        fy[i] = fy[i] + k * fx[i];
    }
}

__attribute__((noinline)) void simd_double_scale(double k) {
    for (int i = 0; i < N; i++) {
        dy[i] = dx[i] * k - dy[i];
    }
}

static uint64_t fnv(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001B3ull; }

static void vectorised(void) {
    uint32_t seed = 12345;
    for (int i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        ia[i] = seed;
        ib[i] = seed >> 7 ^ (uint32_t)i;
        bytes[i] = (uint8_t)((seed >> 13) % 251);
        fx[i] = (float)(int)(seed % 2001) / 7.0f;
        fy[i] = (float)i * vf[3];
        dx[i] = (double)(int)(seed % 4001) / 3.0;
        dy[i] = (double)i * vd[3];
    }
    out("vector int sum", simd_int_sum());
    simd_int_mix();
    uint64_t h = 0xCBF29CE484222325ull;
    for (int i = 0; i < N; i++) {
        h = fnv(h, ic[i]);
    }
    out("vector int mix hash", h);
    out("vector byte max", simd_byte_max());
    for (int r = 0; r < 16; r++) {
        simd_float_axpy(0.5f + (float)r);
        simd_double_scale(1.0 / (r + 3));
    }
    h = 0xCBF29CE484222325ull;
    for (int i = 0; i < N; i++) {
        h = fnv(h, fbits(fy[i]));
    }
    out("vector float axpy hash", h);
    out("vector float axpy [255]", fbits(fy[N - 1]));
    h = 0xCBF29CE484222325ull;
    for (int i = 0; i < N; i++) {
        h = fnv(h, dbits(dy[i]));
    }
    out("vector double scale hash", h);
    out("vector double scale [7]", dbits(dy[7]));
}

/* MMX, the SSE and SSSE3 instructions on MMX registers (which alias the x87 registers: EMMS before any
 * x87 code) in inline assembly, since gcc builds MMX intrinsics with SSE2 on x86-64, and SSSE3 on XMM
 * registers through intrinsics; chained so that every result feeds the next round. */
__attribute__((target("ssse3"))) void simd_mmx_ssse3(void) {
    uint64_t a = vm[0], b = vm[1], c = vm[2], d = vm[3];
    uint64_t h = 0xCBF29CE484222325ull, mask = 0;
    for (int i = 0; i < 64; i++) {
        uint32_t m, w;
        int left = i & 15, right = i & 31;
        __asm__ volatile(
            "movq %[a], %%mm0\n\t"
            "movq %[b], %%mm1\n\t"
            "movq %[c], %%mm2\n\t"
            "movq %[d], %%mm3\n\t"
            "movq %%mm0, %%mm4\n\t"
            "paddsw %%mm1, %%mm4\n\t"       /* s = a + b, saturated */
            "movq %%mm4, %%mm5\n\t"
            "pmaddwd %%mm2, %%mm5\n\t"      /* m = madd(s, c) */
            "movd %[i], %%mm6\n\t"
            "movq %%mm5, %%mm7\n\t"
            "psubd %%mm6, %%mm7\n\t"
            "packssdw %%mm7, %%mm5\n\t"
            "punpckhbw %%mm3, %%mm5\n\t"    /* u */
            "movq %%mm5, %%mm6\n\t"
            "pshufb %%mm2, %%mm6\n\t"
            "phaddsw %%mm0, %%mm6\n\t"
            "pabsb %%mm6, %%mm6\n\t"
            "palignr $3, %%mm1, %%mm6\n\t"  /* t */
            "movq %%mm6, %%mm7\n\t"
            "pminub %%mm3, %%mm7\n\t"
            "pshufw $0x1b, %%mm4, %%mm0\n\t"
            "pavgb %%mm0, %%mm7\n\t"        /* v */
            "pmovmskb %%mm7, %[m]\n\t"
            "pextrw $2, %%mm7, %[w]\n\t"
            "psignw %%mm2, %%mm7\n\t"
            "movd %[left], %%mm0\n\t"
            "psllw %%mm0, %%mm1\n\t"
            "pxor %%mm1, %%mm7\n\t"         /* new a */
            "movq %%mm7, %[a]\n\t"
            "pmulhw %%mm2, %%mm4\n\t"
            "movd %[right], %%mm0\n\t"
            "psrad %%mm0, %%mm4\n\t"
            "psadbw %%mm5, %%mm6\n\t"
            "paddb %%mm6, %%mm4\n\t"
            "pinsrw $1, %[w], %%mm4\n\t"
            "paddusb %%mm3, %%mm4\n\t"      /* new b */
            "movq %%mm4, %[b]\n\t"
            "movq %%mm7, %%mm0\n\t"
            "pcmpgtw %%mm4, %%mm0\n\t"
            "pmaddubsw %%mm3, %%mm5\n\t"
            "pmulhrsw %%mm3, %%mm7\n\t"
            "punpcklwd %%mm7, %%mm5\n\t"
            "pmuludq %%mm2, %%mm7\n\t"
            "psubq %%mm7, %%mm5\n\t"
            "pandn %%mm5, %%mm0\n\t"
            "psrlq $5, %%mm0\n\t"
            "por %%mm5, %%mm0\n\t"          /* new c */
            "movq %%mm0, %[c]\n\t"
            : [a] "+m"(a), [b] "+m"(b), [c] "+m"(c), [m] "=&r"(m), [w] "=&r"(w)
            : [d] "m"(d), [i] "r"(i), [left] "r"(left), [right] "r"(right)
            : "mm0", "mm1", "mm2", "mm3", "mm4", "mm5", "mm6", "mm7");
        mask += m + w;
        h = fnv(fnv(h, a), b);
    }
    __asm__ volatile("emms");
    out("mmx ssse3 hash", h);
    out("mmx ssse3 last", c);
    out("mmx movemask sum", mask);

    __m128i x = _mm_set_epi64x((int64_t)vm[0], (int64_t)vm[1]), y = _mm_set_epi64x((int64_t)vm[2], (int64_t)vm[3]);
    for (int i = 0; i < 64; i++) {
        __m128i z = _mm_hadd_epi16(_mm_shuffle_epi8(x, y), _mm_abs_epi8(y));
        x = _mm_alignr_epi8(_mm_sign_epi8(z, x), y, 5);
        y = _mm_add_epi32(_mm_maddubs_epi16(z, y), _mm_mulhrs_epi16(x, z));
    }
    out("ssse3 xmm low", (uint64_t)_mm_cvtsi128_si64(x));
    out("ssse3 xmm high", (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(y, y)));
}

int simd_work(void) {
    results = 0;
    double_arithmetic();
    float_arithmetic();
    conversions();
    nans();
    mxcsr();
    x87();
    vectorised();
    simd_mmx_ssse3();
    return results;
}
