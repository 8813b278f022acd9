/*
 * datapath_kernel.c - the MVM kernel of the datapath: bit-packed XNOR-popcount reads of
 * one step (position, bit-plane) with the ADC's clipping, compiled once per popcount
 * flavour (portable, popcnt, AVX-512 VPOPCNTQ), and the choice of every kernel of the
 * datapath by the features of the CPU it runs on.
 */
#include "datapath.h"

#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "datapath_internal.h"

/* ---- the MVM kernel, compiled once per popcount flavour ---- */

static inline __attribute__((always_inline)) uint32_t chunk_matches(const struct scim_layer_map *lm,
                                                                    const struct scim_chunk *c,
                                                                    const uint64_t *x,
                                                                    const uint64_t *w)
{
    uint32_t m = 0;
    const struct scim_seg *sg = lm->segs + c->first_seg;
    for (uint32_t k = 0; k < c->n_seg; k++)
        m += (uint32_t)__builtin_popcountll(~(x[sg[k].word] ^ w[sg[k].word]) & sg[k].mask);
    return m;
}

/* The same with dropped rows left out: a dropped row's two wordlines stay off. */
static inline __attribute__((always_inline)) uint32_t chunk_matches_masked(
    const struct scim_layer_map *lm, const struct scim_chunk *c, const uint64_t *x,
    const uint64_t *w, const uint64_t *mask, int32_t *len)
{
    uint32_t m = 0;
    int32_t n = 0;
    const struct scim_seg *sg = lm->segs + c->first_seg;
    for (uint32_t k = 0; k < c->n_seg; k++) {
        uint64_t keep = sg[k].mask & mask[sg[k].word];
        m += (uint32_t)__builtin_popcountll(~(x[sg[k].word] ^ w[sg[k].word]) & keep);
        n += __builtin_popcountll(keep);
    }
    *len = n;
    return m;
}

/* Every column reads every chunk; the ADC clips each chunk's match count. */
static inline __attribute__((always_inline)) void mvm_chunked(const struct scim_mvm_step *jb)
{
    const struct scim_layer_map *lm = jb->lm;
    int out = lm->layer->out_c;
    for (int j = 0; j < out; j++) {
        const uint64_t *w = lm->wbits + (size_t)j * (size_t)lm->n_words;
        int32_t sb = 0;
        for (int k = 0; k < lm->n_chunks; k++) {
            int32_t len = (int32_t)lm->chunks[k].len;
            uint32_t m = jb->mask
                             ? chunk_matches_masked(lm, &lm->chunks[k], jb->x, w, jb->mask, &len)
                             : chunk_matches(lm, &lm->chunks[k], jb->x, w);
            uint32_t code = m > lm->max_code ? lm->max_code : m;
            jb->st->clips += m > lm->max_code;
            jb->st->cells_lrs += m;
            sb += 2 * (int32_t)code - len;
        }
        jb->s[(size_t)j * (size_t)jb->stride] += sb * (1 << jb->shift);
    }
}

/* Accumulate the match counts m of column group g into the sums; returns their total
 * (the low-resistance cells read). */
static inline __attribute__((always_inline)) uint64_t store_group(const struct scim_mvm_step *jb,
                                                                  int g, int out, const uint64_t *m)
{
    uint64_t lrs = 0;
    int cols = out - g * 8 < 8 ? out - g * 8 : 8;
    for (int c = 0; c < cols; c++) {
        lrs += m[c];
        jb->s[(size_t)(g * 8 + c) * (size_t)jb->stride] +=
            (2 * (int32_t)m[c] - jb->lm->n_rows) * (1 << jb->shift);
    }
    return lrs;
}

/* No chunk can exceed the ADC's range: the sum of the chunks is one popcount per
 * column, taken 8 columns at a time from the column-group layout. */
static inline __attribute__((always_inline)) void mvm_whole(const struct scim_mvm_step *jb)
{
    const struct scim_layer_map *lm = jb->lm;
    int out = lm->layer->out_c, nw = lm->n_words;
    const uint64_t *x = jb->x;
    uint64_t lrs = 0;
    for (int g = 0; g < lm->n_groups; g++) {
        const uint64_t *w = lm->wgroup + (size_t)g * (size_t)nw * 8;
        uint64_t m[8] = {0};
        for (int k = 0; k < nw; k++) {
            uint64_t xk = x[k], keep = k == nw - 1 ? lm->last_mask : ~0ull;
            for (int c = 0; c < 8; c++)
                m[c] += (uint64_t)__builtin_popcountll(~(xk ^ w[(size_t)k * 8 + (size_t)c]) & keep);
        }
        lrs += store_group(jb, g, out, m);
    }
    jb->st->cells_lrs += lrs;
}

/* As mvm_whole, counting only the kept rows. */
static inline __attribute__((always_inline)) void mvm_whole_masked(const struct scim_mvm_step *jb)
{
    const struct scim_layer_map *lm = jb->lm;
    int out = lm->layer->out_c, nw = lm->n_words;
    const uint64_t *x = jb->x, *mk = jb->mask;
    uint64_t lrs = 0;
    for (int j = 0; j < out; j++) {
        const uint64_t *w = lm->wbits + (size_t)j * (size_t)nw;
        uint32_t m = 0;
        for (int k = 0; k < nw; k++)
            m += (uint32_t)__builtin_popcountll(~(x[k] ^ w[k]) & mk[k]);
        lrs += m;
        jb->s[(size_t)j * (size_t)jb->stride] += (2 * (int32_t)m - jb->n_active) * (1 << jb->shift);
    }
    jb->st->cells_lrs += lrs;
}

