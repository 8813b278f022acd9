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

#include "../arch/analog.h"
#include "../arch/faults.h"
#include "../arch/neuron.h"
#include "error.h"
#include "image.h"
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

/* One worker thread: its image context and its share of the images. */
struct worker {
    struct scim_image_ctx ctx;
    const struct scim_dataset *ds;
    struct scim_run_result *res;
    const struct scim_engine_opts *opt;
    atomic_int *next;
    atomic_int *done;
    int first, n;
    int draws_progress;         /* 1 for the worker that draws the progress bar */
};

static void run_image(struct worker *w, int i)
{
    int img = w->first + i, K = w->res->classes;
    const struct scim_dataset *ds = w->ds;
    size_t isz = (size_t)ds->c * (size_t)ds->h * (size_t)ds->w;
    w->res->label[i] = ds->labels[img];
    scim_image_run(&w->ctx, img, ds->pixels + (size_t)img * isz, ds->labels[img], &w->res->pred[i],
                   w->res->mean_prob + (size_t)i * (size_t)K,
                   w->res->mean_logits + (size_t)i * (size_t)K, &w->res->unc[i]);
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
    b->stuck = malloc((size_t)n + 1);
    if (!b->module_of || !b->states || !b->stuck)
        return SCIM_ENOMEM;
    for (int i = 0; i < n; i++)
        b->stuck[i] = (int8_t)scim_rng_stuck(cfg, chip, i);
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
    free(b->stuck);
    memset(b, 0, sizeof(*b));
}

int scim_run_result_alloc(struct scim_run_result *res, const struct scim_model *m, int first,
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
    res->mean_logits = calloc((size_t)n * (size_t)m->classes + 1, sizeof(double));
    res->layer = calloc((size_t)m->n_layers, sizeof(*res->layer));
    res->unc = calloc((size_t)n + 1, sizeof(*res->unc));
    res->correct_at = calloc((size_t)passes, sizeof(uint64_t));
    return res->label && res->pred && res->mean_prob && res->mean_logits && res->layer &&
                   res->unc && res->correct_at
               ? 0
               : SCIM_ENOMEM;
}

void scim_run_result_free(struct scim_run_result *res)
{
    free(res->label);
    free(res->pred);
    free(res->mean_prob);
    free(res->mean_logits);
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

void scim_run_result_add(struct scim_run_result *res, const struct scim_image_ctx *c)
{
    for (int l = 0; l < res->n_layers; l++)
        scim_counts_add(&res->layer[l], &c->counts[l]);
    res->rng_bits += c->rng_bits;
    for (int t = 0; t < res->mc_samples; t++)
        res->correct_at[t] += c->correct_at[t];
    res->mvm_computed += c->computed;
    res->mvm_reused += c->reused;
}

void scim_run_result_finish(struct scim_run_result *res)
{
    for (int l = 0; l < res->n_layers; l++)
        scim_counts_add(&res->chip, &res->layer[l]);
    if (res->mc_samples > 1)
        res->chip.ev[SCIM_EV_AVERAGE] = (uint64_t)res->n_images * (uint64_t)res->mc_samples;
    for (int i = 0; i < res->n_images; i++)
        res->correct += res->pred[i] == res->label[i];
}

int scim_engine_reuse(const struct scim_engine_opts *opt, const struct scim_mapping *mp, int passes)
{
    if (opt->no_reuse || passes < 2 || (opt->analog && opt->analog->redraws))
        return 0;
    size_t bytes = 0;
    for (int l = 0; l < mp->n_layers; l++)
        bytes += (size_t)mp->layers[l].positions * (size_t)mp->layers[l].layer->out_c * 4u;
    return bytes * (size_t)passes <= REUSE_LIMIT_BYTES;
}

/* The chip's analog read model and this worker's work space for it. */
static int attach_analog(struct scim_image_ctx *c, const struct scim_engine_opts *opt)
{
    c->chip = opt->chip;
    c->analog = opt->analog;
    if (opt->analog && !(c->analog_work = scim_analog_work_alloc(opt->analog)))
        return SCIM_ENOMEM;
    return 0;
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
    if (scim_run_result_alloc(res, m, first, n, passes) < 0)
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
        w->ds = ds, w->res = res, w->opt = opt;
        w->next = &next, w->done = &done, w->first = first, w->n = n;
        w->draws_progress = k == 0;
        rc = scim_image_ctx_init(&w->ctx, cfg, m, mp, &bank, scim_engine_reuse(opt, mp, passes), 1);
        if (rc == 0)
            rc = attach_analog(&w->ctx, opt);
        if (rc == 0 && pthread_create(&th[k], NULL, worker_main, w) != 0)
            rc = SCIM_ENOMEM;
        if (rc == 0)
            started++;
    }
    for (int k = 0; k < started; k++)
        pthread_join(th[k], NULL);
    if (opt->progress && now_s() - t0 > 1.0)
        fputc('\n', stderr);
    for (int k = 0; rc == 0 && k < nt; k++)
        scim_run_result_add(res, &ws[k].ctx);
    if (rc == 0)
        scim_run_result_finish(res);
    res->wall_s = now_s() - t0;
    res->threads = nt;
    for (int k = 0; k < nt; k++) {
        free(ws[k].ctx.analog_work);
        scim_image_ctx_free(&ws[k].ctx);
    }
    scim_rng_bank_free(&bank);
    free(ws);
    free(th);
    if (rc < 0)
        scim_run_result_free(res);
    return rc;
}
