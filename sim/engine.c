/*
 * engine.c - the functional engine: images -> passes -> layers, on worker threads.
 */
#include "engine.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../arch/datapath.h"
#include "../arch/neuron.h"
#include "error.h"
#include "rng.h"

#define BLOCK 8 /* images a worker takes at a time */
#define REUSE_LIMIT_BYTES (64u << 20)

static int has_dropout(const struct scim_model *m)
{
    for (int l = 0; l < m->n_layers; l++)
        if (scim_layer_stochastic(&m->layers[l]))
            return 1;
    return 0;
}

/* SpinDrop and Spatial-SpinDrop drop inputs (rows) rather than scales. */
static int masks_rows(const struct scim_model *m)
{
    return m->method_id == SCIM_METHOD_SPINDROP || m->method_id == SCIM_METHOD_SPATIAL_SPINDROP;
}

/* Dropout modules a layer needs when each has its own (Table VII): one per row for
 * SpinDrop, per input channel for Spatial-SpinDrop, one otherwise. */
int scim_layer_modules(const struct scim_model *m, const struct scim_layer *L)
{
    if (!scim_layer_stochastic(L))
        return 0;
    if (m->method_id == SCIM_METHOD_SPINDROP)
        return L->fan_in;
    if (m->method_id == SCIM_METHOD_SPATIAL_SPINDROP)
        return L->in_c;
    return 1;
}

int scim_mc_passes(const struct scim_config *cfg, const struct scim_model *m)
{
    return cfg->drop.enabled && has_dropout(m) ? (int)cfg->wl.mc_samples : 1;
}

int scim_rng_modules(const struct scim_config *cfg, const struct scim_model *m)
{
    if (!cfg->drop.enabled || !has_dropout(m))
        return 0;
    if (cfg->drop.modules == SCIM_DROP_PER_MODEL && !masks_rows(m))
        return 1;
    int n = 0;
    for (int l = 0; l < m->n_layers; l++)
        n += scim_layer_modules(m, &m->layers[l]);
    return n;
}

/* Everything one worker thread needs; nothing in it is shared. */
struct worker {
    const struct scim_config *cfg;
    const struct scim_model *m;
    const struct scim_mapping *mp;
    const struct scim_dataset *ds;
    struct scim_run_result *res;
    const struct scim_engine_opts *opt;
    atomic_int *next;
    atomic_int *done;
    int first, n, passes, reuse;
    int draws_progress;         /* 1 for the worker that draws the progress bar */
    struct scim_act *act;       /* [n_layers] inputs of each layer */
    int32_t **s;                /* [passes * n_layers] MVM results */
    struct scim_mvm_stats *st;  /* [passes * n_layers] */
    int *src;                   /* [passes * n_layers] pass whose MVM a layer used */
    uint8_t *drop;              /* [passes * n_layers] scale variant of each layer (neuron.h) */
    uint64_t **mask;            /* [n_layers] rows kept in this pass (masking methods), or NULL */
    double *logits, *prob;      /* [passes * classes] */
    double *run_mean, *sort;    /* [classes] running mean, [passes] scratch */
    uint64_t *correct_at;       /* [passes] */
    uint64_t *scratch;
    const struct scim_rng_bank *bank; /* the chip's RNG modules as initialized */
    unsigned char *rng_state;   /* this worker's copy of the modules' states */
    struct scim_counts *counts; /* [n_layers] */
    uint64_t rng_bits, computed, reused;
    int rc;
};

