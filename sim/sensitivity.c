/*
 * sensitivity.c - the sensitivity of a chip to its parameters (sensitivity.h): the
 * base run, its keys collected from the resolved config and filtered, each numeric
 * hardware key's two steps planned, every step run on worker threads (one scim_run
 * each, no results folder), the relative changes, the base run again to prove the
 * outputs deterministic, and the keys sorted for the table. The table and the CSV
 * are written by sensitivity_out.c.
 */
#include "sensitivity.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arch/config.h"
#include "sim/base/error.h"
#include "sim/base/suggest.h"
#include "sim/base/units.h"
#include "sim/run.h"

/* Top-level sections that are not the chip, and why. */
static const struct {
    const char *section, *why;
} skipped[] = {
    {"workload", "skipped: workload.* sets up the run (model, data, passes, seed), not the chip"},
    {"uncertainty", "skipped: uncertainty.* analyses the outputs (interval, OOD rule), not the chip"},
    {"faults", "skipped: faults.* set the faulty chip instances, not the fault-free run measured"},
    {"testing", "skipped: testing.* sets the test of the chip instances, not the run measured"},
};

/* ---- the keys ---- */

static const struct scim_loc cmdline = {"command line", 0, 0};

struct collect {
    struct scim_sens_key *keys;
    size_t n, cap;
    int oom;
};

static int numeric(const struct scim_param *p)
{
    return p->type == SCIM_P_F64 || p->type == SCIM_P_INT;
}

static void collect_key(void *ctx, const char *path, const struct scim_param *p, const void *values)
{
    struct collect *c = ctx;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        struct scim_sens_key *k = realloc(c->keys, cap * sizeof(*k));
        if (!k) {
            c->oom = 1;
            return;
        }
        c->keys = k, c->cap = cap;
    }
    struct scim_sens_key *k = &c->keys[c->n];
    const char *at = (const char *)values + p->offset;
    memset(k, 0, sizeof(*k));
    snprintf(k->key, sizeof(k->key), "%s", path);
    k->p = p;
    k->order = (int)c->n++;
    if (numeric(p))
        k->value = p->type == SCIM_P_F64 ? *(const double *)at : (double)*(const int64_t *)at;
}

/* key is prefix or a key under it ("chip" covers "chip.vdd", not "chipset.x"). */
static int under(const char *key, const char *prefix)
{
    size_t n = strlen(prefix);
    return !strncmp(key, prefix, n) && (key[n] == '\0' || key[n] == '.');
}

static int wanted(const struct scim_sens_opts *o, const char *key)
{
    for (size_t i = 0; i < o->n_prefixes; i++)
        if (under(key, o->prefixes[i]))
            return 1;
    return o->n_prefixes == 0;
}

/* An error for a prefix that names no key (with the nearest key or section), or only
 * keys that are not numbers. */
static int check_prefix(const struct collect *c, const char *prefix, struct scim_diag *d)
{
    int any = 0, num = 0;
    char (*parent)[160] = calloc(c->n ? c->n : 1, sizeof(*parent));
    struct scim_suggest sg;
    if (!parent)
        return SCIM_ENOMEM;
    scim_suggest_init(&sg, prefix);
    for (size_t i = 0; i < c->n; i++) {
        any |= under(c->keys[i].key, prefix);
        num |= under(c->keys[i].key, prefix) && numeric(c->keys[i].p);
        snprintf(parent[i], sizeof(parent[i]), "%s", c->keys[i].key);
        *(strrchr(parent[i], '.') ? strrchr(parent[i], '.') : parent[i]) = '\0';
        scim_suggest_add(&sg, c->keys[i].key);
        scim_suggest_add(&sg, parent[i]);
    }
    int rc = 0;
    if (!any)
        rc = scim_diag_error(d, &cmdline, "--keys '%s': the config has no key '%s' or under it%s",
                             prefix, prefix, scim_suggest_hint(&sg));
    else if (!num)
        rc = scim_diag_error(d, &cmdline, "--keys '%s': no numeric key is '%s' or under it",
                             prefix, prefix);
    free(parent);
    return rc;
}

static void mark_skipped(struct scim_sens_key *k)
{
    for (size_t i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++)
        if (under(k->key, skipped[i].section)) {
            k->status = SCIM_SENS_SKIPPED;
            snprintf(k->step[0].note, sizeof(k->step[0].note), "%s", skipped[i].why);
        }
}

