/*
 * info.c - jobs.jsonl, sweep.json and the progress bar (info.h).
 */
#include "info.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim/base/error.h"
#include "sim/report.h"
#include "table.h"

double scim_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void scim_sweep_info_start(struct scim_sweep_info *inf)
{
    memset(inf, 0, sizeof(*inf));
    inf->t0 = scim_now();
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(inf->date, sizeof(inf->date), "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- jobs.jsonl ---- */

static void w_jobs(const void *pv, FILE *f)
{
    const struct scim_sweep_plan *pl = pv;
    for (size_t i = 0; i < pl->n_runs; i++) {
        struct scim_sweep_run run;
        if (scim_sweep_run_make(pl, i, &run) < 0)
            return;
        fprintf(f, "{\"run\": %zu, \"point\": %zu, ", i, run.point);
        if (pl->spec.seeds)
            fprintf(f, "\"seed\": %lld, ", (long long)pl->spec.seeds[i % pl->n_seeds]);
        fprintf(f, "\"dir\": \"%s\", \"config_hash\": \"%s\", \"engine\": \"%s\"}\n", run.dir,
                pl->hash[i], pl->systemc ? "systemc" : "functional");
        scim_sweep_run_free(&run);
    }
}

int scim_sweep_jobs_write(const char *out, const struct scim_sweep_plan *pl, struct scim_diag *d)
{
    char path[4200];
    if (scim_path_join(path, sizeof(path), out, "jobs.jsonl") < 0)
        return scim_diag_file_error(d, out, SCIM_EINVAL, "path too long");
    return scim_write_atomic(path, w_jobs, pl, d);
}

/* ---- sweep.json ---- */

/* The first "model name" of /proc/cpuinfo, or "". */
static void cpu_model(char *buf, size_t len)
{
    char *text = scim_read_text("/proc/cpuinfo"), *p = text ? strstr(text, "model name") : NULL;
    buf[0] = '\0';
    if (p && (p = strchr(p, ':'))) {
        p += 2;
        size_t n = strcspn(p, "\n");
        snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), p);
    }
    free(text);
}

/* The command line as one string (arguments with blanks quoted). */
static void command(FILE *f, const struct scim_sweep_opts *o)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    for (int i = 0; m && i < o->argc; i++)
        fprintf(m, strpbrk(o->argv[i], " \t'\"") ? "%s'%s'" : "%s%s", i ? " " : "", o->argv[i]);
    if (m)
        fclose(m);
    scim_json_string(f, text ? text : "");
    free(text);
}

/* What sweep.json is written from. */
struct info_ctx {
    const struct scim_sweep_opts *o;
    const struct scim_sweep_plan *pl;
    const struct scim_sweep_info *inf;
    const char *status;
};

static void kv(FILE *f, const char *k, const char *v, int last)
{
    fprintf(f, "  \"%s\": ", k);
    scim_json_string(f, v);
    fputs(last ? "\n" : ",\n", f);
}

static void w_info(const void *cv, FILE *f)
{
    const struct info_ctx *c = cv;
    const struct scim_sweep_info *inf = c->inf;
    char host[256] = "", cpu[256], shard[32] = "";
    gethostname(host, sizeof(host) - 1);
    cpu_model(cpu, sizeof(cpu));
    if (c->o->shards)
        snprintf(shard, sizeof(shard), "%d/%d", c->o->shard, c->o->shards);
    double wall = scim_now() - inf->t0;
    fputs("{\n", f);
    kv(f, "spincim_version", SPINCIM_VERSION, 0);
    kv(f, "sweep_file", c->o->file, 0);
    kv(f, "fingerprint", c->pl->fingerprint, 0);
    fprintf(f, "  \"runs\": %zu,\n  \"points\": %zu,\n  \"seeds\": %zu,\n", c->pl->n_runs,
            c->pl->spec.n_points, c->pl->n_seeds);
    kv(f, "engine", c->pl->systemc ? "systemc" : "functional", 0);
    kv(f, "shard", shard, 0);
    fputs("  \"command\": ", f);
    command(f, c->o);
    fputs(",\n", f);
    kv(f, "date", inf->date, 0);
    kv(f, "host", host, 0);
    kv(f, "cpu", cpu, 0);
    fprintf(f, "  \"cores\": %ld,\n  \"processes\": %d,\n  \"workers\": %d,\n",
            sysconf(_SC_NPROCESSORS_ONLN), inf->processes, inf->workers);
    fprintf(f, "  \"threads_per_run\": %d,\n  \"runs_todo\": %zu,\n  \"runs_kept\": %zu,\n",
            inf->threads, inf->todo, inf->kept);
    fprintf(f, "  \"runs_done\": %zu,\n  \"runs_failed\": %zu,\n  \"wall_s\": %.3f,\n", inf->done,
            inf->failed, wall);
    fprintf(f, "  \"runs_per_s\": %.4f,\n  \"runs_by_process\": \"",
            wall > 0 ? (double)inf->done / wall : 0.0);
    for (int r = 0; r < inf->processes && r < SCIM_SWEEP_MAX_COUNTED; r++)
        fprintf(f, "%s%zu", r ? "," : "", inf->by_process[r]);
    fputs("\",\n", f);
    kv(f, "status", c->status, 1);
    fputs("}\n", f);
}

int scim_sweep_info_write(const char *out, const struct scim_sweep_opts *o,
                          const struct scim_sweep_plan *pl, const struct scim_sweep_info *inf,
                          const char *status, struct scim_diag *d)
{
    char path[4200];
    struct info_ctx c = {o, pl, inf, status};
    if (scim_path_join(path, sizeof(path), out, "sweep.json") < 0)
        return scim_diag_file_error(d, out, SCIM_EINVAL, "path too long");
    return scim_write_atomic(path, w_info, &c, d);
}

/* ---- progress ---- */

static void clock_text(double s, char *buf, size_t len)
{
    long t = s > 0 && s < 1e7 ? (long)(s + 0.5) : 0;
    if (t >= 3600)
        snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

void scim_progress_draw(struct scim_progress *p, const struct scim_sweep_info *inf, int force)
{
    double now = scim_now();
    if (!p->on || (!force && now - p->last < 0.2))
        return;
    p->last = now;
    size_t total = inf->todo + inf->kept, done = inf->done + inf->failed + inf->kept;
    double el = now - inf->t0, rate = el > 0 ? (double)(inf->done + inf->failed) / el : 0;
    char eta[32] = "--:--";
    if (rate > 0)
        clock_text((double)(inf->todo - inf->done - inf->failed) / rate, eta, sizeof(eta));
    char bar[31];
    size_t fill = total ? 30 * done / total : 30;
    for (size_t i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = '\0';
    int n =
        fprintf(stderr, "\r[%s] %zu/%zu runs  %.2f runs/s  ETA %s", bar, done, total, rate, eta);
    if (n < p->width)
        fprintf(stderr, "%*s", p->width - n, "");
    p->width = n;
    fflush(stderr);
}

void scim_progress_clear(struct scim_progress *p)
{
    if (p->on && p->width)
        fprintf(stderr, "\r%*s\r", p->width, "");
    p->width = 0;
}
