/*
 * mpi_ranks.h - the few MPI messages of a sweep across processes and hosts.
 *
 * Rank 0 holds the runs still to do and hands them out one at a time on request
 * (dynamic load balancing: runs differ a lot in cost); every rank runs its runs on
 * worker threads and sends each run's row back to rank 0, which writes the tables.
 * Only each process's main thread calls MPI (MPI_THREAD_FUNNELED). Built without
 * MPI (CMake did not find it), every process is rank 0 of 1.
 */
#ifndef SCIM_SWEEP_MPI_H
#define SCIM_SWEEP_MPI_H

#include "sim/base/diag.h"

/* This process's place among the processes of a sweep. */
struct scim_mpi {
    int on;    /* 1: MPI initialized (started by mpirun, built with MPI) */
    int rank;  /* this process (0 without MPI) */
    int size;  /* processes (1 without MPI) */
    int local; /* processes on this host (1 without MPI) */
};

enum scim_mpi_kind { SCIM_MPI_REQUEST = 1, SCIM_MPI_RESULT, SCIM_MPI_BYE };

/* A message rank 0 received. */
struct scim_mpi_msg {
    int kind;  /* enum scim_mpi_kind */
    int from;  /* sender's rank */
    long run;  /* RESULT: the run */
    int rc;    /* RESULT: 0, or < 0 when the run failed */
    char *row; /* RESULT: its row (owned), NULL when it failed */
};

/* Join the processes when mpirun started this one; else rank 0 of 1. Returns 0, or
 * < 0 when started by mpirun with several processes but built without MPI. */
int scim_mpi_start(struct scim_mpi *m, struct scim_diag *d);
void scim_mpi_end(struct scim_mpi *m);
/* Rank 0's v, on every rank (a collective call). */
int scim_mpi_bcast(const struct scim_mpi *m, int v);

/* Rank 0: a waiting message, if any (1: *msg filled; 0: none). */
int scim_mpi_poll(const struct scim_mpi *m, struct scim_mpi_msg *msg);
/* Rank 0: answer a request with a run, or -1 for none left. */
void scim_mpi_send_run(const struct scim_mpi *m, int to, long run);

/* Other ranks: ask rank 0 for a run (-1: none left). */
long scim_mpi_request(const struct scim_mpi *m);
/* Other ranks: a finished run's result; then, when all are sent, goodbye. */
void scim_mpi_send_result(const struct scim_mpi *m, long run, int rc, const char *row);
void scim_mpi_send_bye(const struct scim_mpi *m);

#endif