/* The numeric keys of cfg under the prefixes into r->keys. */
static int collect_keys(const struct scim_config *cfg, const struct scim_sens_opts *o,
                        struct scim_sens_result *r, struct scim_diag *d)
{
    struct collect c = {0};
    scim_config_each_key(cfg, collect_key, &c);
    int rc = c.oom ? SCIM_ENOMEM : 0;
    for (size_t i = 0; rc == 0 && i < o->n_prefixes; i++)
        rc = check_prefix(&c, o->prefixes[i], d);
    size_t n = 0;
    for (size_t i = 0; rc == 0 && i < c.n; i++)
        if (numeric(c.keys[i].p) && wanted(o, c.keys[i].key)) {
            c.keys[n] = c.keys[i];
            mark_skipped(&c.keys[n++]);
        }
    r->keys = c.keys, r->n_keys = n;
    return rc;
}

/* ---- the steps ---- */

/* A resolution or word width: "bits", "*_bits", "width". */
static int bit_count(const char *key)
{
    const char *last = strrchr(key, '.');
    last = last ? last + 1 : key;
    size_t n = strlen(last);
    return !strcmp(last, "bits") || !strcmp(last, "width") ||
           (n > 5 && !strcmp(last + n - 5, "_bits"));
}

static void int_steps(const struct scim_sens_key *k, double s, double v[2])
{
    int64_t x = (int64_t)k->value, dx = 1;
    if (!bit_count(k->key) && x >= 2 && (x & (x - 1)) == 0) {
        v[0] = (double)(x / 2), v[1] = 2.0 * (double)x;
        return;
    }
    if (!bit_count(k->key))
        dx = llround(s * (double)llabs(x));
    dx = dx < 1 ? 1 : dx;
    v[0] = (double)(x - dx), v[1] = (double)(x + dx);
}

/* v to 12 significant digits: 1.045 V, not 1.0450000000000002 V. */
static double tidy(double v)
{
    char b[32];
    snprintf(b, sizeof(b), "%.12g", v);
    return strtod(b, NULL);
}

/* Both steps of k, clamped to the key's bounds; a step left at the base value is not run. */
static void plan_key(struct scim_sens_key *k, double s)
{
    double v[2];
    if (k->status == SCIM_SENS_SKIPPED)
        return;
    if (k->p->type == SCIM_P_F64 && k->value == 0.0) {
        k->status = SCIM_SENS_NOT_STEPPED;
        snprintf(k->step[0].note, sizeof(k->step[0].note), "0: a relative step leaves it at 0");
        return;
    }
    if (k->p->type == SCIM_P_INT)
        int_steps(k, s, v);
    else
        v[0] = tidy(k->value - s * fabs(k->value)), v[1] = tidy(k->value + s * fabs(k->value));
    v[0] = v[0] < k->p->min ? k->p->min : v[0];
    v[1] = v[1] > k->p->max ? k->p->max : v[1];
    for (int i = 0; i < 2; i++) {
        k->step[i].value = v[i];
        k->step[i].state = v[i] != k->value;
        if (v[i] == k->value)
            snprintf(k->step[i].note, sizeof(k->step[i].note), "%s: at the key's %s",
                     i ? "up" : "down", i ? "maximum" : "minimum");
    }
    if (!k->step[0].state && !k->step[1].state)
        k->status = SCIM_SENS_NOT_STEPPED;
}

static void step_override(const struct scim_sens_key *k, double v, char *buf, size_t len)
{
    char val[96];
    if (k->p->type == SCIM_P_INT)
        snprintf(val, sizeof(val), "%lld", (long long)v);
    else
        scim_unit_format_exact(v, k->p->dim, val, sizeof(val));
    snprintf(buf, len, "%s=%s", k->key, val);
}

/* ---- the runs ---- */

struct job {
    long key; /* index into r->keys; -1 = the base again */
    int dir;  /* 0 down, 1 up */
};

struct runner {
    const struct scim_sens_opts *o;
    struct scim_sens_result *r;
    const char *base_text;              /* the base run's messages */
    struct job *jobs;
    size_t n_jobs, next, done;
    double again[SCIM_SENS_METRICS];    /* the base run again */
    int again_rc;
    pthread_mutex_t mu;
};

static void metrics(const struct scim_run_result *rr, double m[SCIM_SENS_METRICS])
{
    m[SCIM_SENS_ENERGY] = rr->rep.energy_per_image;
    m[SCIM_SENS_AREA] = rr->rep.area.total;
    m[SCIM_SENS_LATENCY] = rr->rep.latency_s;
    m[SCIM_SENS_ACCURACY] = rr->rep.accuracy;
}

