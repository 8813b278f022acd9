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

#include "arch/analog/analog.h"
#include "arch/faults.h"
#include "arch/neuron.h"
#include "sim/base/error.h"
#include "arch/dropout.h"
#include "arch/image.h"
#include "sim/base/rng.h"

#define BLOCK 8 /* images a worker takes at a time */

/* One worker thread: its image context and its share of the images. */
struct worker {
    struct scim_image_ctx ctx;
    const struct scim_dataset *ds;
    struct scim_images *res;
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

static int n_threads(const struct scim_engine_opts *opt, int n)
{
    long t = opt->threads > 0 ? opt->threads : sysconf(_SC_NPROCESSORS_ONLN);
    if (t < 1)
        t = 1;
    if (t > 256)
        t = 256;
    return (int)(t < n ? t : (n > 0 ? n : 1));
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
                    const struct scim_engine_opts *opt, struct scim_images *res,
                    struct scim_diag *d)
{
    int passes = scim_mc_passes(cfg, m), nt = n_threads(opt, n), rc = 0;
    atomic_int next = 0, done = 0;
    if (first < 0 || n < 0 || first + n > ds->n)
        return scim_diag_file_error(d, ds->name, SCIM_ERANGE,
                                    "images %d..%d requested, the split has %d", first,
                                    first + n - 1, ds->n);
    if (scim_images_alloc(res, m, first, n, passes) < 0)
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
        scim_images_free(res);
        return scim_diag_error(d, NULL, "dropout RNG '%s' failed to initialize: %s",
                               cfg->dropout.rng.ops->name, scim_strerror(rc));
    }
    double t0 = now_s();
    int started = 0;
    for (int k = 0; k < nt && rc == 0; k++) {
        struct worker *w = &ws[k];
        w->ds = ds, w->res = res, w->opt = opt;
        w->next = &next, w->done = &done, w->first = first, w->n = n;
        w->draws_progress = k == 0;
        rc = scim_image_ctx_init(&w->ctx, cfg, m, mp, &bank, scim_image_reuse(opt->no_reuse, opt->analog, mp, passes), 1);
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
        scim_images_add(res, &ws[k].ctx);
    if (rc == 0)
        scim_images_finish(res);
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
        scim_images_free(res);
    return rc;
}