static int worker_alloc(struct worker *w)
{
    const struct scim_mapping *mp = w->mp;
    int nl = mp->n_layers, np = w->passes, maxw = 1;
    w->act = calloc((size_t)nl, sizeof(*w->act));
    w->s = calloc((size_t)np * (size_t)nl, sizeof(*w->s));
    w->st = calloc((size_t)np * (size_t)nl, sizeof(*w->st));
    w->src = calloc((size_t)np * (size_t)nl, sizeof(*w->src));
    w->drop = calloc((size_t)np * (size_t)nl, 1);
    w->mask = calloc((size_t)nl, sizeof(*w->mask));
    w->logits = calloc((size_t)np * (size_t)w->m->classes, sizeof(double));
    w->prob = calloc((size_t)np * (size_t)w->m->classes, sizeof(double));
    w->counts = calloc((size_t)nl, sizeof(*w->counts));
    w->run_mean = calloc((size_t)w->m->classes, sizeof(double));
    w->sort = calloc((size_t)np, sizeof(double));
    w->correct_at = calloc((size_t)np, sizeof(uint64_t));
    w->rng_state = calloc(1, w->bank->size ? w->bank->size : 1);
    if (!w->act || !w->s || !w->st || !w->src || !w->drop || !w->mask || !w->logits || !w->prob ||
        !w->counts || !w->rng_state || !w->run_mean || !w->sort || !w->correct_at)
        return SCIM_ENOMEM;
    for (int l = 0; l < nl; l++) {
        const struct scim_layer_map *lm = &mp->layers[l];
        if (scim_act_alloc(&w->act[l], lm) < 0)
            return SCIM_ENOMEM;
        if (lm->n_words > maxw)
            maxw = lm->n_words;
        /* Row masks exist only while dropout is on; off, every row is driven. */
        if (w->cfg->drop.enabled && masks_rows(w->m) && scim_layer_stochastic(lm->layer) &&
            !(w->mask[l] = calloc((size_t)lm->n_words, sizeof(uint64_t))))
            return SCIM_ENOMEM;
        size_t sz = (size_t)lm->positions * (size_t)lm->layer->out_c * sizeof(int32_t);
        for (int p = 0; p < (w->reuse ? np : 1); p++)
            if (!(w->s[p * nl + l] = malloc(sz)))
                return SCIM_ENOMEM;
    }
    w->scratch = calloc((size_t)maxw, sizeof(uint64_t));
    return w->scratch ? 0 : SCIM_ENOMEM;
}

static void worker_free(struct worker *w)
{
    int nl = w->mp->n_layers;
    for (int l = 0; w->act && l < nl; l++)
        scim_act_free(&w->act[l]);
    for (int i = 0; w->s && i < w->passes * nl; i++)
        free(w->s[i]);
    free(w->act);
    free(w->s);
    free(w->st);
    free(w->src);
    free(w->drop);
    for (int l = 0; w->mask && l < nl; l++)
        free(w->mask[l]);
    free(w->mask);
    free(w->logits);
    free(w->prob);
    free(w->counts);
    free(w->run_mean);
    free(w->sort);
    free(w->correct_at);
    free(w->rng_state);
    free(w->scratch);
}

/* One random bit of probability p from module k of layer l (k = 0 unless the layer
 * has a module per row or channel and the chip one module per unit). */
static int bit(struct worker *w, int l, int k, double p, const struct scim_rand *rnd)
{
    const struct scim_config *cfg = w->cfg;
    size_t mod = w->bank->modules > 1 ? (size_t)(w->bank->module_of[l] + k) : 0;
    void *state = w->rng_state + mod * w->bank->state_size;
    w->counts[l].ev[SCIM_EV_RNG_BIT]++;
    w->rng_bits++;
    return cfg->rng_dev.ops->rng->sample(cfg->rng_dev.params, state, p, rnd);
}

/* The rows layer l keeps: one bit per row (SpinDrop) or per input channel, spread
 * over that channel's K*K rows (Spatial-SpinDrop). A dropped row's input is 0. */
