/*
 * datapath.c - bit-packed XNOR-popcount MVM with the ADC's clipping, and the
 * digital post-processing of a layer.
 */
#include "datapath.h"

#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "sim/base/error.h"
#include "neuron.h"

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
            uint32_t m = jb->mask ? chunk_matches_masked(lm, &lm->chunks[k], jb->x, w, jb->mask, &len)
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
            __m512i xn = _mm512_xor_si512(_mm512_xor_si512(xk, _mm512_loadu_si512(w + (size_t)k * 8)), ones);
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

typedef void (*mvm_fn)(const struct scim_mvm_step *);
static mvm_fn kernel;
static const char *kernel_name;
static void choose_int_conv(int portable);
static void choose_cm_row(int portable);

static void choose_kernel(void)
{
    const char *force = getenv("SPINCIM_PORTABLE");
    __builtin_cpu_init();
    int portable = force && *force && strcmp(force, "0");
    choose_int_conv(portable);
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

const char *scim_popcount_kernel(void)
{
    if (!kernel)
        choose_kernel();
    return kernel_name;
}

/* ---- activations ---- */

static int int_act_alloc(struct scim_act *a, const struct scim_layer_map *lm)
{
    const struct scim_layer *L = lm->layer;
    a->pad = L->kind == SCIM_LAYER_CONV ? L->padding : 0;
    a->hp = a->h + 2 * a->pad;
    a->wp = a->w + 2 * a->pad;
    /* Slack after the image: the stride-1 conv reads up to kernel - 1 bytes past a
     * channel's last row (into columns it then discards). */
    size_t n = (size_t)a->c * (size_t)a->hp * (size_t)a->wp + 64u + (size_t)L->kernel;
    a->pix = calloc(n, 1);
    a->pcnt = calloc(n, 1);
    /* acc: the positions of one channel, then the stride-1 conv's wide buffer. */
    a->acc = calloc((size_t)lm->positions + (size_t)L->out_h * (size_t)a->wp, sizeof(int32_t));
    a->box = calloc((size_t)lm->positions + (size_t)L->out_h * (size_t)a->wp, sizeof(int32_t));
    return a->pix && a->pcnt && a->acc && a->box ? 0 : SCIM_ENOMEM;
}

int scim_act_alloc(struct scim_act *a, const struct scim_layer_map *lm)
{
    const struct scim_layer *L = lm->layer;
    memset(a, 0, sizeof(*a));
    a->planes = lm->planes;
    a->c = L->in_c;
    a->h = L->in_h;
    a->w = L->in_w;
    a->n_words = lm->n_words;
    if (lm->int_path)
        return int_act_alloc(a, lm);
    if (L->kind == SCIM_LAYER_CONV) {
        a->pad = L->padding;
        a->hp = L->in_h + 2 * L->padding;
        a->rows = calloc((size_t)a->planes * (size_t)a->c * (size_t)a->hp, sizeof(uint64_t));
        if (lm->cm) {
            a->cm_words = ((L->in_w + 2 * L->padding) * a->c + 63) / 64;
            a->cm = calloc((size_t)a->planes * (size_t)a->hp * (size_t)a->cm_words,
                           sizeof(uint64_t));
        }
        return a->rows && (a->cm || !lm->cm) ? 0 : SCIM_ENOMEM;
    }
    a->vec = calloc((size_t)a->planes * (size_t)a->n_words, sizeof(uint64_t));
    return a->vec ? 0 : SCIM_ENOMEM;
}

void scim_act_free(struct scim_act *a)
{
    free(a->cm);
    free(a->rows);
    free(a->vec);
    free(a->pix);
    free(a->pcnt);
    free(a->acc);
    free(a->box);
    memset(a, 0, sizeof(*a));
}

void scim_act_clear(struct scim_act *a)
{
    if (a->rows)
        memset(a->rows, 0, (size_t)a->planes * (size_t)a->c * (size_t)a->hp * sizeof(uint64_t));
    if (a->vec)
        memset(a->vec, 0, (size_t)a->planes * (size_t)a->n_words * sizeof(uint64_t));
}

/* Set activation bit (c, y, x) of plane p to +1. */
static void act_set(struct scim_act *a, int p, int c, int y, int x)
{
    if (a->rows) {
        a->rows[((size_t)p * (size_t)a->c + (size_t)c) * (size_t)a->hp + (size_t)(y + a->pad)] |=
            1ull << (x + a->pad);
    } else {
        size_t i = ((size_t)c * (size_t)a->h + (size_t)y) * (size_t)a->w + (size_t)x;
        a->vec[(size_t)p * (size_t)a->n_words + (i >> 6)] |= 1ull << (i & 63);
    }
}

static const uint8_t popcount8[256] = {
#define B2(n) n, n + 1, n + 1, n + 2
#define B4(n) B2(n), B2(n + 1), B2(n + 1), B2(n + 2)
#define B6(n) B4(n), B4(n + 1), B4(n + 1), B4(n + 2)
    B6(0), B6(1), B6(1), B6(2)
#undef B2
#undef B4
#undef B6
};

/* Integer path: the padded pixel image and its per-pixel popcounts (pads are 0). */
static void int_from_pixels(struct scim_act *a, const uint8_t *pixels)
{
    for (int c = 0; c < a->c; c++)
        for (int y = 0; y < a->h; y++) {
            size_t src = ((size_t)c * (size_t)a->h + (size_t)y) * (size_t)a->w;
            size_t dst = ((size_t)c * (size_t)a->hp + (size_t)(y + a->pad)) * (size_t)a->wp +
                         (size_t)a->pad;
            memcpy(a->pix + dst, pixels + src, (size_t)a->w);
            for (int x = 0; x < a->w; x++)
                a->pcnt[dst + (size_t)x] = popcount8[pixels[src + (size_t)x]];
        }
}

void scim_act_from_pixels(struct scim_act *a, const struct scim_layer_map *lm,
                          const uint8_t *pixels)
{
    if (lm->int_path) {
        int_from_pixels(a, pixels);
        return;
    }
    scim_act_clear(a);
    for (int c = 0; c < a->c; c++)
        for (int y = 0; y < a->h; y++)
            for (int x = 0; x < a->w; x++) {
                unsigned v = pixels[((size_t)c * (size_t)a->h + (size_t)y) * (size_t)a->w +
                                    (size_t)x];
                if (lm->planes == 1) {
                    if (v >= 128)
                        act_set(a, 0, c, y, x);
                    continue;
                }
                for (int p = 0; p < 8; p++)
                    if ((v >> p) & 1)
                        act_set(a, p, c, y, x);
            }
}

/* ---- the MVM over positions and planes ---- */

/* Gather the kernel window at (oy, ox) of plane p into x, rows in (c, kh, kw) order. */
static void gather_patch(const struct scim_layer *L, const struct scim_act *a, int p, int oy,
                         int ox, uint64_t *x, int n_words)
{
    int k = L->kernel;
    uint64_t kmask = (k >= 64) ? ~0ull : (1ull << k) - 1;
    if (n_words == 1) /* no library call for the small windows of the first layers */
        x[0] = 0;
    else
        memset(x, 0, (size_t)n_words * sizeof(uint64_t));
    const uint64_t *rows = a->rows + (size_t)p * (size_t)a->c * (size_t)a->hp;
    int off = 0, y0 = oy * L->stride, x0 = ox * L->stride;
    for (int c = 0; c < a->c; c++)
        for (int kh = 0; kh < k; kh++, off += k) {
            uint64_t bits = (rows[(size_t)c * (size_t)a->hp + (size_t)(y0 + kh)] >> x0) & kmask;
            int wi = off >> 6, bi = off & 63;
            x[wi] |= bits << bi;
            if (bi + k > 64)
                x[wi + 1] |= bits >> (64 - bi);
        }
}

/* out[pos] += w * row of img, for one kernel row; w is small (+-1, or a count). */
static inline __attribute__((always_inline)) void add_rows(const struct scim_layer *L,
                                                           const struct scim_act *a,
                                                           const uint8_t *in, int32_t w,
                                                           int32_t *out)
{
    int st = L->stride, ow = L->out_w;
    for (int oy = 0; oy < L->out_h; oy++) {
        const uint8_t *r = in + (size_t)oy * (size_t)st * (size_t)a->wp;
        int32_t *o = out + (size_t)oy * (size_t)ow;
        if (st == 1 && w == 1)
            for (int ox = 0; ox < ow; ox++)
                o[ox] += r[ox];
        else if (st == 1 && w == -1)
            for (int ox = 0; ox < ow; ox++)
                o[ox] -= r[ox];
        else
            for (int ox = 0; ox < ow; ox++)
                o[ox] += w * r[(size_t)ox * (size_t)st];
    }
}

static inline int row_kept(const uint64_t *mask, int row)
{
    return !mask || ((mask[row >> 6] >> (row & 63)) & 1);
}

static inline __attribute__((always_inline)) void widen16(int32_t *restrict o,
                                                          const int16_t *restrict f, int n)
{
    for (int i = 0; i < n; i++)
        o[i] = f[i];
}

/* f[i] = sum_t w[t] img[off[t] + i] for i < n, 32 lanes at a time held in registers
 * over the terms (one store per lane instead of one per term). */
typedef int16_t i16x32 __attribute__((vector_size(64)));
typedef uint8_t u8x32 __attribute__((vector_size(32)));

static inline __attribute__((always_inline)) void sum_shifted16(int16_t *f, const uint8_t *img,
                                                                const int32_t *off,
                                                                const int16_t *w, int nt, int n)
{
    int i0 = 0;
    for (; i0 + 32 <= n; i0 += 32) {
        i16x32 acc = {0};
        for (int t = 0; t < nt; t++) {
            u8x32 x;
            memcpy(&x, img + off[t] + i0, sizeof(x));
            acc += __builtin_convertvector(x, i16x32) * w[t];
        }
        memcpy(f + i0, &acc, sizeof(acc));
    }
    for (; i0 < n; i0++) {
        int32_t acc = 0;
        for (int t = 0; t < nt; t++)
            acc += w[t] * img[off[t] + i0];
        f[i0] = (int16_t)acc;
    }
}

#define WIDE_TERMS 256 /* kernel elements the 16-bit path keeps on the stack, at most */

/* Stride 1: each kernel element adds the whole image shifted by (kh, kw) into a
 * buffer of out_h rows of the padded width; columns beyond out_w are discarded. The
 * buffer has 16-bit lanes (twice the vector width) when no sum can leave them:
 * sum |w| * 255 <= INT16_MAX. */
static inline __attribute__((always_inline)) void int_conv_wide(const struct scim_layer *L,
                                                                const struct scim_act *a,
                                                                const int8_t *wj,
                                                                const int16_t *wk,
                                                                const uint64_t *mask,
                                                                const uint8_t *img, int32_t *out)
{
    int k = L->kernel, n = L->out_h * a->wp, nt = 0;
    int32_t *full = out + (size_t)L->out_h * (size_t)L->out_w, off[WIDE_TERMS];
    int16_t w16[WIDE_TERMS];
    int64_t bound = 0;
    for (int c = 0, row = 0; c < a->c; c++)
        for (int kh = 0; kh < k; kh++)
            for (int kw = 0; kw < k; kw++, row++) {
                int32_t w = !row_kept(mask, row) ? 0 : wj ? wj[row] : wk[row];
                bound += abs(w);
                if (w != 0 && nt < WIDE_TERMS)
                    off[nt] = (c * a->hp + kh) * a->wp + kw, w16[nt++] = (int16_t)w;
            }
    if (bound * 255 <= INT16_MAX && nt < WIDE_TERMS) {
        int16_t *f16 = (int16_t *)full;
        sum_shifted16(f16, img, off, w16, nt, n);
        for (int oy = 0; oy < L->out_h; oy++)
            widen16(out + (size_t)oy * (size_t)L->out_w, f16 + (size_t)oy * (size_t)a->wp,
                    L->out_w);
        return;
    }
    memset(full, 0, (size_t)n * sizeof(int32_t));
    for (int c = 0, row = 0; c < a->c; c++)
        for (int kh = 0; kh < k; kh++)
            for (int kw = 0; kw < k; kw++, row++) {
                const uint8_t *src =
                    img + ((size_t)c * (size_t)a->hp + (size_t)kh) * (size_t)a->wp + (size_t)kw;
                int32_t w = !row_kept(mask, row) ? 0 : wj ? wj[row] : wk[row];
                if (w == 1)
                    for (int i = 0; i < n; i++)
                        full[i] += src[i];
                else if (w == -1)
                    for (int i = 0; i < n; i++)
                        full[i] -= src[i];
                else if (w != 0)
                    for (int i = 0; i < n; i++)
                        full[i] += w * src[i];
            }
    for (int oy = 0; oy < L->out_h; oy++)
        memcpy(out + (size_t)oy * (size_t)L->out_w, full + (size_t)oy * (size_t)a->wp,
               (size_t)L->out_w * sizeof(int32_t));
}

/* out[pos] = sum over rows of w[row] * img[window(pos) + row], for one output channel. */
static inline __attribute__((always_inline)) void int_conv_body(const struct scim_layer *L,
                                                                const struct scim_act *a,
                                                                const int8_t *wj,
                                                                const int16_t *wk,
                                                                const uint64_t *mask,
                                                                const uint8_t *img, int32_t *out)
{
    int k = L->kernel;
    if (L->stride == 1) {
        int_conv_wide(L, a, wj, wk, mask, img, out);
        return;
    }
    memset(out, 0, (size_t)L->out_h * (size_t)L->out_w * sizeof(int32_t));
    for (int c = 0, row = 0; c < a->c; c++)
        for (int kh = 0; kh < k; kh++)
            for (int kw = 0; kw < k; kw++, row++) {
                const uint8_t *in =
                    img + ((size_t)c * (size_t)a->hp + (size_t)kh) * (size_t)a->wp + (size_t)kw;
                if (row_kept(mask, row))
                    add_rows(L, a, in, wj ? wj[row] : wk[row], out);
            }
}

static void int_conv_portable(const struct scim_layer *L, const struct scim_act *a,
                              const int8_t *wj, const int16_t *wk, const uint64_t *mask,
                              const uint8_t *img, int32_t *out)
{
    int_conv_body(L, a, wj, wk, mask, img, out);
}

__attribute__((target("avx2"))) static void int_conv_avx2(const struct scim_layer *L,
                                                          const struct scim_act *a,
                                                          const int8_t *wj, const int16_t *wk,
                                                          const uint64_t *mask,
                                                          const uint8_t *img, int32_t *out)
{
    int_conv_body(L, a, wj, wk, mask, img, out);
}

__attribute__((target("avx512f,avx512bw"))) static void
int_conv_avx512(const struct scim_layer *L, const struct scim_act *a, const int8_t *wj,
                const int16_t *wk, const uint64_t *mask, const uint8_t *img, int32_t *out)
{
    int_conv_body(L, a, wj, wk, mask, img, out);
}

typedef void (*int_conv_fn)(const struct scim_layer *, const struct scim_act *, const int8_t *,
                            const int16_t *, const uint64_t *, const uint8_t *, int32_t *);
static int_conv_fn int_conv;

static int64_t int_dot(const int8_t *w, const int16_t *wk, const uint64_t *mask,
                       const uint8_t *x, int n)
{
    int64_t acc = 0;
    for (int i = 0; i < n; i++)
        if (row_kept(mask, i))
            acc += (w ? w[i] : wk[i]) * (int32_t)x[i];
    return acc;
}

/* Column sum of the kept rows' weights, and the low-resistance cells the kept
 * rows hold at pixel 0 (lrs_base restricted to them). */
static void kept_sums(const struct scim_layer_map *lm, const uint64_t *mask, int j,
                      int32_t *wsum)
{
    int n = lm->n_rows;
    int32_t acc = 0;
    for (int i = 0; i < n; i++)
        acc += row_kept(mask, i) ? lm->wrow[(size_t)j * (size_t)n + (size_t)i] : 0;
    *wsum = acc;
}

static int64_t kept_lrs_base(const struct scim_layer_map *lm, const uint64_t *mask)
{
    int64_t base = 0;
    for (int i = 0; i < lm->n_rows; i++)
        if (row_kept(mask, i))
            base += 8 * (int64_t)((lm->layer->out_c - lm->lrs_k[i]) / 2);
    return base;
}

/* The comparator on one output row: bit ox set when lo <= v[ox] <= hi. */
static uint64_t compare_row_portable(const int32_t *v, int n, int32_t lo, int32_t hi)
{
    uint64_t m = 0;
    for (int ox = 0; ox < n; ox++)
        m |= (uint64_t)((v[ox] >= lo) & (v[ox] <= hi)) << ox;
    return m;
}

__attribute__((target("avx512f"))) static uint64_t compare_row_v512(const int32_t *v, int n,
                                                                    int32_t lo, int32_t hi)
{
    const __m512i vlo = _mm512_set1_epi32(lo), vhi = _mm512_set1_epi32(hi);
    uint64_t m = 0;
    int ox = 0;
    for (; ox < n; ox += 16) { /* the last step loads only the remaining outputs */
        __mmask16 live = n - ox >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - ox)) - 1);
        __m512i x = _mm512_maskz_loadu_epi32(live, v + ox);
        __mmask16 k = _mm512_mask_cmple_epi32_mask(_mm512_mask_cmpge_epi32_mask(live, x, vlo), x, vhi);
        m |= (uint64_t)k << ox;
    }
    return m;
}