/* The config with the common overrides and step (may be NULL), on one engine thread, no
 * results folder: its outputs into m and, with cfg_out, its resolved config (in rr, which
 * the caller frees in any case). */
static int one_run(const struct runner *x, const char *step, double m[SCIM_SENS_METRICS],
                   const struct scim_config **cfg_out, struct scim_run_result *rr,
                   struct scim_diag *d)
{
    size_t n = x->o->n_overrides;
    const char **ov = malloc((n + 1) * sizeof(*ov));
    if (!ov) {
        memset(rr, 0, sizeof(*rr));
        return SCIM_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        ov[i] = x->o->overrides[i];
    if (step)
        ov[n++] = step;
    struct scim_run_opts ro = {.config = x->o->config, .overrides = ov, .n_overrides = n,
                               .threads = 1, .engine = SCIM_ENGINE_FUNCTIONAL};
    int rc = scim_run(&ro, rr, d);
    free(ov);
    if (rc == 0)
        metrics(rr, m);
    if (cfg_out)
        *cfg_out = rc == 0 ? &rr->cfg : NULL;
    return rc;
}

static double rel(double here, double base)
{
    if (here == base)
        return 0.0;
    return base != 0.0 ? (here - base) / base : copysign(INFINITY, here - base);
}

/* The first line of text that holds `what` (": error: ") and is not in other, or NULL. */
static const char *first_line(const char *text, const char *what, const char *other, char *buf,
                              size_t len)
{
    for (const char *p = text; p && *p;) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        snprintf(buf, len, "%.*s", (int)n, p);
        if (strstr(buf, what) && !(other && strstr(other, buf)))
            return buf;
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

static void step_note(const struct runner *x, struct scim_sens_step *s, int rc,
                      const struct scim_diag *d)
{
    char line[sizeof(s->note) - 24];
    if (rc < 0) {
        const char *e = first_line(d->text, "error: ", NULL, line, sizeof(line));
        if (e && !strncmp(e, "command line (-p #", 18)) /* the step's own override */
            e = strstr(e, "error: ") + 7;
        snprintf(s->note, sizeof(s->note), "step not valid: %s", e ? e : scim_strerror(rc));
        s->state = -1;
    } else if (first_line(d->text, "warning: ", x->base_text, line, sizeof(line))) {
        snprintf(s->note, sizeof(s->note), "%s", line);
    }
}

static void do_job(struct runner *x, const struct job *j)
{
    struct scim_diag d;
    struct scim_run_result rr;
    double m[SCIM_SENS_METRICS];
    char ov[512];
    scim_diag_init(&d, NULL);
    if (j->key < 0) {
        x->again_rc = one_run(x, NULL, x->again, NULL, &rr, &d);
    } else {
        struct scim_sens_key *k = &x->r->keys[j->key];
        struct scim_sens_step *s = &k->step[j->dir];
        step_override(k, s->value, ov, sizeof(ov));
        int rc = one_run(x, ov, m, NULL, &rr, &d);
        for (int i = 0; rc == 0 && i < SCIM_SENS_METRICS; i++)
            s->d[i] = rel(m[i], x->r->base[i]);
        step_note(x, s, rc, &d);
    }
    scim_run_result_free(&rr);
    scim_diag_free(&d);
}

static void *worker(void *arg)
{
    struct runner *x = arg;
    for (;;) {
        pthread_mutex_lock(&x->mu);
        size_t j = x->next < x->n_jobs ? x->next++ : x->n_jobs;
        pthread_mutex_unlock(&x->mu);
        if (j == x->n_jobs)
            return NULL;
        do_job(x, &x->jobs[j]);
        pthread_mutex_lock(&x->mu);
        x->done++;
        if (x->o->progress)
            fprintf(stderr, "\rsensitivity: %zu/%zu runs ", x->done + 1, x->n_jobs + 1);
        pthread_mutex_unlock(&x->mu);
    }
}

/* The jobs: both planned steps of every key, and the base again. */
static int plan_jobs(struct runner *x)
{
    struct scim_sens_result *r = x->r;
    x->jobs = malloc((2 * r->n_keys + 1) * sizeof(*x->jobs));
    if (!x->jobs)
        return SCIM_ENOMEM;
    x->jobs[x->n_jobs++] = (struct job){-1, 0};
    for (size_t i = 0; i < r->n_keys; i++) {
        plan_key(&r->keys[i], r->step);
        for (int dir = 0; dir < 2; dir++)
            if (r->keys[i].status == SCIM_SENS_STEPPED && r->keys[i].step[dir].state == 1)
                x->jobs[x->n_jobs++] = (struct job){(long)i, dir};
    }
    return 0;
}

static void run_jobs(struct runner *x, int threads)
{
    pthread_t tid[64];
    int n = threads > 64 ? 64 : threads, started = 0;
    n = (size_t)n > x->n_jobs ? (int)x->n_jobs : n;
    for (int i = 1; i < n; i++)
        started += pthread_create(&tid[started], NULL, worker, x) == 0;
    worker(x);
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    if (x->o->progress)
        fputc('\n', stderr);
    x->r->threads = started + 1;
    x->r->runs = (int)x->n_jobs + 1;
}

/* ---- the result ---- */

static double largest(const struct scim_sens_key *k, int m)
{
    double a = k->step[0].state == 1 ? fabs(k->step[0].d[m]) : 0.0;
    double b = k->step[1].state == 1 ? fabs(k->step[1].d[m]) : 0.0;
    return a > b ? a : b;
}

static void settle(struct scim_sens_key *k)
{
    if (k->status != SCIM_SENS_STEPPED)
        return;
    int ran = 0;
    for (int m = 0; m < SCIM_SENS_METRICS; m++)
        if (largest(k, m) != 0.0)
            return;
    for (int i = 0; i < 2; i++)
        ran |= k->step[i].state == 1;
    if (ran)
        k->status = SCIM_SENS_NOTHING;
}

/* Table order: by status; stepped keys by their largest energy, area, latency and accuracy
 * change; then as in resolved.yaml. */
static int by_change(const void *pa, const void *pb)
{
    const struct scim_sens_key *a = pa, *b = pb;
    if (a->status != b->status)
        return a->status - b->status;
    for (int m = 0; a->status == SCIM_SENS_STEPPED && m < SCIM_SENS_METRICS; m++) {
        double x = largest(a, m), y = largest(b, m);
        if (x != y)
            return x > y ? -1 : 1;
    }
    return a->order - b->order;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The base run: its outputs, its images, its keys. */
static int run_base(struct runner *x, struct scim_diag *bd)
{
    struct scim_run_result rr;
    const struct scim_config *cfg;
    int rc = one_run(x, NULL, x->r->base, &cfg, &rr, bd);
    if (rc == 0) {
        x->r->images = rr.n;
        rc = collect_keys(cfg, x->o, x->r, bd);
    }
    scim_run_result_free(&rr);
    return rc;
}

static int check_again(const struct runner *x, struct scim_diag *d)
{
    static const char *const names[] = {"energy per image", "area", "latency", "accuracy"};
    char buf[4096];
    struct scim_loc at = {x->o->config ? x->o->config : scim_default_config(buf, sizeof(buf)), 0, 0};
    if (x->again_rc < 0)
        return scim_diag_error(d, &at, "the base config failed when run again: %s",
                               scim_strerror(x->again_rc));
    for (int m = 0; m < SCIM_SENS_METRICS; m++)
        if (x->again[m] != x->r->base[m])
            return scim_diag_error(d, &at, "the base config is not deterministic: %s %.17g "
                                   "then %.17g", names[m], x->r->base[m], x->again[m]);
    return 0;
}

int scim_sensitivity(const struct scim_sens_opts *o, struct scim_sens_result *r,
                     struct scim_diag *d)
{
    struct scim_diag bd;
    struct runner x = {.o = o, .r = r};
    double t0 = now_s();
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    memset(r, 0, sizeof(*r));
    r->step = o->step > 0 ? o->step : 0.05;
    scim_diag_init(&bd, NULL);
    int rc = run_base(&x, &bd);
    scim_diag_merge(d, &bd);
    x.base_text = bd.text;
    if (rc == 0)
        rc = plan_jobs(&x);
    if (rc == 0 && pthread_mutex_init(&x.mu, NULL))
        rc = SCIM_ENOMEM;
    if (rc == 0) {
        run_jobs(&x, o->threads > 0 ? o->threads : cores > 0 ? (int)cores : 1);
        pthread_mutex_destroy(&x.mu);
        rc = check_again(&x, d);
    }
    for (size_t i = 0; rc == 0 && i < r->n_keys; i++)
        settle(&r->keys[i]);
    if (rc == 0)
        qsort(r->keys, r->n_keys, sizeof(*r->keys), by_change);
    free(x.jobs);
    scim_diag_free(&bd);
    r->wall_s = now_s() - t0;
    return rc;
}

void scim_sens_free(struct scim_sens_result *r)
{
    free(r->keys);
    memset(r, 0, sizeof(*r));
}