static void draw_mask(struct worker *w, int l, const struct scim_rand *rnd)
{
    const struct scim_layer *L = &w->m->layers[l];
    uint64_t *mk = w->mask[l];
    int kk = L->kind == SCIM_LAYER_CONV ? L->kernel * L->kernel : L->fan_in / L->in_c;
    memset(mk, 0, (size_t)w->mp->layers[l].n_words * sizeof(uint64_t));
    if (w->m->method_id == SCIM_METHOD_SPINDROP) {
        for (int i = 0; i < L->fan_in; i++)
            mk[i >> 6] |= (uint64_t)!bit(w, l, i, L->dropout_p, rnd) << (i & 63);
        return;
    }
    for (int c = 0; c < L->in_c; c++) {
        uint64_t keep = (uint64_t)!bit(w, l, c, L->dropout_p, rnd);
        for (int r = c * kk; r < (c + 1) * kk; r++)
            mk[r >> 6] |= keep << (r & 63);
    }
}

/* The scale variant of layer l for one pass (neuron.h): scale dropout draws one
 * bit, affine dropout two (gamma, beta), subset log2 N bits choosing a sample. */
static int draw_variant(struct worker *w, int l, const struct scim_rand *rnd)
{
    const struct scim_layer *L = &w->m->layers[l];
    if (L->n_scale_samples) {
        int k = 0;
        for (int b = 1; b < L->n_scale_samples; b <<= 1)
            k = (k << 1) | bit(w, l, 0, 0.5, rnd);
        return 1 + k;
    }
    if (L->norm_layer)
        return bit(w, l, 0, L->dropout_p, rnd) | (bit(w, l, 0, L->dropout_p, rnd) << 1);
    return bit(w, l, 0, L->dropout_p, rnd);
}

/* Draw the random bits of pass t of image `img` from its own stream, layer by
 * layer, each from its module (the shared one, or its own). */
static void draw_dropout(struct worker *w, int img, int t, uint8_t *drop)
{
    const struct scim_config *cfg = w->cfg;
    struct scim_rng r;
    scim_rng_init(&r, (uint64_t)cfg->wl.seed, scim_stream_id(SCIM_STREAM_DROPOUT, (uint64_t)img,
                                                             (uint64_t)t));
    struct scim_rand rnd = scim_rng_rand(&r);
    for (int l = 0; l < w->m->n_layers; l++) {
        drop[l] = 0;
        if (!cfg->drop.enabled || !scim_layer_stochastic(&w->m->layers[l]))
            continue;
        if (w->mask[l])
            draw_mask(w, l, &rnd);
        else
            drop[l] = (uint8_t)draw_variant(w, l, &rnd);
    }
}

