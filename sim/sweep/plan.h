/*
 * plan.h - a sweep expanded into runs: the sweep's options, its runs (a point
 * with one seed, its folder and overrides), the plan that checks them before
 * the first one starts, one run through the run pipeline (runs.c), and its row
 * (row.c). sweep.h runs the whole sweep on top of these.
 */
#ifndef SCIM_SWEEP_PLAN_H
#define SCIM_SWEEP_PLAN_H

#include <stddef.h>
#include <stdio.h>

#include "arch/config.h"
#include "sim/report.h"
#include "spec.h"

/* One run of a sweep (a point with one seed). */
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
};

/* ---- the plan (plan.c) ---- */

/* Read the sweep file and expand it with the command-line overrides cli (kept by
 * pointer). engine: -1 the file's, 0 functional, 1 systemc. */
int scim_sweep_plan_build(struct scim_sweep_plan *pl, const char *file, const char *const *cli,
                          size_t n_cli, int engine, struct scim_diag *d);
/* Check every run (only >= 0: that run), filling pl->hash and the fingerprint;
 * every distinct error is reported once. */
int scim_sweep_plan_check(struct scim_sweep_plan *pl, long only, struct scim_diag *d);
void scim_sweep_plan_free(struct scim_sweep_plan *pl);

/* Fill run for run index i (free with scim_sweep_run_free). */
int scim_sweep_run_make(const struct scim_sweep_plan *pl, size_t i, struct scim_sweep_run *run);
void scim_sweep_run_free(struct scim_sweep_run *run);

/* ---- one run (runs.c) ---- */

/* The datasets the check has loaded, so that each is read once per sweep. */
struct scim_sweep_data;
struct scim_sweep_data *scim_sweep_data_new(void);
void scim_sweep_data_free(struct scim_sweep_data *seen);
/* Load the run's config (deep: also its model, mapping and dataset range) and give its
 * hash. Returns 0 or < 0 (errors in d). */
int scim_sweep_check_run(struct scim_sweep_data *seen, const struct scim_sweep_run *run, int deep,
                         char hash[17], struct scim_diag *d);
/* Run it in this process into folder dir with `threads` engine threads, on the engine
 * of the plan; on success *row is its row (scim_sweep_row_make). */
int scim_sweep_exec_run(const struct scim_sweep_plan *pl, const struct scim_sweep_run *run,
                        const char *dir, int threads, char **row, struct scim_diag *d);

/* ---- rows (row.c) ---- */

/* The run's row from its report: point, seed, the axis values, engine, folder,
 * config hash, version and every metric, as one JSON object (no newline). Also
 * writes dir/rng_curve.csv when the chip's RNG has a switching curve. */
int scim_sweep_row_make(const struct scim_sweep_plan *pl, const struct scim_sweep_run *run,
                        const struct scim_report *r, int systemc, const char *dir, char **row,
                        struct scim_diag *d);

#endif
