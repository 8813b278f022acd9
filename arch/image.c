/*
 * image.c - one image's Monte Carlo passes through the mapped layers.
 */
#include "image.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arch/analog/analog.h"
#include "neuron.h"
#include "dropout.h"
#include "sim/base/error.h"
#include "sim/base/rng.h"

static struct scim_act *act_of(struct scim_image_ctx *c, int t, int l)
{
    return &c->act[(c->act_sets > 1 ? t : 0) * c->mp->n_layers + l];
}

static int alloc_arrays(struct scim_image_ctx *c)
{
    size_t nl = (size_t)c->mp->n_layers, np = (size_t)c->passes, K = (size_t)c->m->classes;
    c->act = calloc((size_t)c->act_sets * nl, sizeof(*c->act));
    c->s = calloc(np * nl, sizeof(*c->s));
    c->st = calloc(np * nl, sizeof(*c->st));
    c->src = calloc(np * nl, sizeof(*c->src));
    c->drop = calloc(np * nl, 1);
    c->common = calloc(np, sizeof(int));
    c->from = calloc(np, sizeof(int));
    c->mask = calloc(np * nl, sizeof(*c->mask));
    c->logits = calloc(np * K, sizeof(double));
    c->prob = calloc(np * K, sizeof(double));
    c->counts = calloc(nl, sizeof(*c->counts));
    c->run_mean = calloc(K, sizeof(double));
    c->sort = calloc(np, sizeof(double));
    c->correct_at = calloc(np, sizeof(uint64_t));
    c->rng_state = calloc(1, c->bank->size ? c->bank->size : 1);
    return c->act && c->s && c->st && c->src && c->drop && c->common && c->from && c->mask &&
                   c->logits && c->prob && c->counts && c->rng_state && c->run_mean && c->sort &&
                   c->correct_at
               ? 0
               : SCIM_ENOMEM;
}

/* Activations, row masks (only while dropout is on: off, every row is driven) and
 * MVM result buffers of layer l. */
static int alloc_layer(struct scim_image_ctx *c, int l, int *maxw)
{
    const struct scim_layer_map *lm = &c->mp->layers[l];
    int nl = c->mp->n_layers;
    for (int a = 0; a < c->act_sets; a++)
        if (scim_act_alloc(&c->act[a * nl + l], lm) < 0)
            return SCIM_ENOMEM;
    if (lm->n_words > *maxw)
        *maxw = lm->n_words;
    int masked = c->cfg->dropout.enabled && scim_masks_rows(c->m) && scim_layer_stochastic(lm->layer);
    for (int p = 0; masked && p < c->passes; p++)
        if (!(c->mask[p * nl + l] = calloc((size_t)lm->n_words, sizeof(uint64_t))))
            return SCIM_ENOMEM;
    size_t sz = (size_t)lm->positions * (size_t)lm->layer->out_c * sizeof(int32_t);
    for (int p = 0; p < (c->reuse ? c->passes : c->act_sets); p++)
        if (!(c->s[p * nl + l] = malloc(sz)))
            return SCIM_ENOMEM;
    return 0;
}

int scim_image_ctx_init(struct scim_image_ctx *c, const struct scim_config *cfg,
                        const struct scim_model *m, const struct scim_mapping *mp,
                        const struct scim_rng_bank *bank, int reuse, int act_sets)
{
    memset(c, 0, sizeof(*c));
    c->cfg = cfg, c->m = m, c->mp = mp, c->bank = bank;
    c->passes = scim_mc_passes(cfg, m);
    c->reuse = reuse && c->passes > 1;
    c->act_sets = act_sets > 1 ? c->passes : 1;
    int maxw = 1, rc = alloc_arrays(c);
    for (int l = 0; rc == 0 && l < mp->n_layers; l++)
        rc = alloc_layer(c, l, &maxw);
    if (rc == 0 && !(c->scratch = calloc((size_t)maxw, sizeof(uint64_t))))
        rc = SCIM_ENOMEM;
    return rc;
}

void scim_image_ctx_free(struct scim_image_ctx *c)
{
    int nl = c->mp ? c->mp->n_layers : 0;
    for (int i = 0; c->act && i < c->act_sets * nl; i++)
        scim_act_free(&c->act[i]);
    for (int i = 0; c->s && i < c->passes * nl; i++)
        free(c->s[i]);
    for (int i = 0; c->mask && i < c->passes * nl; i++)
        free(c->mask[i]);
    free(c->act);
    free(c->s);
    free(c->st);
    free(c->src);
    free(c->drop);
    free(c->common);
    free(c->from);
    free(c->mask);
    free(c->logits);
    free(c->prob);
    free(c->counts);
    free(c->run_mean);
    free(c->sort);
    free(c->correct_at);
    free(c->rng_state);
    free(c->scratch);
    memset(c, 0, sizeof(*c));
}

/* One random bit of probability p from module k of layer l (k = 0 unless the layer
 * has a module per row or channel and the chip one module per unit). */