/* Earlier pass sharing the longest prefix of dropout bits with pass t, and that length. */
static int best_source(const struct worker *w, int t, int *src)
{
    int nl = w->mp->n_layers, best = 0;
    *src = t;
    for (int u = 0; u < t; u++) {
        int k = 0;
        while (k < nl && w->drop[u * nl + k] == w->drop[t * nl + k] && !w->mask[k])
            k++;
        if (k > best) {
            best = k;
            *src = u;
        }
    }
    return best;
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

/* Layer l of pass t: reuse the MVM of pass u when its input was the same. */
static void run_layer(struct worker *w, int t, int l, int common, int u)
{
    int nl = w->mp->n_layers;
    const struct scim_layer_map *lm = &w->mp->layers[l];
    int idx = t * nl + l;
    if (w->reuse && l <= common && u != t) {
        w->src[idx] = w->src[u * nl + l];
        w->st[idx] = w->st[u * nl + l];
        w->reused++;
    } else {
        w->src[idx] = w->reuse ? t : 0;
        memset(&w->st[idx], 0, sizeof(w->st[idx]));
        scim_mvm(lm, &w->act[l], w->mask[l], w->s[w->src[idx] * nl + l], w->scratch, &w->st[idx]);
        w->computed++;
    }
    struct scim_counts *c = &w->counts[l];
    scim_counts_add(c, &lm->per_pass);
    c->ev[SCIM_EV_CELLS_LRS] += w->st[idx].cells_lrs;
    c->ev[SCIM_EV_ADC_CLIP] += w->st[idx].clips;
    c->ev[SCIM_EV_WORDLINES] -= w->st[idx].wordlines_off;
    c->ev[SCIM_EV_CELLS_READ] -= w->st[idx].cells_off;
    /* The next layer needs this layer's output only if it computes its own MVM. */
    int last = l == nl - 1;
    if (!last && w->reuse && l + 1 <= common && u != t)
        return;
    scim_postprocess(lm, w->s[w->src[idx] * nl + l], w->drop[idx], last ? NULL : &w->act[l + 1],
                     w->logits + (size_t)t * (size_t)w->m->classes);
}

/* Would the image be right after 1, 2, ..., T passes? (accuracy vs T) */
static void accuracy_vs_passes(struct worker *w, int label)
{
    int K = w->m->classes;
    memset(w->run_mean, 0, (size_t)K * sizeof(double));
    for (int t = 0; t < w->passes; t++) {
        int best = 0;
        for (int k = 0; k < K; k++) {
            w->run_mean[k] += w->prob[(size_t)t * (size_t)K + (size_t)k];
            if (w->run_mean[k] > w->run_mean[best])
                best = k;
        }
        w->correct_at[t] += best == label;
    }
}

static void run_image(struct worker *w, int i)
{
    int nl = w->mp->n_layers, K = w->m->classes, img = w->first + i;
    const struct scim_dataset *ds = w->ds;
    size_t isz = (size_t)ds->c * (size_t)ds->h * (size_t)ds->w;
    double *mean = w->res->mean_prob + (size_t)i * (size_t)K;
    scim_act_from_pixels(&w->act[0], &w->mp->layers[0], ds->pixels + (size_t)img * isz);
    /* Every image starts from the chip's modules as initialized, so an image's draws
     * do not depend on which images ran before it on this thread. */
    if (w->bank->size)
        memcpy(w->rng_state, w->bank->states, w->bank->size);
    memset(mean, 0, (size_t)K * sizeof(double));
    for (int t = 0; t < w->passes; t++) {
        draw_dropout(w, img, t, w->drop + t * nl);
        int u, common = w->reuse ? best_source(w, t, &u) : 0;
        if (!w->reuse)
            u = t;
        for (int l = 0; l < nl; l++)
            run_layer(w, t, l, common, u);
        softmax(w->logits + (size_t)t * (size_t)K, w->prob + (size_t)t * (size_t)K, K);
        for (int k = 0; k < K; k++)
            mean[k] += w->prob[(size_t)t * (size_t)K + (size_t)k];
    }
    int best = 0;
    for (int k = 0; k < K; k++) {
        mean[k] /= w->passes;
        if (mean[k] > mean[best])
            best = k;
    }
    w->res->pred[i] = (uint8_t)best;
    w->res->label[i] = ds->labels[img];
    accuracy_vs_passes(w, ds->labels[img]);
    scim_image_uncertainty(&w->cfg->unc, w->prob, w->passes, K, mean, best, ds->labels[img],
                           w->sort, &w->res->unc[i]);
}

static void progress_draw(int done, int total, double t0)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double el = (double)ts.tv_sec + ts.tv_nsec * 1e-9 - t0;
    double rate = el > 0 ? done / el : 0.0, left = rate > 0 ? (total - done) / rate : 0.0;
    int bar = total ? (int)(30.0 * done / total) : 30;
    fprintf(stderr, "\r[%.*s%*s] %d/%d images  %.0f img/s  %.0f s left ", bar,
            "##############################", 30 - bar, "", done, total, rate, left);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    double t0 = now_s(), last = t0;
    for (;;) {
        int b = atomic_fetch_add(w->next, BLOCK);
        if (b >= w->n)
            break;
        int e = b + BLOCK < w->n ? b + BLOCK : w->n;
        for (int i = b; i < e; i++)
            run_image(w, i);
        int done = atomic_fetch_add(w->done, e - b) + (e - b);
        /* Only the first worker draws, at most 10 times a second. */
        if (w->opt->progress && w->draws_progress && now_s() - last > 0.1 &&
            now_s() - t0 > 1.0) {
            last = now_s();
            progress_draw(done, w->n, t0);
        }
    }
    return NULL;
}