static uint64_t (*compare_row)(const int32_t *, int, int32_t, int32_t) = compare_row_portable;

static void choose_int_conv(int portable)
{
    choose_cm_row(portable);
    int_conv = portable                               ? int_conv_portable
               : __builtin_cpu_supports("avx512bw") ? int_conv_avx512
               : __builtin_cpu_supports("avx2")     ? int_conv_avx2
                                                    : int_conv_portable;
    compare_row = !portable && __builtin_cpu_supports("avx512f") ? compare_row_v512
                                                                : compare_row_portable;
}

/* The integer path of a bit-serial layer that cannot clip (see mapping.c). */
static void mvm_int(const struct scim_layer_map *lm, const struct scim_act *a,
                    const uint64_t *mask, int32_t *s, struct scim_mvm_stats *st)
{
    const struct scim_layer *L = lm->layer;
    int C = L->out_c, n = lm->n_rows, np = lm->positions;
    int64_t lrs = 0;
    /* With +-1 weights, sum w x = 2 (sum over the +1 rows of x) - (sum of x): each
     * channel adds only its +1 rows; the window sums are shared by all channels. */
    if (L->kind == SCIM_LAYER_CONV)
        int_conv(L, a, lm->wones, NULL, mask, a->pix, a->box);
    for (int j = 0; j < C; j++) {
        int32_t wsum = lm->wsum[j];
        if (mask)
            kept_sums(lm, mask, j, &wsum);
        if (L->kind == SCIM_LAYER_CONV) {
            int_conv(L, a, lm->wplus + (size_t)j * (size_t)n, NULL, mask, a->pix, a->acc);
            for (int p = 0; p < np; p++)
                s[(size_t)j * (size_t)np + (size_t)p] = 2 * (2 * a->acc[p] - a->box[p]) - 255 * wsum;
        } else {
            s[j] = (int32_t)(2 * int_dot(lm->wrow + (size_t)j * (size_t)n, NULL, mask, a->pix, n) -
                             255 * wsum);
        }
    }
    if (L->kind == SCIM_LAYER_CONV) {
        int_conv(L, a, NULL, lm->lrs_k, mask, a->pcnt, a->acc);
        for (int p = 0; p < np; p++)
            lrs += a->acc[p];
    } else {
        lrs = int_dot(NULL, lm->lrs_k, mask, a->pcnt, n);
    }
    st->cells_lrs += (uint64_t)(lrs + (int64_t)np * (mask ? kept_lrs_base(lm, mask) : lm->lrs_base));
}