static int bit(struct scim_image_ctx *c, int l, int k, double p, const struct scim_rand *rnd)
{
    const struct scim_config *cfg = c->cfg;
    size_t mod = c->bank->modules > 1 ? (size_t)(c->bank->module_of[l] + k) : 0;
    void *state = c->rng_state + mod * c->bank->state_size;
    c->counts[l].ev[SCIM_EV_RNG_BIT]++;
    c->rng_bits++;
    if (c->bank->stuck && c->bank->stuck[mod] >= 0) /* a stuck module (faults.rng_stuck_*) */
        return c->bank->stuck[mod];
    return cfg->dropout.rng.ops->rng->sample(cfg->dropout.rng.params, state, p, rnd);
}

/* The rows layer l keeps: one bit per row (SpinDrop) or per input channel, spread
 * over that channel's K*K rows (Spatial-SpinDrop). A dropped row's input is 0. */
static void draw_mask(struct scim_image_ctx *c, int l, uint64_t *mk, const struct scim_rand *rnd)
{
    const struct scim_layer *L = &c->m->layers[l];
    int kk = L->kind == SCIM_LAYER_CONV ? L->kernel * L->kernel : L->fan_in / L->in_c;
    memset(mk, 0, (size_t)c->mp->layers[l].n_words * sizeof(uint64_t));
    if (c->m->method_id == SCIM_METHOD_SPINDROP) {
        for (int i = 0; i < L->fan_in; i++)
            mk[i >> 6] |= (uint64_t)!bit(c, l, i, L->dropout_p, rnd) << (i & 63);
        return;
    }
    for (int ch = 0; ch < L->in_c; ch++) {
        uint64_t keep = (uint64_t)!bit(c, l, ch, L->dropout_p, rnd);
        for (int r = ch * kk; r < (ch + 1) * kk; r++)
            mk[r >> 6] |= keep << (r & 63);
    }
}

/* The scale variant of layer l for one pass (neuron.h): scale dropout draws one
 * bit, affine dropout two (gamma, beta), subset log2 N bits choosing a sample. */
static int draw_variant(struct scim_image_ctx *c, int l, const struct scim_rand *rnd)
{
    const struct scim_layer *L = &c->m->layers[l];
    if (L->n_scale_samples) {
        int k = 0;
        for (int b = 1; b < L->n_scale_samples; b <<= 1)
            k = (k << 1) | bit(c, l, 0, 0.5, rnd);
        return 1 + k;
    }
    if (L->norm_layer)
        return bit(c, l, 0, L->dropout_p, rnd) | (bit(c, l, 0, L->dropout_p, rnd) << 1);
    return bit(c, l, 0, L->dropout_p, rnd);
}

/* Earlier pass sharing the longest prefix of dropout bits with pass t, and that length. */
static int best_source(const struct scim_image_ctx *c, int t, int *src)
{
    int nl = c->mp->n_layers, best = 0;
    *src = t;
    for (int u = 0; u < t; u++) {
        int k = 0;
        while (k < nl && c->drop[u * nl + k] == c->drop[t * nl + k] && !c->mask[k])
            k++;
        if (k > best) {
            best = k;
            *src = u;
        }
    }
    return best;
}

void scim_image_begin(struct scim_image_ctx *c, int img, const uint8_t *pixels)
{
    c->img = img;
    for (int a = 0; a < c->act_sets; a++)
        scim_act_from_pixels(act_of(c, a, 0), &c->mp->layers[0], pixels);
    /* Every image starts from the chip's modules as initialized, so an image's draws
     * do not depend on which images ran before it. */
    if (c->bank->size)
        memcpy(c->rng_state, c->bank->states, c->bank->size);
}

/* Draw the random bits of pass t of the image from its own stream, layer by
 * layer, each from its module (the shared one, or its own). */
void scim_image_draw_pass(struct scim_image_ctx *c, int t)
{
    const struct scim_config *cfg = c->cfg;
    int nl = c->mp->n_layers;
    uint8_t *drop = c->drop + t * nl;
    struct scim_rng r;
    scim_rng_init(&r, (uint64_t)cfg->workload.seed,
                  scim_stream_id(SCIM_STREAM_DROPOUT, (uint64_t)c->img, (uint64_t)t));
    struct scim_rand rnd = scim_rng_rand(&r);
    for (int l = 0; l < nl; l++) {
        drop[l] = 0;
        if (!cfg->dropout.enabled || !scim_layer_stochastic(&c->m->layers[l]))
            continue;
        if (c->mask[t * nl + l])
            draw_mask(c, l, c->mask[t * nl + l], &rnd);
        else
            drop[l] = (uint8_t)draw_variant(c, l, &rnd);
    }
    c->common[t] = c->reuse ? best_source(c, t, &c->from[t]) : 0;
    if (!c->reuse)
        c->from[t] = t;
}