int scim_rng_bank_init(struct scim_rng_bank *b, const struct scim_config *cfg,
                       const struct scim_model *m, uint64_t chip)
{
    const struct scim_rng_ops *ops = cfg->rng_dev.ops->rng;
    int n = scim_rng_modules(cfg, m), k = 0;
    memset(b, 0, sizeof(*b));
    b->modules = n;
    b->state_size = ops->state_size;
    b->size = (size_t)n * ops->state_size;
    b->module_of = calloc((size_t)m->n_layers, sizeof(int));
    b->states = calloc(1, b->size ? b->size : 1);
    if (!b->module_of || !b->states)
        return SCIM_ENOMEM;
    /* A shared module serves every layer; otherwise layer l owns modules
     * module_of[l] .. module_of[l] + scim_layer_modules() - 1. */
    for (int l = 0; l < m->n_layers; l++)
        if (n > 1 && scim_layer_stochastic(&m->layers[l])) {
            b->module_of[l] = k;
            k += scim_layer_modules(m, &m->layers[l]);
        }
    for (int i = 0; i < n && ops->init; i++) {
        struct scim_rng r;
        scim_rng_init(&r, (uint64_t)cfg->wl.seed, scim_stream_id(SCIM_STREAM_CHIP, chip, (uint64_t)i));
        struct scim_rand rnd = scim_rng_rand(&r);
        int rc = ops->init(cfg->rng_dev.params, b->states + (size_t)i * b->state_size,
                           cfg->chip.temperature_k, &rnd);
        if (rc < 0)
            return rc;
    }
    return 0;
}

void scim_rng_bank_free(struct scim_rng_bank *b)
{
    free(b->module_of);
    free(b->states);
    memset(b, 0, sizeof(*b));
}

static int result_alloc(struct scim_run_result *res, const struct scim_model *m, int first,
                        int n, int passes)
{
    memset(res, 0, sizeof(*res));
    res->n_images = n;
    res->first_image = first;
    res->classes = m->classes;
    res->mc_samples = passes;
    res->n_layers = m->n_layers;
    res->label = calloc((size_t)n + 1, 1);
    res->pred = calloc((size_t)n + 1, 1);
    res->mean_prob = calloc((size_t)n * (size_t)m->classes + 1, sizeof(double));
    res->layer = calloc((size_t)m->n_layers, sizeof(*res->layer));
    res->unc = calloc((size_t)n + 1, sizeof(*res->unc));
    res->correct_at = calloc((size_t)passes, sizeof(uint64_t));
    return res->label && res->pred && res->mean_prob && res->layer && res->unc &&
                   res->correct_at
               ? 0
               : SCIM_ENOMEM;
}

void scim_run_result_free(struct scim_run_result *res)
{
    free(res->label);
    free(res->pred);
    free(res->mean_prob);
    free(res->layer);
    free(res->unc);
    free(res->correct_at);
    memset(res, 0, sizeof(*res));
}

static int n_threads(const struct scim_engine_opts *opt, int n)
{
    long t = opt->threads > 0 ? opt->threads : sysconf(_SC_NPROCESSORS_ONLN);
    if (t < 1)
        t = 1;
    if (t > 256)
        t = 256;
    return (int)(t < n ? t : (n > 0 ? n : 1));
}

