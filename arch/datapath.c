/*
 * datapath.c - bit-packed XNOR-popcount MVM with the ADC's clipping, and the
 * digital post-processing of a layer.
 */
#include "datapath.h"

#include <stdlib.h>
#include <string.h>

#include "../sim/error.h"
#include "neuron.h"

/* ---- the MVM kernel, compiled once per popcount flavour ---- */

struct mvm_job {
    const struct scim_layer_map *lm;
    const uint64_t *x;  /* packed input vector of one position and plane */
    int32_t *s;         /* out_c partial sums to add into */
    int shift;          /* plane weight 2^shift */
    struct scim_mvm_stats *st;
};

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

/* Every column reads every chunk; the ADC clips each chunk's match count. */
static inline __attribute__((always_inline)) void mvm_chunked(const struct mvm_job *jb)
{
    const struct scim_layer_map *lm = jb->lm;
    int out = lm->layer->out_c;
    for (int j = 0; j < out; j++) {
        const uint64_t *w = lm->wbits + (size_t)j * (size_t)lm->n_words;
        int32_t sb = 0;
        for (int k = 0; k < lm->n_chunks; k++) {
            uint32_t m = chunk_matches(lm, &lm->chunks[k], jb->x, w);
            uint32_t code = m > lm->max_code ? lm->max_code : m;
            jb->st->clips += m > lm->max_code;
            jb->st->cells_lrs += m;
            sb += 2 * (int32_t)code - (int32_t)lm->chunks[k].len;
        }
        jb->s[j] += sb * (1 << jb->shift);
    }
}

/* No chunk can exceed the ADC's range: the sum of the chunks is one popcount. */
static inline __attribute__((always_inline)) void mvm_whole(const struct mvm_job *jb)
{
    const struct scim_layer_map *lm = jb->lm;
    int out = lm->layer->out_c, nw = lm->n_words;
    const uint64_t *x = jb->x;
    uint64_t lrs = 0;
    for (int j = 0; j < out; j++) {
        const uint64_t *w = lm->wbits + (size_t)j * (size_t)nw;
        uint32_t m = 0;
        for (int k = 0; k < nw - 1; k++)
            m += (uint32_t)__builtin_popcountll(~(x[k] ^ w[k]));
        m += (uint32_t)__builtin_popcountll(~(x[nw - 1] ^ w[nw - 1]) & lm->last_mask);
        lrs += m;
        jb->s[j] += (2 * (int32_t)m - lm->n_rows) * (1 << jb->shift);
    }
    jb->st->cells_lrs += lrs;
}

static inline __attribute__((always_inline)) void mvm_body(const struct mvm_job *jb)
{
    if (jb->lm->clip_possible)
        mvm_chunked(jb);
    else
        mvm_whole(jb);
}

static void mvm_portable(const struct mvm_job *jb)
{
    mvm_body(jb);
}

__attribute__((target("popcnt"))) static void mvm_popcnt(const struct mvm_job *jb)
{
    mvm_body(jb);
}

__attribute__((target("avx512f,avx512vpopcntdq,popcnt"))) static void
mvm_avx512(const struct mvm_job *jb)
{
    mvm_body(jb);
}

typedef void (*mvm_fn)(const struct mvm_job *);
static mvm_fn kernel;
static const char *kernel_name;

