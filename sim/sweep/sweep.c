/*
 * sweep.c - a sweep from its file to its results folder (sweep.h).
 *
 * Rank 0 checks every run, takes the folder (a lock file, so two sweeps never
 * share one), keeps the rows of the runs already done (--resume), lists the runs
 * (jobs.jsonl), and while the runs go on rebuilds the tables from the rows every
 * two seconds and at the end. The other MPI ranks only run what rank 0 hands out.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "sim/base/error.h"
#include "sweep.h"
#include "exec.h"
#include "info.h"
#include "table.h"

#define TABLE_PERIOD_S 2.0

/* Rank 0's view of a sweep in progress. */
struct state {
    const struct scim_sweep_opts *o;
    const struct scim_sweep_plan *pl;
    struct scim_diag *d;
    char **rows;  /* [n_runs] rows of the finished runs (owned) */
    size_t *todo; /* runs to do, n_todo of them */
    size_t n_todo;
    struct scim_sweep_info info;
    struct scim_progress prog;
    double last_write; /* when the tables were last written */
    int dirty;         /* rows changed since */
    int lock_fd;       /* out/.lock, held while the sweep runs */
};

/* ---- the folder ---- */

static int take_folder(struct state *st)
{
    const char *out = st->o->out;
    char path[4200];
    if (scim_mkdirs(out) < 0)
        return scim_diag_file_error(st->d, out, SCIM_EIO, "cannot create folder");
    if (scim_path_join(path, sizeof(path), out, ".lock") < 0)
        return scim_diag_file_error(st->d, out, SCIM_EINVAL, "path too long");
    st->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (st->lock_fd < 0 || flock(st->lock_fd, LOCK_EX | LOCK_NB) != 0)
        return scim_diag_file_error(st->d, out, SCIM_EEXISTS_OUT,
                                    "another sweep is writing to this folder");
    if (scim_path_join(path, sizeof(path), out, "jobs.jsonl") == 0 && !st->o->resume &&
        !st->o->force && access(path, F_OK) == 0)
        return scim_diag_file_error(st->d, out, SCIM_EEXISTS_OUT,
                                    "already holds a sweep (jobs.jsonl); use --resume to go on "
                                    "with it, --force to run it again, or another --out");
    return 0;
}

/* Does the row text belong to run i of the plan (point, folder, config, engine)? */
static int row_matches(const struct scim_sweep_plan *pl, const struct scim_sweep_run *run,
                       const char *text)
{
    struct scim_flat o;
    if (scim_flat_parse(text, &o) < 0)
        return 0;
    char point[32];
    snprintf(point, sizeof(point), "%zu", run->point);
    const char *p = scim_flat_get(&o, "point", NULL), *dir = scim_flat_get(&o, "dir", NULL);
    const char *h = scim_flat_get(&o, "config_hash", NULL), *e = scim_flat_get(&o, "engine", NULL);
    int ok = p && dir && h && e && !strcmp(p, point) && !strcmp(dir, run->dir) &&
             !strcmp(h, pl->hash[run->index]) && !strcmp(e, pl->systemc ? "systemc" : "functional");
    scim_flat_free(&o);
    return ok;
}

/* The row of run i when it is done (its row.json matches), else NULL. */
static char *done_row(const struct state *st, size_t i)
{
    struct scim_sweep_run run;
    char path[4200], *text = NULL;
    if (scim_sweep_run_make(st->pl, i, &run) < 0)
        return NULL;
    if (snprintf(path, sizeof(path), "%s/%s/row.json", st->o->out, run.dir) < (int)sizeof(path))
        text = scim_read_text(path);
    if (text) {
        text[strcspn(text, "\n")] = '\0';
        if (!row_matches(st->pl, &run, text))
            free(text), text = NULL;
    }
    scim_sweep_run_free(&run);
    return text;
}

/* Which runs of this shard are to do, and the rows of those done before. With
 * --resume the tables also keep the rows of other shards run into the same folder. */