static void count_layer(struct scim_image_ctx *c, int l, const struct scim_mvm_stats *st)
{
    struct scim_counts *k = &c->counts[l];
    scim_counts_add(k, &c->mp->layers[l].per_pass);
    k->ev[SCIM_EV_CELLS_LRS] += st->cells_lrs;
    k->ev[SCIM_EV_ADC_CLIP] += st->clips;
    k->ev[SCIM_EV_ADC_MISREAD] += st->misreads;
    k->ev[SCIM_EV_WORDLINES] -= st->wordlines_off;
    k->ev[SCIM_EV_CELLS_READ] -= st->cells_off;
}

/* Does pass t need layer l's output? The next layer needs it when it computes its own
 * MVM, and a layer whose output is needed reads its residual source's output as its
 * shortcut (even when the source's successor reuses its MVM). */
static int output_needed(const struct scim_image_ctx *c, int t, int l)
{
    int nl = c->mp->n_layers;
    if (l == nl - 1 || !c->reuse || l + 1 > c->common[t] || c->from[t] == t)
        return 1;
    for (int j = l + 1; j < nl; j++)
        if (c->m->layers[j].residual == l && output_needed(c, t, j))
            return 1;
    return 0;
}

void scim_image_layer(struct scim_image_ctx *c, int t, int l)
{
    int nl = c->mp->n_layers, idx = t * nl + l, u = c->from[t], common = c->common[t];
    const struct scim_layer_map *lm = &c->mp->layers[l];
    if (c->reuse && l <= common && u != t) {
        c->src[idx] = c->src[u * nl + l];
        c->st[idx] = c->st[u * nl + l];
        c->reused++;
    } else {
        c->src[idx] = c->reuse ? t : (c->act_sets > 1 ? t : 0);
        memset(&c->st[idx], 0, sizeof(c->st[idx]));
        scim_analog_mvm(c->analog, c->analog_work, lm, act_of(c, t, l), c->mask[idx],
                        c->s[c->src[idx] * nl + l], c->scratch, &c->st[idx], (uint64_t)c->img, t);
        c->computed++;
    }
    count_layer(c, l, &c->st[idx]);
    if (!output_needed(c, t, l))
        return;
    int last = l == nl - 1, k = lm->layer->residual;
    scim_postprocess(lm, c->s[c->src[idx] * nl + l], c->drop[idx],
                     k >= 0 ? act_of(c, t, k + 1) : NULL, last ? NULL : act_of(c, t, l + 1),
                     c->logits + (size_t)t * (size_t)c->m->classes);
}

static void softmax(const double *x, double *p, int n)
{
    double mx = x[0], sum = 0.0;
    for (int i = 1; i < n; i++)
        if (x[i] > mx)
            mx = x[i];
    for (int i = 0; i < n; i++)
        sum += (p[i] = exp(x[i] - mx));
    for (int i = 0; i < n; i++)
        p[i] /= sum;
}

void scim_image_end_pass(struct scim_image_ctx *c, int t)
{
    size_t K = (size_t)c->m->classes;
    softmax(c->logits + (size_t)t * K, c->prob + (size_t)t * K, (int)K);
}

/* Would the image be right after 1, 2, ..., T passes? (accuracy vs T) */
static void accuracy_vs_passes(struct scim_image_ctx *c, int label)
{
    int K = c->m->classes;
    memset(c->run_mean, 0, (size_t)K * sizeof(double));
    for (int t = 0; t < c->passes; t++) {
        int best = 0;
        for (int k = 0; k < K; k++) {
            c->run_mean[k] += c->prob[(size_t)t * (size_t)K + (size_t)k];
            if (c->run_mean[k] > c->run_mean[best])
                best = k;
        }
        c->correct_at[t] += best == label;
    }
}

void scim_image_finish(struct scim_image_ctx *c, int label, uint8_t *pred, double *mean,
                       double *logits, struct scim_image_unc *unc)
{
    int K = c->m->classes, best = 0;
    memset(mean, 0, (size_t)K * sizeof(double));
    if (logits)
        memset(logits, 0, (size_t)K * sizeof(double));
    for (int t = 0; t < c->passes; t++)
        for (int k = 0; k < K; k++) {
            mean[k] += c->prob[(size_t)t * (size_t)K + (size_t)k];
            if (logits)
                logits[k] += c->logits[(size_t)t * (size_t)K + (size_t)k];
        }
    for (int k = 0; k < K; k++) {
        mean[k] /= c->passes;
        if (logits)
            logits[k] /= c->passes;
        if (mean[k] > mean[best])
            best = k;
    }
    *pred = (uint8_t)best;
    accuracy_vs_passes(c, label);
    scim_image_uncertainty(&c->cfg->uncertainty, c->prob, c->passes, K, mean, best, label, c->sort, unc);
}

void scim_image_run(struct scim_image_ctx *c, int img, const uint8_t *pixels, int label,
                    uint8_t *pred, double *mean, double *logits, struct scim_image_unc *unc)
{
    scim_image_begin(c, img, pixels);
    for (int t = 0; t < c->passes; t++) {
        scim_image_draw_pass(c, t);
        for (int l = 0; l < c->mp->n_layers; l++)
            scim_image_layer(c, t, l);
        scim_image_end_pass(c, t);
    }
    scim_image_finish(c, label, pred, mean, logits, unc);
}