/* Wordlines and cells that stay off because their rows are dropped. */
static void count_dropped(const struct scim_layer_map *lm, const uint64_t *mask,
                          struct scim_mvm_stats *st, int *n_active)
{
    int kept = 0;
    for (int k = 0; k < lm->n_words; k++)
        kept += __builtin_popcountll(mask[k]);
    uint64_t off = (uint64_t)(lm->n_rows - kept) * (uint64_t)lm->positions * (uint64_t)lm->planes;
    st->wordlines_off += off * (uint64_t)lm->col_tiles;
    st->cells_off += off * (uint64_t)lm->layer->out_c;
    *n_active = kept;
}

void scim_mvm_digital_step(const struct scim_mvm_step *step, void *ctx)
{
    (void)ctx;
    kernel(step);
}

/* ---- channel-minor windows (mapping.h) ---- */

/* Bits o .. o + n - 1 of a bit string (n <= 64). */
static inline uint64_t cm_get_bits(const uint64_t *src, int o, int n)
{
    int w = o >> 6, b = o & 63;
    uint64_t v = src[w] >> b;
    if (b + n > 64)
        v |= src[w + 1] << (64 - b);
    return n == 64 ? v : v & ((1ull << n) - 1);
}

static inline void cm_put_bits(uint64_t *dst, int o, uint64_t v, int n)
{
    int w = o >> 6, b = o & 63;
    dst[w] |= v << b;
    if (b + n > 64)
        dst[w + 1] |= v >> (64 - b);
}

