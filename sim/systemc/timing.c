/*
 * timing.c - drives the SystemC engine: builds the chip's netlist, hands the
 * blocks their per-image contexts, runs the kernel and collects the results.
 */
#include "timing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/base/error.h"
#include "arch/dropout.h"
#include "arch/image.h"
#include "arch/analog/analog.h"
#include "sc_kernel.h"

/* The images in flight: a context per image, recycled when it is done. */
struct tstate {
    const struct scim_config *cfg;
    const struct scim_model *m;
    const struct scim_mapping *mp;
    const struct scim_dataset *ds;
    const struct scim_rng_bank *bank;
    const struct scim_analog *analog;
    struct scim_images *res;
    int first, reuse;
    struct scim_image_ctx **of;   /* [n] context of each image while in flight */
    struct scim_image_ctx **pool; /* every context made */
    int n_pool, cap_pool;
    struct scim_image_ctx **idle; /* contexts free for the next image */
    int n_idle;
    int failed;                   /* out of memory during the simulation */
};

static struct scim_image_ctx *new_ctx(struct tstate *s)
{
    if (s->n_idle)
        return s->idle[--s->n_idle];
    if (s->n_pool == s->cap_pool) {
        int cap = s->cap_pool ? 2 * s->cap_pool : 8;
        struct scim_image_ctx **p = realloc(s->pool, (size_t)cap * sizeof(*p));
        struct scim_image_ctx **q = realloc(s->idle, (size_t)cap * sizeof(*q));
        if (p)
            s->pool = p;
        if (q)
            s->idle = q;
        if (!p || !q)
            return NULL;
        s->cap_pool = cap;
    }
    struct scim_image_ctx *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    s->pool[s->n_pool++] = c;
    if (scim_image_ctx_init(c, s->cfg, s->m, s->mp, s->bank, s->reuse, 2) < 0)
        return NULL;
    c->analog = s->analog;
    if (s->analog && !(c->analog_work = scim_analog_work_alloc(s->analog)))
        return NULL;
    return c;
}

static const uint8_t *pixels(const struct tstate *s, int img)
{
    const struct scim_dataset *ds = s->ds;
    return ds->pixels + (size_t)img * (size_t)ds->c * (size_t)ds->h * (size_t)ds->w;
}

static struct scim_image_ctx *ctx_start(void *user, int i)
{
    struct tstate *s = user;
    struct scim_image_ctx *c = new_ctx(s);
    if (!c) { /* cannot continue the simulation without it */
        fputs("spincim: out of memory in the cycle-level simulation\n", stderr);
        abort();
    }
    s->of[i] = c;
    scim_image_begin(c, s->first + i, pixels(s, s->first + i));
    return c;
}

static struct scim_image_ctx *ctx_of(void *user, int i)
{
    return ((struct tstate *)user)->of[i];
}

static void ctx_done(void *user, int i)
{
    struct tstate *s = user;
    struct scim_images *res = s->res;
    int img = s->first + i, K = res->classes;
    res->label[i] = s->ds->labels[img];
    scim_image_finish(s->of[i], s->ds->labels[img], &res->pred[i],
                      res->mean_prob + (size_t)i * (size_t)K,
                      res->mean_logits + (size_t)i * (size_t)K, &res->unc[i]);
    s->idle[s->n_idle++] = s->of[i];
    s->of[i] = NULL;
}

static void free_state(struct tstate *s)
{
    for (int i = 0; i < s->n_pool; i++) {
        free(s->pool[i]->analog_work);
        scim_image_ctx_free(s->pool[i]);
        free(s->pool[i]);
    }
    free(s->pool);
    free(s->idle);
    free(s->of);
}

/* Process bodies: the C modules' run functions with the kernel's signature. */
static void run_xbar(void *p, const struct scim_hw_host *h) { scim_hw_xbar_run(p, h); }
static void run_periph(void *p, const struct scim_hw_host *h) { scim_hw_periph_run(p, h); }
static void run_rng(void *p, const struct scim_hw_host *h) { scim_hw_rng_run(p, h); }
static void run_ctl(void *p, const struct scim_hw_host *h) { scim_hw_ctl_run(p, h); }
static void run_avg(void *p, const struct scim_hw_host *h) { scim_hw_avg_run(p, h); }