/* A layer with stuck pairs (faults.h): rows that read the same whatever the input
 * leave the XNOR and count as matches (both cells in P) or not at all (both in AP),
 * per read chunk so that the ADC still clips each read. */
static void mvm_stuck(const struct scim_mvm_step *jb)
{
    const struct scim_layer_map *lm = jb->lm;
    int out = lm->layer->out_c, nw = lm->n_words;
    uint64_t lrs = 0;
    for (int j = 0; j < out; j++) {
        const uint64_t *w = lm->wbits + (size_t)j * (size_t)nw;
        const uint64_t *keep = lm->wkeep + (size_t)j * (size_t)nw;
        const uint64_t *match = lm->wmatch + (size_t)j * (size_t)nw;
        int32_t sb = 0;
        for (int k = 0; k < lm->n_chunks; k++) {
            const struct scim_chunk *c = &lm->chunks[k];
            const struct scim_seg *sg = lm->segs + c->first_seg;
            uint32_t m = 0;
            int32_t len = 0;
            for (uint32_t q = 0; q < c->n_seg; q++) {
                uint64_t rows = sg[q].mask & (jb->mask ? jb->mask[sg[q].word] : ~0ull);
                size_t at = sg[q].word;
                m += (uint32_t)__builtin_popcountll(~(jb->x[at] ^ w[at]) & keep[at] & rows);
                m += (uint32_t)__builtin_popcountll(match[at] & rows);
                len += __builtin_popcountll(rows);
            }
            uint32_t code = m > lm->max_code ? lm->max_code : m;
            jb->st->clips += m > lm->max_code;
            lrs += m;
            sb += 2 * (int32_t)code - len;
        }
        jb->s[(size_t)j * (size_t)jb->stride] += sb * (1 << jb->shift);
    }
    jb->st->cells_lrs += lrs;
}

static inline __attribute__((always_inline)) void mvm_body(const struct scim_mvm_step *jb)
{
    if (jb->lm->has_stuck)
        mvm_stuck(jb);
    else if (jb->lm->clip_possible)
        mvm_chunked(jb);
    else if (jb->mask)
        mvm_whole_masked(jb);
    else
        mvm_whole(jb);
}

static void mvm_portable(const struct scim_mvm_step *jb)
{
    mvm_body(jb);
}

__attribute__((target("popcnt"))) static void mvm_popcnt(const struct scim_mvm_step *jb)
{
    mvm_body(jb);
}

/* mvm_whole with AVX-512: 8 columns per step, VPOPCNTQ on XNOR words. */
__attribute__((target("avx512f,avx512vpopcntdq"))) static void
mvm_whole_v512(const struct scim_mvm_step *jb)
{
    const struct scim_layer_map *lm = jb->lm;
    int out = lm->layer->out_c, nw = lm->n_words;
    const __m512i ones = _mm512_set1_epi64(-1), last = _mm512_set1_epi64((long long)lm->last_mask);
    uint64_t lrs = 0, m[8];
    for (int g = 0; g < lm->n_groups; g++) {
        const uint64_t *w = lm->wgroup + (size_t)g * (size_t)nw * 8;
        __m512i acc = _mm512_setzero_si512();
        for (int k = 0; k < nw; k++) {
            __m512i xk = _mm512_set1_epi64((long long)jb->x[k]);
            __m512i xn =
                _mm512_xor_si512(_mm512_xor_si512(xk, _mm512_loadu_si512(w + (size_t)k * 8)), ones);
            if (k == nw - 1)
                xn = _mm512_and_si512(xn, last);
            acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(xn));
        }
        _mm512_storeu_si512(m, acc);
        lrs += store_group(jb, g, out, m);
    }
    jb->st->cells_lrs += lrs;
}

__attribute__((target("avx512f,avx512vpopcntdq,popcnt"))) static void
mvm_avx512(const struct scim_mvm_step *jb)
{
    if (!jb->lm->clip_possible && !jb->mask && !jb->lm->has_stuck)
        mvm_whole_v512(jb);
    else
        mvm_body(jb);
}
static scim_dp_reads_fn kernel;
static const char *kernel_name;

static void choose_kernel(void)
{
    const char *force = getenv("SPINCIM_PORTABLE");
    __builtin_cpu_init();
    int portable = force && *force && strcmp(force, "0");
    scim_dp_choose_cm_row(portable);
    scim_dp_choose_int_conv(portable);
    scim_dp_choose_compare_row(portable);
    if (portable) {
        kernel = mvm_portable, kernel_name = "portable";
    } else if (__builtin_cpu_supports("avx512vpopcntdq")) {
        kernel = mvm_avx512, kernel_name = "avx512-vpopcntdq";
    } else if (__builtin_cpu_supports("popcnt")) {
        kernel = mvm_popcnt, kernel_name = "popcnt";
    } else {
        kernel = mvm_portable, kernel_name = "portable";
    }
}

void scim_dp_choose_kernels(void)
{
    if (!kernel)
        choose_kernel();
}

scim_dp_reads_fn scim_dp_kernel(void)
{
    scim_dp_choose_kernels();
    return kernel;
}

const char *scim_popcount_kernel(void)
{
    if (!kernel)
        choose_kernel();
    return kernel_name;
}

void scim_mvm_digital_step(const struct scim_mvm_step *step, void *ctx)
{
    (void)ctx;
    kernel(step);
}