static int plan_work(struct state *st)
{
    const struct scim_sweep_plan *pl = st->pl;
    st->rows = calloc(pl->n_runs, sizeof(*st->rows));
    st->todo = calloc(pl->n_runs, sizeof(*st->todo));
    if (!st->rows || !st->todo)
        return SCIM_ENOMEM;
    int keep = st->o->resume && !st->o->force;
    for (size_t i = 0; i < pl->n_runs; i++) {
        size_t point = i / pl->n_seeds;
        if (st->o->shards && (int)(point % (size_t)st->o->shards) != st->o->shard) {
            st->rows[i] = keep ? done_row(st, i) : NULL;
            continue;
        }
        if (keep && (st->rows[i] = done_row(st, i)))
            st->info.kept++;
        else
            st->todo[st->n_todo++] = i;
    }
    st->info.todo = st->n_todo;
    return 0;
}

static int write_tables(struct state *st)
{
    st->dirty = 0;
    st->last_write = scim_now();
    return scim_sweep_tables_write(st->o->out, st->rows, st->pl->n_runs, st->d);
}

/* ---- while the runs go on (rank 0, main thread) ---- */

static void commit(void *ctx, size_t run, int rank, int rc, char *row)
{
    struct state *st = ctx;
    if (rank >= 0 && rank < SCIM_SWEEP_MAX_COUNTED)
        st->info.by_process[rank]++;
    if (rc < 0) {
        struct scim_sweep_run r;
        st->info.failed++;
        scim_progress_clear(&st->prog);
        if (scim_sweep_run_make(st->pl, run, &r) == 0) {
            scim_diag_file_error(st->d, st->o->out, rc, "run %zu (%s) failed: %s", run, r.dir,
                                 scim_strerror(rc));
            scim_sweep_run_free(&r);
        }
        return;
    }
    free(st->rows[run]);
    st->rows[run] = row;
    st->info.done++;
    st->dirty = 1;
    scim_progress_draw(&st->prog, &st->info, 0);
}

static void tick(void *ctx)
{
    struct state *st = ctx;
    scim_progress_draw(&st->prog, &st->info, 0);
    if (st->dirty && scim_now() - st->last_write >= TABLE_PERIOD_S)
        write_tables(st);
}

/* ---- the whole sweep ---- */

static int cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* Threads of this process, worker threads, and engine threads per run. */
static void shares(const struct scim_sweep_opts *o, const struct scim_mpi *m, size_t todo,
                   int *workers, int *per_run)
{
    int threads = o->threads > 0 ? o->threads : cores() / m->local;
    if (threads < 1)
        threads = 1;
    int w = o->workers > 0 ? o->workers : threads;
    if (m->rank == 0 && m->size == 1 && (size_t)w > todo)
        w = todo ? (int)todo : 1;
    *workers = w;
    *per_run = threads / w > 0 ? threads / w : 1;
}

static void summary(const struct state *st, int rc)
{
    FILE *f = st->o->summary;
    double wall = scim_now() - st->info.t0;
    if (!f)
        return;
    fprintf(f,
            "sweep: %zu of %zu runs done (%zu now, %zu kept) in %.2f s, %.3g runs/s; %d "
            "process%s x %d worker%s x %d thread%s\n",
            st->info.done + st->info.kept, st->info.todo + st->info.kept, st->info.done,
            st->info.kept, wall, wall > 0 ? (double)st->info.done / wall : 0.0, st->info.processes,
            st->info.processes == 1 ? "" : "es", st->info.workers, st->info.workers == 1 ? "" : "s",
            st->info.threads, st->info.threads == 1 ? "" : "s");
    if (rc == 0)
        fprintf(f, "results in %s/results.csv and %s/results.jsonl\n", st->o->out, st->o->out);
}