/* The kernel's process list and traced signals: busy flags, buffer fill levels. */
struct netlist {
    struct scim_sc_proc *procs;
    char **names;
    int n_names;
};

static int add_sig(struct netlist *nl, const char *a, const char *b)
{
    char buf[96], *q;
    snprintf(buf, sizeof(buf), "%s_%s", a, b);
    for (q = buf; *q; q++)
        if (*q == ' ' || *q == '.' || *q == '/')
            *q = '_';
    if (!(nl->names[nl->n_names] = strdup(buf)))
        return -1;
    return nl->n_names++;
}

static int build_netlist(struct scim_hw_chip *c, struct netlist *nl, struct scim_sc_netlist *n)
{
    int np = 0;
    nl->procs = calloc((size_t)c->n_mods, sizeof(*nl->procs));
    nl->names = calloc((size_t)(c->n_mods + c->n_layers), sizeof(char *));
    if (!nl->procs || !nl->names)
        return SCIM_ENOMEM;
    for (int l = 0; l < c->n_layers; l++) {
        nl->procs[np++] = (struct scim_sc_proc){c->mods[c->xbar[l].mod].name, run_xbar, &c->xbar[l]};
        nl->procs[np++] =
            (struct scim_sc_proc){c->mods[c->periph[l].mod].name, run_periph, &c->periph[l]};
    }
    for (int b = 0; b < c->n_rng; b++)
        nl->procs[np++] = (struct scim_sc_proc){c->mods[c->rng[b].mod].name, run_rng, &c->rng[b]};
    nl->procs[np++] = (struct scim_sc_proc){c->mods[c->mc.mod_ctl].name, run_ctl, &c->mc};
    nl->procs[np++] = (struct scim_sc_proc){c->mods[c->mc.mod_avg].name, run_avg, &c->mc};
    for (int i = 0; i < c->n_mods; i++)
        if ((c->mods[i].sig_busy = add_sig(nl, c->mods[i].name, "busy")) < 0)
            return SCIM_ENOMEM;
    for (int l = 1; l < c->n_layers; l++)
        if ((c->xbar[l].in->sig_fill = add_sig(nl, c->mp->layers[l].layer->name, "buffer_fill")) < 0)
            return SCIM_ENOMEM;
    n->clock_hz = c->clock_hz;
    n->n_events = c->n_events;
    n->procs = nl->procs;
    n->n_procs = np;
    n->sig_names = (const char *const *)nl->names;
    n->n_sigs = nl->n_names;
    n->images_started = &c->images_started;
    n->images_done = &c->images_done;
    n->ops = &c->ops;
    n->images = c->images;
    return 0;
}

static void free_netlist(struct netlist *nl)
{
    for (int i = 0; nl->names && i < nl->n_names; i++)
        free(nl->names[i]);
    free(nl->names);
    free(nl->procs);
}

/* Latency, intervals and throughput from the recorded cycles. */
static void summarize(const struct scim_hw_chip *c, struct scim_timing *tm)
{
    int n = c->images, T = c->passes;
    double sum = 0.0, pass_sum = 0.0;
    for (int i = 0; i < n; i++) {
        sum += (double)(c->image_end[i] - c->image_start[i]);
        pass_sum += (double)(c->pass_end[(size_t)i * T + (size_t)(T - 1)] -
                             c->pass_end[(size_t)i * T]);
    }
    tm->images = n, tm->passes = T, tm->clock_hz = c->clock_hz;
    tm->end_cycle = c->end_cycle;
    tm->first_latency = c->image_end[0] - c->image_start[0];
    tm->mean_latency = sum / n;
    tm->first_pass = c->pass_end[0] - c->image_start[0];
    tm->pass_interval = T > 1 ? pass_sum / n / (T - 1) : (double)tm->first_pass;
    /* Steady state: completions over the second half of the images. */
    int h = n / 2;
    tm->interval = n > 1 && n - 1 > h ? (double)(c->image_end[n - 1] - c->image_end[h]) / (n - 1 - h)
                                      : (double)tm->first_latency;
    tm->throughput = c->end_cycle ? n * c->clock_hz / (double)(c->end_cycle + 1) : 0.0;
}