static void choose_kernel(void)
{
    const char *force = getenv("SPINCIM_PORTABLE");
    __builtin_cpu_init();
    if (force && *force && strcmp(force, "0")) {
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

int scim_act_alloc(struct scim_act *a, const struct scim_layer_map *lm)
{
    const struct scim_layer *L = lm->layer;
    memset(a, 0, sizeof(*a));
    a->planes = lm->planes;
    a->c = L->in_c;
    a->h = L->in_h;
    a->w = L->in_w;
    a->n_words = lm->n_words;
    if (L->kind == SCIM_LAYER_CONV) {
        a->pad = L->padding;
        a->hp = L->in_h + 2 * L->padding;
        a->rows = calloc((size_t)a->planes * (size_t)a->c * (size_t)a->hp, sizeof(uint64_t));
        return a->rows ? 0 : SCIM_ENOMEM;
    }
    a->vec = calloc((size_t)a->planes * (size_t)a->n_words, sizeof(uint64_t));
    return a->vec ? 0 : SCIM_ENOMEM;
}

void scim_act_free(struct scim_act *a)
{
    free(a->rows);
    free(a->vec);
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

void scim_act_from_pixels(struct scim_act *a, const struct scim_layer_map *lm,
                          const uint8_t *pixels)
{
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

void scim_mvm(const struct scim_layer_map *lm, const struct scim_act *a, int32_t *s,
              uint64_t *scratch, struct scim_mvm_stats *st)
{
    const struct scim_layer *L = lm->layer;
    if (!kernel)
        choose_kernel();
    memset(s, 0, (size_t)lm->positions * (size_t)L->out_c * sizeof(int32_t));
    struct mvm_job jb = {lm, NULL, NULL, 0, st};
    for (int pos = 0; pos < lm->positions; pos++) {
        jb.s = s + (size_t)pos * (size_t)L->out_c;
        for (int p = 0; p < lm->planes; p++) {
            if (a->rows) {
                gather_patch(L, a, p, pos / L->out_w, pos % L->out_w, scratch, lm->n_words);
                jb.x = scratch;
            } else {
                jb.x = a->vec + (size_t)p * (size_t)lm->n_words;
            }
            jb.shift = p;
            kernel(&jb);
        }
    }
}

/* ---- digital post-processing ---- */

static int out_bit(const struct scim_layer_map *lm, const int32_t *s, int pos, int j, int dropped)
{
    double y = scim_neuron_y(lm->layer, j, (double)s[(size_t)pos * (size_t)lm->layer->out_c + (size_t)j],
                             lm->input_scale, dropped);
    return scim_neuron_bit(y);
}

/* Pooled activation (j, py, px): max = any +1 in the window; avg = majority, ties +1. */
static int pooled_bit(const struct scim_layer_map *lm, const int32_t *s, int j, int py, int px,
                      int dropped)
{
    const struct scim_layer *L = lm->layer;
    int ps = L->pool_size, ones = 0;
    for (int dy = 0; dy < ps; dy++)
        for (int dx = 0; dx < ps; dx++)
            ones += out_bit(lm, s, (py * ps + dy) * L->out_w + px * ps + dx, j, dropped);
    if (L->pool == SCIM_POOL_MAX)
        return ones > 0;
    return 2 * ones >= ps * ps;
}

void scim_postprocess(const struct scim_layer_map *lm, const int32_t *s, int dropped,
                      struct scim_act *next, double *logits)
{
    const struct scim_layer *L = lm->layer;
    if (!next) {
        for (int j = 0; j < L->out_c; j++)
            logits[j] = scim_neuron_y(L, j, (double)s[j], lm->input_scale, dropped);
        return;
    }
    scim_act_clear(next);
    for (int j = 0; j < L->out_c; j++)
        for (int py = 0; py < L->pooled_h; py++)
            for (int px = 0; px < L->pooled_w; px++) {
                int bit = L->pool == SCIM_POOL_NONE
                              ? out_bit(lm, s, py * L->out_w + px, j, dropped)
                              : pooled_bit(lm, s, j, py, px, dropped);
                if (!bit)
                    continue;
                if (next->rows) {
                    act_set(next, 0, j, py, px);
                } else { /* flattened in (c, y, x) order of this layer's output */
                    size_t i = ((size_t)j * (size_t)L->pooled_h + (size_t)py) * (size_t)L->pooled_w +
                               (size_t)px;
                    next->vec[i >> 6] |= 1ull << (i & 63);
                }
            }
}
