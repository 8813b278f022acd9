/*
 * exec.c - worker threads over a sweep's runs (exec.h).
 *
 * Every process has worker threads that take runs from a queue. On rank 0 (and
 * without MPI) the queue holds every run to do; the main thread collects finished
 * runs and, with MPI, answers the other ranks: a request gets the next run of the
 * same queue (or none), a result is committed like a local one. On the other ranks
 * the main thread fills the queue one request at a time, whenever a worker waits,
 * and sends the results back. Only main threads call MPI.
 */
#include "exec.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim/base/error.h"
#include "sim/base/spawn.h"
#include "table.h"

/* A run a worker finished. */
struct fin {
    size_t run;
    int rc;
    char *row; /* owned; NULL when it failed */
};

struct exec {
    const struct scim_sweep_exec_cfg *c;
    pthread_mutex_t mu;
    pthread_cond_t work; /* workers wait here for runs */
    pthread_cond_t news; /* the main thread waits here for finished runs / idle workers */
    size_t *queue;       /* runs to hand out: queue[head..len) */
    size_t head, len, cap;
    int closed;       /* no run will be added to the queue */
    int stop;         /* a run failed: hand out no more */
    int idle;         /* workers waiting for a run */
    int live;         /* workers not yet exited */
    struct fin *fins; /* finished, not yet collected */
    size_t n_fins, cap_fins;
    size_t handed, finished; /* rank 0: runs handed out (here and to other ranks) and finished */
};

/* ---- one run ---- */

static int run_here(const struct scim_sweep_plan *pl, const struct scim_sweep_run *run, const char *dir, int threads, char **row,
                    struct scim_diag *d)
{
    int rc = scim_sweep_exec_run(pl, run, dir, threads, row, d);
    char path[4200], *line = NULL;
    if (rc == 0 && scim_path_join(path, sizeof(path), dir, "row.json") < 0)
        rc = scim_diag_file_error(d, dir, SCIM_EINVAL, "path too long");
    if (rc == 0 && (line = malloc(strlen(*row) + 2)))
        sprintf(line, "%s\n", *row);
    if (rc == 0)
        rc = line ? scim_write_text(path, line, d) : SCIM_ENOMEM;
    free(line);
    if (rc < 0) {
        free(*row);
        *row = NULL;
    }
    return rc;
}

/* The row a child process left in its folder. */
static int read_row(const char *dir, char **row, struct scim_diag *d)
{
    char path[4200];
    if (scim_path_join(path, sizeof(path), dir, "row.json") < 0 || !(*row = scim_read_text(path)))
        return scim_diag_file_error(d, dir, SCIM_EIO, "the run's process left no row.json");
    size_t n = strlen(*row);
    while (n && ((*row)[n - 1] == '\n'))
        (*row)[--n] = '\0';
    return 0;
}

/* This program's command line plus "--job I --threads T --quiet". */
static int run_child(const struct scim_sweep_opts *o, size_t i, const char *dir, int threads,
                     char **row, struct scim_diag *d)
{
    char job[32], thr[32];
    snprintf(job, sizeof(job), "%zu", i);
    snprintf(thr, sizeof(thr), "%d", threads);
    char **argv = calloc((size_t)o->argc + 6, sizeof(*argv));
    if (!argv)
        return SCIM_ENOMEM;
    for (int k = 0; k < o->argc; k++)
        argv[k] = o->argv[k];
    char *extra[5] = {"--job", job, "--threads", thr, "--quiet"};
    memcpy(argv + o->argc, extra, sizeof(extra));
    char path[4200];
    if (scim_path_join(path, sizeof(path), dir, "row.json") == 0)
        unlink(path); /* a row left by an earlier run must not pass for this one's */
    int status = scim_spawn_wait("/proc/self/exe", argv, dir, d);
    free(argv);
    if (status < 0)
        return status;
    if (status != 0)
        return scim_diag_file_error(d, dir, SCIM_EIO, "the run's process failed (status %d)",
                                    status);
    return read_row(dir, row, d);
}

