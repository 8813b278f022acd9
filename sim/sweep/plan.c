/*
 * plan.c - a sweep expanded into runs, and every run checked before any runs.
 *
 * A run's overrides apply in this order to its base config: the sweep's `set:`,
 * the command line, the axes' values, the seed. A command-line override of an axis
 * key is refused (it would make the points equal); --seed replaces `seeds:`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/base/error.h"
#include "plan.h"

#define MAX_RUNS 1000000
#define MAX_SHOWN_ERRORS 20

/* Length of the key of "key=value". */
static size_t key_len(const char *assign)
{
    const char *eq = strchr(assign, '=');
    return eq ? (size_t)(eq - assign) : strlen(assign);
}

static int is_axis_key(const struct scim_sweep_spec *sp, const char *key, size_t len)
{
    for (size_t a = 0; a < sp->n_axes; a++)
        for (size_t k = 0; k < sp->axes[a].n_keys; k++)
            if (strlen(sp->axes[a].keys[k]) == len && !strncmp(sp->axes[a].keys[k], key, len))
                return 1;
    return 0;
}

/* Command-line overrides against the axes; --seed drops the `seeds:` list. */
static int check_cli(struct scim_sweep_plan *pl, struct scim_diag *d)
{
    for (size_t i = 0; i < pl->n_cli; i++) {
        size_t n = key_len(pl->cli[i]);
        char where[48];
        snprintf(where, sizeof(where), "command line (-p #%zu)", i + 1);
        if (is_axis_key(&pl->spec, pl->cli[i], n))
            scim_diag_error(d, &(struct scim_loc){where, 0, 0},
                            "'%.*s' is an axis of the sweep; drop it from the command line or "
                            "from the axes",
                            (int)n, pl->cli[i]);
        if (n == 13 && !strncmp(pl->cli[i], "workload.seed", n)) {
            free(pl->spec.seeds);
            free(pl->spec.seed_locs);
            pl->spec.seeds = NULL, pl->spec.seed_locs = NULL, pl->spec.n_seeds = 0;
        }
    }
    return d->errors ? SCIM_ECONFIG : 0;
}

int scim_sweep_plan_build(struct scim_sweep_plan *pl, const char *file, const char *const *cli,
                          size_t n_cli, int engine, struct scim_diag *d)
{
    memset(pl, 0, sizeof(*pl));
    unsigned before = d->errors;
    int rc = scim_sweep_spec_load(&pl->spec, file, d);
    if (rc < 0)
        return rc;
    pl->file = file, pl->cli = cli, pl->n_cli = n_cli;
    pl->systemc = engine >= 0 ? engine : pl->spec.systemc;
    check_cli(pl, d);
    pl->n_seeds = pl->spec.n_seeds ? pl->spec.n_seeds : 1;
    pl->n_runs = pl->spec.n_points * pl->n_seeds;
    if (pl->n_runs > MAX_RUNS)
        scim_diag_error(d, &pl->spec.doc.root->loc, "the sweep makes %zu runs, more than %d",
                        pl->n_runs, MAX_RUNS);
    if (d->errors == before && !(pl->hash = calloc(pl->n_runs, sizeof(*pl->hash))))
        rc = SCIM_ENOMEM;
    if (rc == 0 && d->errors > before)
        rc = SCIM_ECONFIG;
    if (rc < 0)
        scim_sweep_plan_free(pl);
    return rc;
}

void scim_sweep_plan_free(struct scim_sweep_plan *pl)
{
    scim_sweep_spec_free(&pl->spec);
    free(pl->hash);
    memset(pl, 0, sizeof(*pl));
}

/* ---- one run ---- */

static void run_dir(const struct scim_sweep_plan *pl, struct scim_sweep_run *run, size_t slot)
{
    int n = snprintf(run->dir, sizeof(run->dir), "points/%04zu", run->point);
    if (pl->spec.seeds)
        snprintf(run->dir + n, sizeof(run->dir) - (size_t)n, "/seed-%lld",
                 (long long)pl->spec.seeds[slot]);
}

static void add(struct scim_sweep_run *run, const char *text, const struct scim_loc *k,
                const struct scim_loc *v, unsigned index)
{
    struct scim_override *o = &run->ov[run->n_ov++];
    o->text = text, o->index = index;
    if (k)
        o->key = *k, o->value = *v;
}

static size_t max_overrides(const struct scim_sweep_plan *pl)
{
    size_t n = pl->spec.n_set + pl->n_cli + 1;
    for (size_t a = 0; a < pl->spec.n_axes; a++)
        n += pl->spec.axes[a].n_keys;
    return n;
}

/* The axes' values at the run's point; "base" picks the config file. */
static void add_axes(const struct scim_sweep_plan *pl, struct scim_sweep_run *run)
{
    const struct scim_sweep_spec *sp = &pl->spec;
    for (size_t a = 0; a < sp->n_axes; a++) {
        const struct scim_sweep_axis *ax = &sp->axes[a];
        size_t v = scim_sweep_value_index(sp, a, run->point);
        for (size_t k = 0; k < ax->n_keys; k++) {
            const struct scim_sweep_value *val = &ax->values[v * ax->n_keys + k];
            if (!strcmp(ax->keys[k], SCIM_SWEEP_BASE_KEY))
                run->base = val->assign;
            else
                add(run, val->assign, &ax->key_locs[k], &val->loc, 0);
        }
    }
}