/* One row of plane p in channel-minor order: bit x C + c = bit x of channel c's row. */
static void cm_row_portable(const uint64_t *rows, size_t stride, int C, int wp, uint64_t *out,
                            int words)
{
    memset(out, 0, (size_t)words * sizeof(uint64_t));
    for (int c = 0; c < C; c++)
        for (uint64_t b = rows[(size_t)c * stride]; b; b &= b - 1) {
            int i = __builtin_ctzll(b) * C + c;
            out[i >> 6] |= 1ull << (i & 63);
        }
    (void)wp;
}

/* The same by deposits: 64 / C pixels per word, channel c's bits every C bits from c. */
__attribute__((target("bmi2"))) static void cm_row_pdep(const uint64_t *rows, size_t stride,
                                                         int C, int wp, uint64_t *out, int words)
{
    int ppw = 64 / C;
    uint64_t low = ppw == 64 ? ~0ull : (1ull << ppw) - 1, pattern = 0;
    for (int i = 0; i < ppw; i++)
        pattern |= 1ull << (i * C);
    memset(out, 0, (size_t)words * sizeof(uint64_t));
    for (int c = 0; c < C; c++) {
        uint64_t b = rows[(size_t)c * stride], m = pattern << c;
        for (int t = 0; t < words && t * ppw < wp; t++)
            out[t] |= _pdep_u64((b >> (t * ppw)) & low, m);
    }
}