/* Rank 0 before the runs: the folder, the runs to do, the plan and provenance files. */
static int prepare(struct state *st)
{
    int rc = take_folder(st);
    if (rc == 0)
        rc = plan_work(st);
    if (rc == 0)
        rc = scim_sweep_jobs_write(st->o->out, st->pl, st->d);
    if (rc == 0)
        rc = write_tables(st);
    if (rc == 0)
        rc = scim_sweep_info_write(st->o->out, st->o, st->pl, &st->info, "running", st->d);
    return rc;
}

static int finish(struct state *st, int rc)
{
    scim_progress_draw(&st->prog, &st->info, 1);
    scim_progress_clear(&st->prog);
    int wrc = write_tables(st);
    const char *status = rc < 0 ? "failed" : st->info.done < st->n_todo ? "incomplete" : "complete";
    if (wrc == 0)
        wrc = scim_sweep_info_write(st->o->out, st->o, st->pl, &st->info, status, st->d);
    if (!st->o->quiet)
        summary(st, rc);
    return rc < 0 ? rc : wrc;
}

static void state_free(struct state *st)
{
    for (size_t i = 0; st->rows && i < st->pl->n_runs; i++)
        free(st->rows[i]);
    free(st->rows);
    free(st->todo);
    if (st->lock_fd >= 0)
        close(st->lock_fd);
}

/* A SystemC run's own process: check and run only that run. */
static int one_job(const struct scim_sweep_opts *o, struct scim_sweep_plan *pl, struct scim_diag *d)
{
    int rc = scim_sweep_plan_check(pl, o->job, d);
    char *row = NULL;
    if (rc == 0)
        rc = scim_sweep_run_one(o, pl, (size_t)o->job, o->threads > 0 ? o->threads : 1, 0, &row, d);
    free(row);
    return rc;
}

/* built: this rank's plan build (0 or < 0); rank 0's is the verdict for all. */
static int run_sweep(const struct scim_sweep_opts *o, struct scim_sweep_plan *pl,
                     const struct scim_mpi *m, int built, struct scim_diag *d)
{
    struct state st = {.o = o, .pl = pl, .d = d, .lock_fd = -1};
    scim_sweep_info_start(&st.info);
    st.prog.on = !o->quiet && isatty(2);
    int rc = built;
    if (m->rank == 0 && rc == 0)
        rc = scim_sweep_plan_check(pl, -1, d);
    if (m->rank == 0 && rc == 0)
        rc = prepare(&st);
    rc = scim_mpi_bcast(m, rc);
    if (rc == 0) {
        shares(o, m, st.n_todo, &st.info.workers, &st.info.threads);
        st.info.processes = m->size;
        struct scim_sweep_exec_cfg c = {.o = o,
                                        .pl = pl,
                                        .mpi = m,
                                        .workers = built == 0 ? st.info.workers : 0,
                                        .threads = st.info.threads,
                                        .todo = st.todo,
                                        .n_todo = st.n_todo,
                                        .commit = commit,
                                        .tick = tick,
                                        .ctx = &st};
        rc = scim_sweep_exec(&c);
    }
    if (m->rank == 0 && st.rows)
        rc = finish(&st, rc);
    state_free(&st);
    return scim_mpi_bcast(m, rc);
}

int scim_sweep(const struct scim_sweep_opts *o, struct scim_diag *d)
{
    struct scim_sweep_plan pl;
    if (o->job >= 0) {
        int rc = scim_sweep_plan_build(&pl, o->file, o->overrides, o->n_overrides, o->engine, d);
        if (rc == 0)
            rc = one_job(o, &pl, d);
        scim_sweep_plan_free(&pl);
        return rc;
    }
    struct scim_mpi m;
    int rc = scim_mpi_start(&m, d);
    if (rc < 0)
        return rc;
    struct scim_diag quiet;
    scim_diag_init(&quiet, NULL);
    rc = scim_sweep_plan_build(&pl, o->file, o->overrides, o->n_overrides, o->engine,
                               m.rank == 0 ? d : &quiet);
    rc = run_sweep(o, &pl, &m, rc, d);
    scim_sweep_plan_free(&pl);
    scim_diag_free(&quiet);
    scim_mpi_end(&m);
    return rc;
}