int scim_sweep_run_make(const struct scim_sweep_plan *pl, size_t i, struct scim_sweep_run *run)
{
    const struct scim_sweep_spec *sp = &pl->spec;
    memset(run, 0, sizeof(*run));
    run->ov = calloc(max_overrides(pl), sizeof(*run->ov));
    if (!run->ov)
        return SCIM_ENOMEM;
    size_t slot = i % pl->n_seeds;
    run->index = i, run->point = i / pl->n_seeds, run->base = sp->base;
    for (size_t k = 0; k < sp->n_set; k++)
        add(run, sp->set[k].assign, &sp->set_key_locs[k], &sp->set[k].loc, 0);
    for (size_t k = 0; k < pl->n_cli; k++)
        add(run, pl->cli[k], NULL, NULL, (unsigned)(k + 1));
    add_axes(pl, run);
    if (sp->seeds) {
        snprintf(run->seed_assign, sizeof(run->seed_assign), "workload.seed=%lld",
                 (long long)sp->seeds[slot]);
        add(run, run->seed_assign, &sp->seed_locs[slot], &sp->seed_locs[slot], 0);
    }
    run_dir(pl, run, slot);
    return 0;
}

void scim_sweep_run_free(struct scim_sweep_run *run)
{
    free(run->ov);
    memset(run, 0, sizeof(*run));
}

/* ---- the check ---- */

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (h ^ 0xff) * 1099511628211ull;
}

static void fingerprint(struct scim_sweep_plan *pl)
{
    uint64_t h = fnv(1469598103934665603ull, pl->systemc ? "systemc" : "functional");
    for (size_t i = 0; i < pl->n_runs; i++) {
        struct scim_sweep_run run;
        if (scim_sweep_run_make(pl, i, &run) < 0)
            continue;
        h = fnv(fnv(h, run.dir), pl->hash[i]);
        scim_sweep_run_free(&run);
    }
    snprintf(pl->fingerprint, sizeof(pl->fingerprint), "%016llx", (unsigned long long)h);
}

/* Where a run whose messages name other files (its base config, its model) comes
 * from in the sweep file: the `base` axis value, else `base:`. */
static const struct scim_loc *base_loc(const struct scim_sweep_plan *pl, size_t point)
{
    const struct scim_sweep_spec *sp = &pl->spec;
    for (size_t a = 0; a < sp->n_axes; a++)
        for (size_t k = 0; k < sp->axes[a].n_keys; k++)
            if (!strcmp(sp->axes[a].keys[k], SCIM_SWEEP_BASE_KEY))
                return &sp->axes[a]
                            .values[scim_sweep_value_index(sp, a, point) * sp->axes[a].n_keys + k]
                            .loc;
    return &sp->base_loc;
}

/* Did any message of the run name the sweep file? */
static int names_sweep(const struct scim_sweep_plan *pl, const struct scim_diag *scratch)
{
    size_t n = strlen(pl->file);
    for (const char *p = scratch->text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : "")
        if (!strncmp(p, pl->file, n) && p[n] == ':')
            return 1;
    return 0;
}

/* Check run i; its messages join d once each. Deep (model, mapping) for a point's
 * first seed only: the seed changes nothing they check. */
static int check_run(struct scim_sweep_plan *pl, struct scim_sweep_data *seen, size_t i,
                     struct scim_diag *d)
{
    struct scim_sweep_run run;
    struct scim_diag scratch;
    int rc = scim_sweep_run_make(pl, i, &run);
    if (rc < 0)
        return rc;
    scim_diag_init(&scratch, NULL);
    rc = scim_sweep_check_run(seen, &run, i % pl->n_seeds == 0, pl->hash[i], &scratch);
    scim_diag_merge(d, &scratch);
    if (rc < 0 && !names_sweep(pl, &scratch)) {
        struct scim_diag once;
        scim_diag_init(&once, NULL);
        scim_diag_error(&once, base_loc(pl, run.point), "the config '%s' does not load: %s",
                        run.base ? run.base : "?", scim_strerror(rc));
        scim_diag_merge(d, &once);
        scim_diag_free(&once);
    }
    scim_diag_free(&scratch);
    scim_sweep_run_free(&run);
    return rc;
}

int scim_sweep_plan_check(struct scim_sweep_plan *pl, long only, struct scim_diag *d)
{
    unsigned before = d->errors;
    if (only >= 0 && (size_t)only >= pl->n_runs)
        return scim_diag_error(d, NULL, "run %ld: the sweep has %zu runs", only, pl->n_runs);
    struct scim_sweep_data *seen = scim_sweep_data_new();
    if (!seen)
        return SCIM_ENOMEM;
    for (size_t i = only >= 0 ? (size_t)only : 0; i < pl->n_runs; i++) {
        if (check_run(pl, seen, i, d) == SCIM_ENOMEM) {
            scim_sweep_data_free(seen);
            return SCIM_ENOMEM;
        }
        if (only >= 0)
            break;
        if (d->errors - before >= MAX_SHOWN_ERRORS) {
            if (d->stream)
                fprintf(d->stream, "%s: further runs not checked\n", pl->file);
            break;
        }
    }
    scim_sweep_data_free(seen);
    if (d->errors > before)
        return SCIM_ECONFIG;
    fingerprint(pl);
    return 0;
}
