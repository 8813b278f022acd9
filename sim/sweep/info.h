/*
 * info.h - what a sweep tells besides its rows: the list of its runs
 * (jobs.jsonl), the provenance (sweep.json) and the progress bar.
 */
#ifndef SCIM_SWEEP_INFO_H
#define SCIM_SWEEP_INFO_H

#include <stddef.h>
#include <stdio.h>

#include "plan.h"

/* Ranks whose runs sweep.json counts one by one. */
#define SCIM_SWEEP_MAX_COUNTED 64

/* One invocation of a sweep, as sweep.json records it. */
struct scim_sweep_info {
    double t0;                                 /* monotonic start, s */
    char date[32];                             /* start, UTC, ISO 8601 */
    size_t todo;                               /* runs this invocation had to do */
    size_t kept;                               /* runs already done before (--resume) */
    size_t done;                               /* runs done by this invocation */
    size_t failed;                             /* runs that failed */
    int processes;                             /* MPI processes (1 without) */
    int workers;                               /* runs at once in rank 0's process */
    int threads;                               /* engine threads per run */
    size_t by_process[SCIM_SWEEP_MAX_COUNTED]; /* runs finished by each of the first ranks */
};

/* Seconds on the monotonic clock. */
double scim_now(void);

/* Start an info record (date, t0). */
void scim_sweep_info_start(struct scim_sweep_info *inf);

/* out/jobs.jsonl: one line per run (run, point, seed, folder, config hash, engine). */
int scim_sweep_jobs_write(const char *out, const struct scim_sweep_plan *pl, struct scim_diag *d);

/* out/sweep.json: the sweep, the command, the machine, the timing and status
 * ("running", "complete", "failed", "incomplete"). A flat JSON object. */
int scim_sweep_info_write(const char *out, const struct scim_sweep_opts *o,
                          const struct scim_sweep_plan *pl, const struct scim_sweep_info *inf,
                          const char *status, struct scim_diag *d);

/* The progress bar on stderr: runs done / to do, runs/s, time left. */
struct scim_progress {
    int on;      /* drawing (stderr is a terminal) */
    double last; /* when it was last drawn */
    int width;   /* characters drawn last time */
};

void scim_progress_draw(struct scim_progress *p, const struct scim_sweep_info *inf, int force);
void scim_progress_clear(struct scim_progress *p);

#endif