static void (*cm_row)(const uint64_t *, size_t, int, int, uint64_t *, int) = cm_row_portable;

static void choose_cm_row(int portable)
{
    cm_row = !portable && __builtin_cpu_supports("bmi2") ? cm_row_pdep : cm_row_portable;
}

/* The input window of position (oy, ox) in channel-minor row order: per kernel row kh,
 * the k C bits from pixel ox (stride applied) of input row oy + kh. */
static void gather_cm(const struct scim_layer *L, const struct scim_act *a, int p, int oy,
                      int ox, uint64_t *x, int n_words)
{
    int C = a->c, k = L->kernel, run = k * C, soff = ox * L->stride * C;
    memset(x, 0, (size_t)n_words * sizeof(uint64_t));
    for (int kh = 0; kh < k; kh++) {
        const uint64_t *src =
            a->cm + ((size_t)p * (size_t)a->hp + (size_t)(oy * L->stride + kh)) * (size_t)a->cm_words;
        for (int i = 0; i < run; i += 64) {
            int n = run - i < 64 ? run - i : 64;
            cm_put_bits(x, kh * run + i, cm_get_bits(src, soff + i, n), n);
        }
    }
}

/* Digital reads of a channel-minor layer: the activations transposed once, then each
 * window gathered as k runs of bits and summed against the permuted weights. */
