/*
 * sweep.h - design-space sweeps: many runs of one base config, on local cores and
 * across MPI processes, safe to interrupt (docs/sweeps.md).
 *
 * A sweep file (sweep_spec.h) makes points; each point runs once per seed (a run).
 * Every run is checked before the first one starts. A run writes its own folder
 * DIR/points/<point>[/seed-<s>]/ (report.json, resolved.yaml, ...) and, last, its
 * row (row.json, one JSON object, written atomically): the row file is the proof
 * that the run is done. DIR/results.jsonl and DIR/results.csv are rebuilt from the
 * rows, sorted by run, and replaced atomically (temp file + rename), so whenever the
 * process dies they hold a complete table of the runs finished until shortly
 * before; --resume keeps every run whose row matches its point, seed and config
 * hash. DIR/jobs.jsonl lists every run (folder, config hash) and DIR/sweep.json
 * holds the provenance (command, host, date, timing).
 *
 * The sweep library does not run a config itself: the CLI owns that path and lends
 * it through struct scim_sweep_hooks.
 */
#ifndef SCIM_SWEEP_H
#define SCIM_SWEEP_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "report.h"
#include "sweep_spec.h"

/* One run of a sweep (a point with one seed), as the hooks see it. */
struct scim_sweep_run {
    size_t index;             /* run index = point x seeds + seed slot; results sort by it */
    size_t point;             /* point index */
    const char *base;         /* config file */
    struct scim_override *ov; /* overrides in order: set, command line, axes, seed (owned) */
    size_t n_ov;
    char dir[48];         /* its folder in the sweep folder: points/0003[/seed-2] */
    char seed_assign[48]; /* "workload.seed=N" for the seed override */
};

/* A sweep expanded into runs. */
struct scim_sweep_plan {
    struct scim_sweep_spec spec; /* the sweep file */
    const char *file;            /* its path (not owned) */
    const char *const *cli;      /* command-line overrides (not owned), n_cli of them */
    size_t n_cli;
    size_t n_seeds;       /* runs per point: the seeds, or 1 */
    size_t n_runs;        /* points x seeds */
    int systemc;          /* the runs use the SystemC engine */
    char (*hash)[17];     /* [n_runs] resolved config hash of each run (after the check) */
    char fingerprint[17]; /* over every run's folder, hash and the engine */
};

/* What the CLI lends: checking and running one config. */
struct scim_sweep_hooks {
    /* Load the run's config (deep: also its model and mapping) and give its hash. */
    int (*check)(void *ctx, const struct scim_sweep_run *run, int deep, char hash[17],
                 struct scim_diag *d);
    /* Run it in this process into folder dir with `threads` engine threads, on the
     * SystemC engine when systemc; on success *row is its row (scim_sweep_row_make). */
    int (*run)(void *ctx, const struct scim_sweep_plan *pl, const struct scim_sweep_run *run,
               const char *dir, int threads, int systemc, char **row, struct scim_diag *d);
    void *ctx;
};

struct scim_sweep_opts {
    const char *file;             /* the sweep file */
    const char *out;              /* results folder */
    const char *const *overrides; /* -p, --images, --chips, --seed as "key=value" */
    size_t n_overrides;
    int threads;       /* cores for this process (<= 0: all cores / local ranks) */
    int workers;       /* runs at once (<= 0: min(threads, runs)); each run gets
                          threads / workers engine threads */
    int resume;        /* keep the runs already done */
    int force;         /* start over in a folder that holds a sweep */
    int quiet;         /* no progress bar, no summary */
    int shard, shards; /* --shard i/N: points with index % N == i (shards 0: all) */
    long job;          /* >= 0: only this run, here (a SystemC run's process) */
    int engine;        /* -1: the sweep file's; 0 functional; 1 systemc */
    FILE *summary;     /* where the closing summary goes (NULL: nowhere) */
    int argc;          /* the command line, for the SystemC runs' processes */
    char *const *argv; /* and the provenance */
    struct scim_sweep_hooks hooks;
};

/* Run a sweep. Returns 0 or < 0 (errors in d). */
int scim_sweep(const struct scim_sweep_opts *o, struct scim_diag *d);

/* Merge the sweep folders dirs (shards of one sweep) into out: every run's folder
 * copied, one row per run (sorted, de-duplicated, config hashes checked). */
int scim_sweep_merge(const char *out, const char *const *dirs, size_t n, int force, FILE *summary,
                     struct scim_diag *d);

/* ---- the plan (sweep_plan.c) ---- */

/* Read the sweep file and expand it with the command-line overrides cli (kept by
 * pointer). engine: -1 the file's, 0 functional, 1 systemc. */
int scim_sweep_plan_build(struct scim_sweep_plan *pl, const char *file, const char *const *cli,
                          size_t n_cli, int engine, struct scim_diag *d);
/* Check every run (only >= 0: that run) with the hooks, filling pl->hash and the
 * fingerprint; every distinct error is reported once. */
int scim_sweep_plan_check(struct scim_sweep_plan *pl, const struct scim_sweep_hooks *h, long only,
                          struct scim_diag *d);
void scim_sweep_plan_free(struct scim_sweep_plan *pl);

/* Fill run for run index i (free with scim_sweep_run_free). */
int scim_sweep_run_make(const struct scim_sweep_plan *pl, size_t i, struct scim_sweep_run *run);
void scim_sweep_run_free(struct scim_sweep_run *run);

/* ---- rows (sweep_row.c) ---- */

/* The run's row from its report: point, seed, the axis values, engine, folder,
 * config hash, version and every metric, as one JSON object (no newline). Also
 * writes dir/rng_curve.csv when the chip's RNG has a switching curve. */
int scim_sweep_row_make(const struct scim_sweep_plan *pl, const struct scim_sweep_run *run,
                        const struct scim_report *r, int systemc, const char *dir, char **row,
                        struct scim_diag *d);

#endif