int scim_sweep_run_one(const struct scim_sweep_opts *o, const struct scim_sweep_plan *pl, size_t i,
                       int threads, int child, char **row, struct scim_diag *d)
{
    struct scim_sweep_run run;
    char dir[4200];
    *row = NULL;
    int rc = scim_sweep_run_make(pl, i, &run);
    if (rc < 0)
        return rc;
    if (scim_path_join(dir, sizeof(dir), o->out, run.dir) < 0)
        rc = scim_diag_file_error(d, o->out, SCIM_EINVAL, "path too long");
    else if (child)
        rc = run_child(o, i, dir, threads, row, d);
    else
        rc = run_here(pl, &run, dir, threads, row, d);
    scim_sweep_run_free(&run);
    return rc;
}

/* ---- workers ---- */

/* The next run for a worker, or -1 when there is none (or a run failed). */
static long take(struct exec *x)
{
    pthread_mutex_lock(&x->mu);
    x->idle++;
    pthread_cond_signal(&x->news);
    while (x->head == x->len && !x->closed && !x->stop)
        pthread_cond_wait(&x->work, &x->mu);
    x->idle--;
    long r = -1;
    if (!x->stop && x->head < x->len)
        r = (long)x->queue[x->head++], x->handed++;
    pthread_mutex_unlock(&x->mu);
    return r;
}

static void put(struct exec *x, struct fin f)
{
    pthread_mutex_lock(&x->mu);
    if (x->n_fins == x->cap_fins) {
        size_t cap = x->cap_fins ? 2 * x->cap_fins : 16;
        struct fin *v = realloc(x->fins, cap * sizeof(*v));
        if (v)
            x->fins = v, x->cap_fins = cap;
    }
    if (x->n_fins < x->cap_fins)
        x->fins[x->n_fins++] = f;
    else
        free(f.row), x->stop = 1; /* out of memory: the run is lost, the sweep stops */
    pthread_cond_signal(&x->news);
    pthread_mutex_unlock(&x->mu);
}

static void *worker(void *arg)
{
    struct exec *x = arg;
    const struct scim_sweep_exec_cfg *c = x->c;
    struct scim_diag d;
    scim_diag_init(&d, stderr);
    for (long r; (r = take(x)) >= 0;) {
        struct fin f = {(size_t)r, 0, NULL};
        f.rc = scim_sweep_run_one(c->o, c->pl, (size_t)r, c->threads, c->pl->systemc, &f.row, &d);
        put(x, f);
    }
    scim_diag_free(&d);
    pthread_mutex_lock(&x->mu);
    x->live--;
    pthread_cond_signal(&x->news);
    pthread_mutex_unlock(&x->mu);
    return NULL;
}

/* Move the finished runs out (under the lock); returns how many. */
static size_t grab(struct exec *x, struct fin **out)
{
    size_t n = x->n_fins;
    *out = x->fins;
    x->fins = NULL, x->n_fins = x->cap_fins = 0;
    return n;
}

static void timed_wait(struct exec *x, long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += ms * 1000000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    pthread_cond_timedwait(&x->news, &x->mu, &ts);
}

/* ---- rank 0 (and a single process) ---- */

static void finished(struct exec *x, size_t run, int rank, int rc, char *row, int *first_rc)
{
    pthread_mutex_lock(&x->mu);
    x->finished++;
    if (rc < 0 && !x->stop) {
        x->stop = 1;
        pthread_cond_broadcast(&x->work);
    }
    pthread_mutex_unlock(&x->mu);
    if (rc < 0 && *first_rc == 0)
        *first_rc = rc;
    x->c->commit(x->c->ctx, run, rank, rc, row);
}

/* A message from another rank; returns 1 for a goodbye. */
static int answer(struct exec *x, const struct scim_mpi_msg *m, int *first_rc)
{
    if (m->kind == SCIM_MPI_RESULT)
        finished(x, (size_t)m->run, m->from, m->rc, m->row, first_rc);
    if (m->kind != SCIM_MPI_REQUEST)
        return m->kind == SCIM_MPI_BYE;
    long r = -1;
    pthread_mutex_lock(&x->mu);
    if (!x->stop && x->head < x->len)
        r = (long)x->queue[x->head++], x->handed++;
    pthread_mutex_unlock(&x->mu);
    scim_mpi_send_run(x->c->mpi, m->from, r);
    return 0;
}

/* Collect local and remote results until every run handed out has finished and
 * every other rank has said goodbye. */