static void mvm_steps_cm(const struct scim_layer_map *lm, const struct scim_act *a, int32_t *s,
                         uint64_t *scratch, struct scim_mvm_stats *st)
{
    const struct scim_layer *L = lm->layer;
    int wp = L->in_w + 2 * L->padding;
    for (int p = 0; p < lm->planes; p++)
        for (int y = 0; y < a->hp; y++)
            cm_row(a->rows + (size_t)p * (size_t)a->c * (size_t)a->hp + (size_t)y, (size_t)a->hp,
                   a->c, wp, a->cm + ((size_t)p * (size_t)a->hp + (size_t)y) * (size_t)a->cm_words,
                   a->cm_words);
    memset(s, 0, (size_t)lm->positions * (size_t)L->out_c * sizeof(int32_t));
    struct scim_mvm_step step = {lm->cm, scratch, NULL, lm->positions, 0, st, NULL, lm->n_rows, 0};
    for (int pos = 0; pos < lm->positions; pos++) {
        step.s = s + pos;
        step.pos = pos;
        for (int p = 0; p < lm->planes; p++) {
            gather_cm(L, a, p, pos / L->out_w, pos % L->out_w, scratch, lm->n_words);
            step.shift = p;
            kernel(&step);
        }
    }
}

void scim_mvm_steps(const struct scim_layer_map *lm, const struct scim_act *a, const uint64_t *mask,
                    int32_t *s, uint64_t *scratch, struct scim_mvm_stats *st, scim_step_fn fn,
                    void *ctx)
{
    const struct scim_layer *L = lm->layer;
    int n_active = lm->n_rows;
    if (!kernel)
        choose_kernel();
    if (mask)
        count_dropped(lm, mask, st, &n_active);
    if (lm->cm && a->cm && !mask && fn == scim_mvm_digital_step) {
        mvm_steps_cm(lm, a, s, scratch, st);
        return;
    }
    memset(s, 0, (size_t)lm->positions * (size_t)L->out_c * sizeof(int32_t));
    struct scim_mvm_step step = {lm, NULL, NULL, lm->positions, 0, st, mask, n_active, 0};
    for (int pos = 0; pos < lm->positions; pos++) {
        step.s = s + pos;
        step.pos = pos;
        for (int p = 0; p < lm->planes; p++) {
            if (a->rows) {
                gather_patch(L, a, p, pos / L->out_w, pos % L->out_w, scratch, lm->n_words);
                step.x = scratch;
            } else {
                step.x = a->vec + (size_t)p * (size_t)lm->n_words;
            }
            step.shift = p;
            fn(&step, ctx);
        }
    }
}

