/*
 * lut_v512.c - the LUT kernels with 16 columns per AVX-512 vector: the reads
 * decided on their means (with read noise; lut_noise.c) and the layer read chunk by
 * chunk (without; lut.c), float for float and count for count what the portable
 * kernels compute.
 */
#include "internal.h"

#include <immintrin.h>
#include <math.h>

/* The exact counts of 16 columns for one read (m), from the compressed weight bits:
 * matches among the input-dependent rows, plus the stuck-in-P pairs. */
__attribute__((target("avx512f,avx512vpopcntdq"))) static inline __m512i
v512_matches(const uint32_t *w, size_t cp, const uint32_t *xc, const uint32_t *kc, int nw,
             int stuck)
{
    __m512i m = _mm512_setzero_si512();
    for (int q = 0; q < nw; q++, w += 3 * cp) {
        __m512i xn = _mm512_xor_si512(_mm512_set1_epi32((int)xc[q]), _mm512_loadu_si512(w));
        __m512i kq = _mm512_set1_epi32((int)kc[q]);
        /* ~(x ^ w) & keep & kept: 0x08 is the ternary truth table of ~A & B & C */
        __m512i hit = _mm512_ternarylogic_epi32(xn, _mm512_loadu_si512(w + cp), kq, 0x08);
        if (stuck)
            hit = _mm512_or_si512(hit, _mm512_and_si512(_mm512_loadu_si512(w + 2 * cp), kq));
        m = _mm512_add_epi32(m, _mm512_popcnt_epi32(hit));
    }
    return m;
}

/* lut_rows for the AVX-512 kernels (at most V512_MAX_TERMS rows, 32-bit offsets). */
static inline void v512_rows(const struct scim_analog_layer *al, const uint32_t *xc,
                             const uint32_t *kc, uint32_t *off)
{
    uint32_t cp = (uint32_t)al->cpad;
    if (al->tabs == 1) {
        for (int q = 0; q < al->nib; q++)
            off[q] = ((uint32_t)q * 16 + ((xc[q >> 3] & kc[q >> 3]) >> ((q & 7) * 4) & 15)) * cp;
        return;
    }
    for (int q = 0; q < al->nib; q++)
        for (int tab = 0; tab < 2; tab++)
            *off++ = (uint32_t)lut_row(al, q, tab, xc[q >> 3], kc[q >> 3]);
}

/* Event tallies of the AVX-512 LUT kernels, per lane. */
struct v512_tally {
    __m512i clips, mis, lrs;
};

/* 16 columns of one read, as lut_value, lut_matches and lut_decide do them one by one:
 * the float sum of the table rows off[0..nt) of tables t, the counts, the codes and the
 * tallies; the term 2 code - len of each column. Padded columns have zero tables and
 * weights: they read 0 matches and code 0. */
__attribute__((target("avx512f,avx512vpopcntdq"))) static inline __m512i
v512_read(const float *t, const uint32_t *off, int nt, const uint32_t *w, size_t cp,
          const uint32_t *xc, const uint32_t *kc, int nw, int stuck, uint32_t len, uint32_t mc,
          __m512 *xout, struct v512_tally *ty)
{
    const __m512i zero = _mm512_setzero_si512(), one = _mm512_set1_epi32(1);
    const __m512i vmc = _mm512_set1_epi32((int)mc), vlen = _mm512_set1_epi32((int)len);
    __m512 x = _mm512_setzero_ps();
    for (int q = 0; q < nt; q++)
        x = _mm512_add_ps(x, _mm512_loadu_ps(t + off[q]));
    __m512i m = v512_matches(w, cp, xc, kc, nw, stuck);
    __m512i n = _mm512_min_epi32(_mm512_max_epi32(_mm512_cvtps_epi32(x), zero), vlen);
    __m512i code = _mm512_min_epi32(n, vmc);
    ty->clips = _mm512_mask_add_epi32(ty->clips, _mm512_cmpgt_epi32_mask(n, vmc), ty->clips, one);
    ty->mis = _mm512_mask_add_epi32(
        ty->mis, _mm512_cmpneq_epi32_mask(code, _mm512_min_epi32(m, vmc)), ty->mis, one);
    ty->lrs = _mm512_add_epi32(ty->lrs, m);
    *xout = x;
    return _mm512_sub_epi32(_mm512_add_epi32(code, code), vlen);
}

__attribute__((target("avx512f,avx512vpopcntdq"))) static void v512_flush(struct v512_tally *ty,
                                                                          struct scim_mvm_stats *st)
{
    st->clips += (uint64_t)(uint32_t)_mm512_reduce_add_epi32(ty->clips);
    st->misreads += (uint64_t)(uint32_t)_mm512_reduce_add_epi32(ty->mis);
    st->cells_lrs += (uint64_t)(uint32_t)_mm512_reduce_add_epi32(ty->lrs);
    ty->clips = ty->mis = ty->lrs = _mm512_setzero_si512();
}