/* Sum the workers' counts (integer sums: the order does not matter). */
static void merge(struct worker *ws, int nt, struct scim_run_result *res)
{
    for (int k = 0; k < nt; k++) {
        for (int l = 0; l < res->n_layers; l++)
            scim_counts_add(&res->layer[l], &ws[k].counts[l]);
        res->rng_bits += ws[k].rng_bits;
        for (int t = 0; t < res->mc_samples; t++)
            res->correct_at[t] += ws[k].correct_at[t];
        res->mvm_computed += ws[k].computed;
        res->mvm_reused += ws[k].reused;
    }
    for (int l = 0; l < res->n_layers; l++)
        scim_counts_add(&res->chip, &res->layer[l]);
    if (res->mc_samples > 1)
        res->chip.ev[SCIM_EV_AVERAGE] = (uint64_t)res->n_images * (uint64_t)res->mc_samples;
    for (int i = 0; i < res->n_images; i++)
        res->correct += res->pred[i] == res->label[i];
}

static int reuse_fits(const struct scim_mapping *mp, int passes)
{
    size_t bytes = 0;
    for (int l = 0; l < mp->n_layers; l++)
        bytes += (size_t)mp->layers[l].positions * (size_t)mp->layers[l].layer->out_c * 4u;
    return bytes * (size_t)passes <= REUSE_LIMIT_BYTES;
}

int scim_engine_run(const struct scim_config *cfg, const struct scim_model *m,
                    const struct scim_mapping *mp, const struct scim_dataset *ds, int first, int n,
                    const struct scim_engine_opts *opt, struct scim_run_result *res,
                    struct scim_diag *d)
{
    int passes = scim_mc_passes(cfg, m), nt = n_threads(opt, n), rc = 0;
    atomic_int next = 0, done = 0;
    if (first < 0 || n < 0 || first + n > ds->n)
        return scim_diag_file_error(d, ds->name, SCIM_ERANGE,
                                    "images %d..%d requested, the split has %d", first,
                                    first + n - 1, ds->n);
    if (result_alloc(res, m, first, n, passes) < 0)
        return SCIM_ENOMEM;
    struct worker *ws = calloc((size_t)nt, sizeof(*ws));
    pthread_t *th = calloc((size_t)nt, sizeof(*th));
    if (!ws || !th) {
        free(ws);
        free(th);
        return SCIM_ENOMEM;
    }
    struct scim_rng_bank bank;
    rc = scim_rng_bank_init(&bank, cfg, m, opt->chip);
    if (rc < 0) {
        scim_rng_bank_free(&bank);
        free(ws);
        free(th);
        scim_run_result_free(res);
        return scim_diag_error(d, NULL, "dropout RNG '%s' failed to initialize: %s",
                               cfg->rng_dev.ops->name, scim_strerror(rc));
    }
    double t0 = now_s();
    int started = 0;
    for (int k = 0; k < nt && rc == 0; k++) {
        struct worker *w = &ws[k];
        memset(w, 0, sizeof(*w));
        w->cfg = cfg, w->m = m, w->mp = mp, w->ds = ds, w->res = res, w->opt = opt;
        w->next = &next, w->done = &done, w->first = first, w->n = n, w->passes = passes;
        w->reuse = !opt->no_reuse && passes > 1 && reuse_fits(mp, passes);
        w->draws_progress = k == 0;
        w->bank = &bank;
        rc = worker_alloc(w);
        if (rc == 0 && pthread_create(&th[k], NULL, worker_main, w) != 0)
            rc = SCIM_ENOMEM;
        if (rc == 0)
            started++;
    }
    for (int k = 0; k < started; k++)
        pthread_join(th[k], NULL);
    if (opt->progress && now_s() - t0 > 1.0)
        fputc('\n', stderr);
    if (rc == 0)
        merge(ws, nt, res);
    res->wall_s = now_s() - t0;
    res->threads = nt;
    for (int k = 0; k < nt; k++)
        worker_free(&ws[k]);
    scim_rng_bank_free(&bank);
    free(ws);
    free(th);
    if (rc < 0)
        scim_run_result_free(res);
    return rc;
}
