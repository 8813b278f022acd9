/*
 * exec.h - running a sweep's runs on worker threads, in one process or
 * across MPI processes (rank 0 hands the runs out one at a time and collects the
 * rows; see mpi_ranks.h).
 */
#ifndef SCIM_SWEEP_EXEC_H
#define SCIM_SWEEP_EXEC_H

#include "plan.h"
#include "mpi_ranks.h"

struct scim_sweep_exec_cfg {
    const struct scim_sweep_opts *o;  /* the sweep's options (folder, argv) */
    const struct scim_sweep_plan *pl; /* its runs */
    const struct scim_mpi *mpi;       /* this process among the others */
    int workers;                      /* worker threads of this process (0: none) */
    int threads;                      /* engine threads of each run */
    const size_t *todo;               /* rank 0: the runs to do, in order */
    size_t n_todo;
    /* Rank 0, main thread: run `run` finished on rank `rank` (rc < 0: failed; the row
     * is handed over). */
    void (*commit)(void *ctx, size_t run, int rank, int rc, char *row);
    /* Rank 0, main thread: called often (at least every 200 ms), for the progress. */
    void (*tick)(void *ctx);
    void *ctx;
};

/* Run the runs; returns 0, or the first failed run's error. */
int scim_sweep_exec(const struct scim_sweep_exec_cfg *c);

/* Run i now: in this process (its folder, then its row file), or with child = 1 in
 * a new process of this program (a SystemC run: one simulation per process). On
 * success *row is its row (free it). */
int scim_sweep_run_one(const struct scim_sweep_opts *o, const struct scim_sweep_plan *pl, size_t i,
                       int threads, int child, char **row, struct scim_diag *d);

#endif