static int coordinate(struct exec *x)
{
    const struct scim_mpi *mpi = x->c->mpi;
    int byes = 0, first_rc = 0;
    for (;;) {
        struct fin *f;
        pthread_mutex_lock(&x->mu);
        size_t n = grab(x, &f);
        pthread_mutex_unlock(&x->mu);
        for (size_t i = 0; i < n; i++)
            finished(x, f[i].run, 0, f[i].rc, f[i].row, &first_rc);
        free(f);
        struct scim_mpi_msg m;
        int got = 0;
        while (scim_mpi_poll(mpi, &m))
            got = 1, byes += answer(x, &m, &first_rc);
        x->c->tick(x->c->ctx);
        pthread_mutex_lock(&x->mu);
        int done = x->live == 0 && x->n_fins == 0 && x->finished == x->handed &&
                   (x->head == x->len || x->stop) && byes == mpi->size - 1;
        if (!done && !got && !n && !x->n_fins)
            timed_wait(x, mpi->size > 1 ? 2 : 200);
        pthread_mutex_unlock(&x->mu);
        if (done)
            return first_rc;
    }
}

/* ---- the other ranks ---- */

static void send_results(const struct scim_mpi *mpi, struct fin *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        scim_mpi_send_result(mpi, (long)f[i].run, f[i].rc, f[i].row);
        free(f[i].row);
    }
    free(f);
}

/* Ask rank 0 for a run whenever a worker waits; send back what finishes. */
static void serve(struct exec *x)
{
    int no_more = 0;
    for (;;) {
        struct fin *f;
        pthread_mutex_lock(&x->mu);
        while (!x->n_fins && x->live > 0 && (no_more || x->idle <= (int)(x->len - x->head)))
            pthread_cond_wait(&x->news, &x->mu);
        size_t n = grab(x, &f);
        int want = !no_more && x->idle > (int)(x->len - x->head), live = x->live;
        pthread_mutex_unlock(&x->mu);
        send_results(x->c->mpi, f, n);
        if (want) {
            long r = scim_mpi_request(x->c->mpi);
            pthread_mutex_lock(&x->mu);
            if (r < 0 || x->len == x->cap)
                no_more = 1, x->closed = 1;
            else
                x->queue[x->len++] = (size_t)r;
            pthread_cond_broadcast(&x->work);
            pthread_mutex_unlock(&x->mu);
        }
        if (live == 0)
            break;
    }
    scim_mpi_send_bye(x->c->mpi);
}

/* ---- setup ---- */

static int exec_init(struct exec *x, const struct scim_sweep_exec_cfg *c)
{
    memset(x, 0, sizeof(*x));
    x->c = c;
    int rank0 = c->mpi->rank == 0;
    x->cap = rank0 ? c->n_todo : c->pl->n_runs;
    x->queue = calloc(x->cap ? x->cap : 1, sizeof(*x->queue));
    if (!x->queue)
        return SCIM_ENOMEM;
    if (rank0)
        memcpy(x->queue, c->todo, c->n_todo * sizeof(*x->queue)), x->len = c->n_todo;
    x->closed = rank0;
    pthread_mutex_init(&x->mu, NULL);
    pthread_cond_init(&x->work, NULL);
    pthread_cond_init(&x->news, NULL);
    return 0;
}

int scim_sweep_exec(const struct scim_sweep_exec_cfg *c)
{
    struct exec x;
    int rc = exec_init(&x, c), started = 0;
    if (rc < 0)
        return rc;
    pthread_t *tid = calloc((size_t)(c->workers > 0 ? c->workers : 1), sizeof(*tid));
    x.live = c->workers; /* before any worker can exit */
    while (tid && started < c->workers && pthread_create(&tid[started], NULL, worker, &x) == 0)
        started++;
    pthread_mutex_lock(&x.mu);
    x.live -= c->workers - started;
    pthread_mutex_unlock(&x.mu);
    if (c->mpi->rank == 0 && started == 0)
        rc = SCIM_ENOMEM; /* nobody would run the runs */
    else if (c->mpi->rank == 0)
        rc = coordinate(&x);
    else
        serve(&x);
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    free(tid);
    free(x.queue);
    free(x.fins);
    pthread_cond_destroy(&x.work);
    pthread_cond_destroy(&x.news);
    pthread_mutex_destroy(&x.mu);
    return rc;
}