/* near_read on 16 columns. */
__attribute__((target("avx512f"))) static inline __mmask16 v512_near(__m512 x, uint32_t len,
                                                                     uint32_t mc, const float *zs)
{
    const __m512i zero = _mm512_setzero_si512();
    __m512i top = _mm512_set1_epi32((int)(len < mc + 1 ? len : mc + 1));
    __m512i n = _mm512_min_epi32(_mm512_max_epi32(_mm512_cvtps_epi32(x), zero), top);
    __m512 nf = _mm512_cvtepi32_ps(n), half = _mm512_set1_ps(0.5f), inf = _mm512_set1_ps(INFINITY);
    __m512 lo = _mm512_mask_blend_ps(_mm512_cmpgt_epi32_mask(n, zero), inf,
                                     _mm512_sub_ps(x, _mm512_sub_ps(nf, half)));
    __m512 hi = _mm512_mask_blend_ps(_mm512_cmplt_epi32_mask(n, top), inf,
                                     _mm512_sub_ps(_mm512_add_ps(nf, half), x));
    return _mm512_cmp_ps_mask(_mm512_min_ps(lo, hi), _mm512_loadu_ps(zs), _CMP_LT_OQ);
}

/* lut_means_portable (lut_noise.c) with 16 columns per AVX-512 vector. */
__attribute__((target("avx512f,avx512vpopcntdq"))) void
scim__analog_lut_means_v512(struct scim__read_ctx *c, const struct scim_mvm_step *sp)
{
    const struct scim_layer_map *lm = sp->lm;
    const struct scim_analog_layer *al = c->al;
    size_t cp = (size_t)al->cpad;
    int nt = al->nib * al->tabs, nb = al->cpad / 16;
    struct v512_tally ty = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
    uint32_t off[V512_MAX_TERMS];
    for (int k = 0; k < lm->n_chunks; k++) {
        const uint32_t *xc = c->xc + (size_t)k * (size_t)al->nw,
                       *kc = c->kc + (size_t)k * (size_t)al->nw;
        v512_rows(al, xc, kc, off);
        for (int b = 0; b < nb; b++) {
            size_t j0 = (size_t)b * 16;
            __m512 x;
            __m512i v = v512_read(lut_of(al, k) + j0, off, nt, wbits_of(al, k) + j0, cp, xc, kc,
                                  al->nw, sp->lm->has_stuck, c->len[k], lm->max_code, &x, &ty);
            _mm512_storeu_si512(c->acc + j0 + (size_t)k * cp, v);
            c->near[k * nb + b] =
                v512_near(x, c->len[k], lm->max_code, al->zs + (size_t)k * cp + j0);
        }
    }
    v512_flush(&ty, sp->st);
    for (int k = 0; k < lm->n_chunks; k++)
        for (int j = 0; j < lm->layer->out_c; j++)
            sp->s[(size_t)j * (size_t)sp->stride] +=
                c->acc[(size_t)k * cp + (size_t)j] * (1 << sp->shift);
}

/* lut_layer_portable (lut.c) with 16 columns per AVX-512 vector: for each chunk and
 * position, a column block's sums stay in a register over the bit-planes. */
__attribute__((target("avx512f,avx512vpopcntdq"))) void
scim__analog_lut_layer_v512(struct scim__read_ctx *c, const struct scim_layer_map *lm,
                           struct scim_mvm_stats *st)
{
    const struct scim_analog_layer *al = c->al;
    size_t nc = (size_t)lm->n_chunks, nw = (size_t)al->nw, cp = (size_t)al->cpad;
    int planes = lm->planes, nt = al->nib * al->tabs;
    struct v512_tally ty = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
    uint32_t off[8][V512_MAX_TERMS];
    for (size_t k = 0; k < nc; k++) {
        const float *tk = lut_of(al, (int)k);
        const uint32_t *wk = wbits_of(al, (int)k);
        for (int pos = 0; pos < lm->positions; pos++) {
            size_t i0 = (size_t)pos * (size_t)planes;
            for (int p = 0; p < planes; p++) {
                size_t at = (i0 + (size_t)p) * nc + k;
                v512_rows(al, c->xc + at * nw, c->kc + at * nw, off[p]);
            }
            int32_t *acc = c->acc + (size_t)pos * cp;
            for (size_t j0 = 0; j0 < cp; j0 += 16) {
                __m512i a = _mm512_loadu_si512(acc + j0);
                for (int p = 0; p < planes; p++) {
                    size_t at = (i0 + (size_t)p) * nc + k;
                    __m512 x;
                    __m512i v = v512_read(tk + j0, off[p], nt, wk + j0, cp, c->xc + at * nw,
                                          c->kc + at * nw, (int)nw, lm->has_stuck, c->len[at],
                                          lm->max_code, &x, &ty);
                    a = _mm512_add_epi32(a, _mm512_sll_epi32(v, _mm_cvtsi32_si128(p)));
                }
                _mm512_storeu_si512(acc + j0, a);
            }
        }
        v512_flush(&ty, st); /* before 32-bit lanes could overflow */
    }
}
