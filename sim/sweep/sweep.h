/*
 * sweep.h - design-space sweeps: many runs of one base config, on local cores and
 * across MPI processes, safe to interrupt (docs/sweeps.md).
 *
 * A sweep file (spec.h) makes points; each point runs once per seed (a run).
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
 * Each run goes through the run pipeline (sim/run.h, sweep/runs.c), as `spincim run`
 * would run it.
 */
#ifndef SCIM_SWEEP_H
#define SCIM_SWEEP_H

#include <stddef.h>
#include <stdio.h>

#include "plan.h"

/* Run a sweep. Returns 0 or < 0 (errors in d). */
int scim_sweep(const struct scim_sweep_opts *o, struct scim_diag *d);

/* Merge the sweep folders dirs (shards of one sweep) into out: every run's folder
 * copied, one row per run (sorted, de-duplicated, config hashes checked). */
int scim_sweep_merge(const char *out, const char *const *dirs, size_t n, int force, FILE *summary,
                     struct scim_diag *d);

#endif
