/*
 * datapath_post.c - the digital periphery after a layer's MVM: scale (of the pass's
 * variant), batch-norm or inverted layer normalization, the residual add and the sign
 * as the comparator's integer thresholds (compared a row at a time, with AVX-512 where
 * the CPU has it), max or average pooling, and the result packed as the next layer's
 * input (or the output layer's logits).
 */
#include "datapath.h"

#include <immintrin.h>

#include "datapath_internal.h"
#include "neuron.h"

/* ---- the comparator ---- */

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
        __mmask16 k =
            _mm512_mask_cmple_epi32_mask(_mm512_mask_cmpge_epi32_mask(live, x, vlo), x, vhi);
        m |= (uint64_t)k << ox;
    }
    return m;
}

static uint64_t (*compare_row)(const int32_t *, int, int32_t, int32_t) = compare_row_portable;

void scim_dp_choose_compare_row(int portable)
{
    compare_row = !portable && __builtin_cpu_supports("avx512f") ? compare_row_v512
                                                                : compare_row_portable;
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
            double y =
                scim_layernorm_y(post_v(p, j, oy * L->out_w + ox), p->mean, p->var, L->bn_eps);
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
    scim_dp_choose_kernels();
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