void scim_mvm(const struct scim_layer_map *lm, const struct scim_act *a, const uint64_t *mask,
              int32_t *s, uint64_t *scratch, struct scim_mvm_stats *st)
{
    if (lm->int_path) {
        if (!kernel)
            choose_kernel();
        if (mask) {
            int n_active;
            count_dropped(lm, mask, st, &n_active);
        }
        mvm_int(lm, a, mask, s, st);
        return;
    }
    scim_mvm_steps(lm, a, mask, s, scratch, st, scim_mvm_digital_step, NULL);
}

/* ---- digital post-processing ---- */


/* What the comparator stage needs to decide an output: the sums, the scale
 * variant, and for inverted normalization the layer's mean and variance. */
struct post {
    const struct scim_layer_map *lm;
    const int32_t *s;
    int variant;
    const struct scim_act *res; /* residual layer: the source's output, else NULL */
    double mean, var; /* inverted normalization only */
};

static double post_v(const struct post *p, int j, int pos)
{
    const struct scim_layer_map *lm = p->lm;
    double s = (double)p->s[(size_t)j * (size_t)lm->positions + (size_t)pos];
    return scim_affine_v(lm->layer, j, s, lm->input_scale, p->variant);
}

/* The shortcut of channel j (< res_c) along output row oy: bit ox set when
 * r(j, oy, ox) = +1, read from the source's output with the layer's stride (model.h). */
static uint64_t shortcut_row(const struct post *p, int j, int oy)
{
    const struct scim_layer_map *lm = p->lm;
    const struct scim_act *a = p->res;
    int st = lm->res_stride, n = lm->layer->out_w, y = oy * st;
    uint64_t m = 0;
    if (a->rows) { /* the next conv layer's padded rows */
        uint64_t row = a->rows[(size_t)j * (size_t)a->hp + (size_t)(y + a->pad)] >> a->pad;
        for (int ox = 0; ox < n; ox++)
            m |= ((row >> (ox * st)) & 1) << ox;
        return m;
    }
    size_t base = ((size_t)j * (size_t)lm->res_h + (size_t)y) * (size_t)lm->res_w;
    for (int ox = 0; ox < n; ox++) { /* a linear layer's (c, y, x) vector */
        size_t b = base + (size_t)ox * (size_t)st;
        m |= ((a->vec[b >> 6] >> (b & 63)) & 1) << ox;
    }
    return m;
}

static uint64_t compare_thr(const struct post *p, const int32_t *v, int r, int j)
{
    const struct scim_threshold *th = &p->lm->thr[scim_thr_index(p->lm, p->variant, r, j)];
    return compare_row(v, p->lm->layer->out_w, th->lo, th->hi);
}

/* Sign bits of channel j along output row oy, as a mask over ox (out_w <= 64). The
 * shortcut r is +-1 on the source's channels, 0 on the zero-padded ones. */