static int collect(const struct scim_hw_chip *c, struct scim_timing *tm)
{
    summarize(c, tm);
    tm->n_layers = c->n_layers;
    tm->mods = calloc((size_t)c->n_mods, sizeof(*tm->mods));
    tm->buffer_max = calloc((size_t)c->n_layers, sizeof(uint64_t));
    tm->buffer_cap = calloc((size_t)c->n_layers, sizeof(uint64_t));
    tm->lc = calloc((size_t)c->n_layers, sizeof(*tm->lc));
    if (!tm->mods || !tm->buffer_max || !tm->buffer_cap || !tm->lc)
        return SCIM_ENOMEM;
    tm->n_mods = c->n_mods;
    for (int i = 0; i < c->n_mods; i++) {
        memcpy(tm->mods[i].name, c->mods[i].name, sizeof(tm->mods[i].name));
        tm->mods[i].layer = c->mods[i].layer;
        tm->mods[i].st = c->mods[i].st;
    }
    for (int l = 0; l < c->n_layers; l++) {
        tm->lc[l] = c->lc[l];
        if (c->xbar[l].in) {
            tm->buffer_max[l] = c->xbar[l].in->max_fill;
            tm->buffer_cap[l] = c->xbar[l].in->capacity;
        }
    }
    tm->n_path = scim_hw_critical_path(c, tm->path, (int)(sizeof(tm->path) / sizeof(tm->path[0])));
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int simulate(struct scim_hw_chip *c, const struct scim_timing_opts *opt,
                    struct scim_timing *tm, struct scim_diag *d)
{
    struct netlist nl = {0};
    struct scim_sc_netlist n = {0};
    int rc = build_netlist(c, &nl, &n);
    if (rc == 0) {
        char err[256];
        uint64_t end;
        n.vcd_path = opt->vcd_path;
        n.trace_first = opt->trace_first;
        n.trace_last = opt->trace_last;
        double t0 = now_s();
        if (scim_sc_simulate(&n, &end, err, sizeof(err)) < 0)
            rc = scim_diag_error(d, NULL, "%s", err);
        tm->host_s = now_s() - t0;
    }
    free_netlist(&nl);
    return rc;
}

int scim_timing_run(const struct scim_config *cfg, const struct scim_model *m,
                    const struct scim_mapping *mp, const struct scim_dataset *ds, int first, int n,
                    const struct scim_timing_opts *opt, struct scim_images *res,
                    struct scim_timing *tm, struct scim_diag *d)
{
    int passes = scim_mc_passes(cfg, m);
    memset(tm, 0, sizeof(*tm));
    if (first < 0 || n < 1 || first + n > ds->n)
        return scim_diag_file_error(d, ds->name, SCIM_ERANGE,
                                    "images %d..%d requested, the split has %d", first,
                                    first + n - 1, ds->n);
    struct scim_rng_bank bank;
    struct tstate s = {.cfg = cfg, .m = m, .mp = mp, .ds = ds, .bank = &bank, .res = res,
                       .first = first, .reuse = scim_image_reuse(opt->no_reuse, opt->analog, mp, passes),
                       .analog = opt->analog};
    struct scim_hw_func func = {&s, ctx_start, ctx_of, ctx_done};
    struct scim_hw_chip chip = {0};
    int rc = scim_rng_bank_init(&bank, cfg, m, 0);
    if (rc == 0)
        rc = scim_images_alloc(res, m, first, n, passes);
    if (rc == 0 && !(s.of = calloc((size_t)n, sizeof(*s.of))))
        rc = SCIM_ENOMEM;
    if (rc == 0)
        rc = scim_hw_chip_init(&chip, cfg, m, mp, passes, n, &func, d);
    if (rc == 0)
        rc = simulate(&chip, opt, tm, d);
    if (rc == 0)
        rc = collect(&chip, tm);
    for (int i = 0; rc == 0 && i < s.n_pool; i++)
        scim_images_add(res, s.pool[i]);
    if (rc == 0)
        scim_images_finish(res);
    res->wall_s = tm->host_s;
    res->threads = 1;
    tm->kernel = scim_sc_version();
    scim_hw_chip_free(&chip);
    free_state(&s);
    scim_rng_bank_free(&bank);
    if (rc < 0) {
        scim_images_free(res);
        scim_timing_free(tm);
    }
    return rc;
}

void scim_timing_free(struct scim_timing *tm)
{
    free(tm->mods);
    free(tm->buffer_max);
    free(tm->buffer_cap);
    free(tm->lc);
    memset(tm, 0, sizeof(*tm));
}
