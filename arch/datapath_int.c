/*
 * datapath_int.c - the integer path of a bit-serial first layer whose reads cannot clip
 * (mapping.c): the eight bit-plane reads computed as the equal integer dot product of
 * the +-1 weights with the pixels, a conv layer's as shifted-image sums (16-bit lanes
 * held in registers when no sum can leave them), compiled once per instruction set; the
 * low-resistance cells read from a closed form over the pixels' popcounts.
 */
#include "datapath.h"

#include <stdlib.h>
#include <string.h>

#include "datapath_internal.h"

/* ---- the integer path ---- */

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

void scim_dp_choose_int_conv(int portable)
{
    int_conv = portable                               ? int_conv_portable
               : __builtin_cpu_supports("avx512bw") ? int_conv_avx512
               : __builtin_cpu_supports("avx2")     ? int_conv_avx2
                                                    : int_conv_portable;
}

/* The integer path of a bit-serial layer that cannot clip (see mapping.c). */
void scim_dp_mvm_int(const struct scim_layer_map *lm, const struct scim_act *a,
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
                s[(size_t)j * (size_t)np + (size_t)p] =
                    2 * (2 * a->acc[p] - a->box[p]) - 255 * wsum;
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
    st->cells_lrs +=
        (uint64_t)(lrs + (int64_t)np * (mask ? kept_lrs_base(lm, mask) : lm->lrs_base));
}