static uint64_t row_bits(const struct post *p, int j, int oy)
{
    const struct scim_layer_map *lm = p->lm;
    const struct scim_layer *L = lm->layer;
    int res = p->res && j < lm->res_c;
    uint64_t m = 0, rb = res ? shortcut_row(p, j, oy) : 0;
    if (L->norm_layer) {
        for (int ox = 0; ox < L->out_w; ox++) {
            double y = scim_layernorm_y(post_v(p, j, oy * L->out_w + ox), p->mean, p->var, L->bn_eps);
            int r = res ? 2 * (int)((rb >> ox) & 1) - 1 : 0;
            m |= (uint64_t)scim_neuron_bit(scim_residual_y(L, y, r)) << ox;
        }
        return m;
    }
    const int32_t *v = p->s + (size_t)j * (size_t)lm->positions + (size_t)oy * (size_t)L->out_w;
    if (!res)
        return compare_thr(p, v, 0, j);
    return (rb & compare_thr(p, v, 1, j)) | (~rb & compare_thr(p, v, -1, j));
}

/* Pooled row py of channel j: max = any +1 in the window; avg = majority, ties +1. */
static uint64_t pooled_row(const struct post *p, int j, int py)
{
    const struct scim_layer *L = p->lm->layer;
    int ps = L->pool_size;
    uint64_t rows[64], any = 0, out = 0;
    for (int dy = 0; dy < ps; dy++)
        any |= rows[dy] = row_bits(p, j, py * ps + dy);
    uint64_t wmask = ps >= 64 ? ~0ull : (1ull << ps) - 1;
    for (int px = 0; px < L->pooled_w; px++) {
        int bit;
        if (L->pool == SCIM_POOL_MAX) {
            bit = ((any >> (px * ps)) & wmask) != 0;
        } else {
            int ones = 0;
            for (int dy = 0; dy < ps; dy++)
                ones += __builtin_popcountll((rows[dy] >> (px * ps)) & wmask);
            bit = 2 * ones >= ps * ps;
        }
        out |= (uint64_t)bit << px;
    }
    return out;
}

/* Layer normalization statistics of v over every output of the layer (two passes,
 * population variance). */
static void layer_stats(struct post *p)
{
    const struct scim_layer *L = p->lm->layer;
    int np = p->lm->positions;
    double n = (double)np * L->out_c, sum = 0.0, ss = 0.0;
    for (int j = 0; j < L->out_c; j++)
        for (int pos = 0; pos < np; pos++)
            sum += post_v(p, j, pos);
    p->mean = sum / n;
    for (int j = 0; j < L->out_c; j++)
        for (int pos = 0; pos < np; pos++) {
            double dv = post_v(p, j, pos) - p->mean;
            ss += dv * dv;
        }
    p->var = ss / n;
}

/* Append the n low bits of m at bit offset off of a packed vector. */
static void put_bits(uint64_t *vec, size_t off, uint64_t m, int n)
{
    if (!m)
        return;
    size_t w = off >> 6;
    unsigned b = (unsigned)(off & 63);
    vec[w] |= m << b;
    if (b + (unsigned)n > 64)
        vec[w + 1] |= m >> (64 - b);
}

void scim_postprocess(const struct scim_layer_map *lm, const int32_t *s, int variant,
                      const struct scim_act *shortcut, struct scim_act *next, double *logits)
{
    if (!kernel)
        choose_kernel();
    const struct scim_layer *L = lm->layer;
    struct post p = {lm, s, variant, lm->thr_sets > 1 ? shortcut : NULL, 0.0, 0.0};
    if (L->norm_layer)
        layer_stats(&p);
    if (!next) {
        for (int j = 0; j < L->out_c; j++)
            logits[j] = L->norm_layer ? scim_layernorm_y(post_v(&p, j, 0), p.mean, p.var, L->bn_eps)
                                      : scim_neuron_y(L, j, (double)s[j], lm->input_scale, variant);
        return;
    }
    scim_act_clear(next);
    for (int j = 0; j < L->out_c; j++)
        for (int py = 0; py < L->pooled_h; py++) {
            uint64_t m = L->pool == SCIM_POOL_NONE ? row_bits(&p, j, py) : pooled_row(&p, j, py);
            if (next->rows) /* the next conv layer's padded row */
                next->rows[(size_t)j * (size_t)next->hp + (size_t)(py + next->pad)] |=
                    m << next->pad;
            else /* flattened in (c, y, x) order of this layer's output */
                put_bits(next->vec,
                         ((size_t)j * (size_t)L->pooled_h + (size_t)py) * (size_t)L->pooled_w, m,
                         L->pooled_w);
        }
}

