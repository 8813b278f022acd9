/*
 * merge.c - shard folders of one sweep merged into one (spincim merge).
 *
 * The folders must list the same runs (identical jobs.jsonl). For every run the
 * rows found are checked against the run's config hash; the same run done in two
 * folders must have given the same row. The run's folder is copied (its row last,
 * as a sweep writes it) and the tables are rebuilt, sorted by run.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "sim/base/error.h"
#include "sweep.h"
#include "table.h"

/* What is merged: the folders, the runs (from jobs.jsonl) and the rows found. */
struct merge {
    const char *out;
    const char *const *dirs;
    size_t n_dirs;
    struct scim_flat *jobs; /* one per run */
    size_t n_jobs;
    char **rows; /* [n_jobs] the row of each run, NULL when missing */
    struct scim_diag *d;
};

/* ---- copying a run's folder ---- */

/* Bytes of a file, for a copy (binary safe). */
struct blob {
    char *data;
    size_t len;
};

static void w_blob(const void *bv, FILE *f)
{
    const struct blob *b = bv;
    fwrite(b->data, 1, b->len, f);
}

static int copy_file(const char *src, const char *dst, struct scim_diag *d)
{
    FILE *f = fopen(src, "rb");
    struct blob b = {NULL, 0};
    FILE *m = f ? open_memstream(&b.data, &b.len) : NULL;
    char buf[65536];
    for (size_t n; m && (n = fread(buf, 1, sizeof(buf), f)) > 0;)
        fwrite(buf, 1, n, m);
    int bad = !f || !m || ferror(f);
    if (m)
        fclose(m);
    if (f)
        fclose(f);
    int rc = bad ? scim_diag_file_error(d, src, SCIM_EIO, "cannot read") : 0;
    if (rc == 0)
        rc = scim_write_atomic(dst, w_blob, &b, d);
    free(b.data);
    return rc;
}

/* The files of src/run_dir into out/run_dir, row.json last (the mark of a done run). */
static int copy_run(const struct merge *mg, const char *src, const char *run_dir)
{
    char from[PATH_MAX], to[PATH_MAX], a[PATH_MAX + 256], b[PATH_MAX + 256];
    if (scim_path_join(from, sizeof(from), src, run_dir) < 0 ||
        scim_path_join(to, sizeof(to), mg->out, run_dir) < 0)
        return scim_diag_file_error(mg->d, src, SCIM_EINVAL, "path too long");
    if (scim_mkdirs(to) < 0)
        return scim_diag_file_error(mg->d, to, SCIM_EIO, "cannot create folder");
    DIR *dir = opendir(from);
    if (!dir)
        return scim_diag_file_error(mg->d, from, SCIM_EIO, "cannot read folder");
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(dir));) {
        struct stat st;
        if (scim_path_join(a, sizeof(a), from, e->d_name) < 0 ||
            scim_path_join(b, sizeof(b), to, e->d_name) < 0)
            continue;
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "row.json") || strstr(e->d_name, ".tmp.") ||
            stat(a, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        rc = copy_file(a, b, mg->d);
    }
    closedir(dir);
    if (rc == 0 && (scim_path_join(a, sizeof(a), from, "row.json") < 0 ||
                    scim_path_join(b, sizeof(b), to, "row.json") < 0))
        rc = scim_diag_file_error(mg->d, from, SCIM_EINVAL, "path too long");
    return rc == 0 ? copy_file(a, b, mg->d) : rc;
}

/* ---- the runs ---- */

static int read_jobs(struct merge *mg)
{
    char path[PATH_MAX], *first = NULL;
    int rc = 0;
    for (size_t k = 0; k < mg->n_dirs && rc == 0; k++) {
        snprintf(path, sizeof(path), "%s/jobs.jsonl", mg->dirs[k]);
        char *text = scim_read_text(path);
        if (!text)
            rc = scim_diag_file_error(mg->d, mg->dirs[k], SCIM_ENOENT,
                                      "not a sweep folder (no jobs.jsonl)");
        else if (first && strcmp(first, text))
            rc = scim_diag_file_error(mg->d, mg->dirs[k], SCIM_EINVAL,
                                      "holds another sweep than %s (jobs.jsonl differs)",
                                      mg->dirs[0]);
        if (!first)
            first = text;
        else
            free(text);
    }
    for (char *line = first, *nl; rc == 0 && line && *line; line = nl + 1) {
        nl = strchr(line, '\n');
        if (!nl)
            break;
        *nl = '\0';
        struct scim_flat *v = realloc(mg->jobs, (mg->n_jobs + 1) * sizeof(*v));
        if (!v)
            rc = SCIM_ENOMEM;
        else if (scim_flat_parse(line, &(mg->jobs = v)[mg->n_jobs]) < 0)
            rc = scim_diag_file_error(mg->d, path, SCIM_EFORMAT, "malformed line");
        else
            mg->n_jobs++;
    }
    free(first);
    return rc;
}

/* The row of run j in folder k when it is there and of the run's config. */
static char *row_in(const struct merge *mg, size_t j, size_t k)
{
    const char *dir = scim_flat_get(&mg->jobs[j], "dir", NULL);
    const char *hash = scim_flat_get(&mg->jobs[j], "config_hash", NULL);
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s/row.json", mg->dirs[k], dir ? dir : "?");
    char *text = dir && hash ? scim_read_text(path) : NULL;
    struct scim_flat o;
    if (!text)
        return NULL;
    text[strcspn(text, "\n")] = '\0';
    int ok = scim_flat_parse(text, &o) == 0;
    const char *h = ok ? scim_flat_get(&o, "config_hash", NULL) : NULL;
    if (!h || strcmp(h, hash)) {
        scim_diag_warn(mg->d, &(struct scim_loc){path, 0, 0},
                       "a row of another config (hash %s, run's %s); ignored", h ? h : "none",
                       hash);
        free(text), text = NULL;
    }
    if (ok)
        scim_flat_free(&o);
    return text;
}

/* Run j: its row from the folders (the same wherever it was done), folder copied. */
static int merge_run(struct merge *mg, size_t j)
{
    size_t from = 0;
    for (size_t k = 0; k < mg->n_dirs; k++) {
        char *row = row_in(mg, j, k);
        if (row && mg->rows[j] && strcmp(row, mg->rows[j])) {
            free(row);
            return scim_diag_file_error(mg->d, mg->dirs[k], SCIM_EINVAL,
                                        "run %zu differs from the same run in %s", j,
                                        mg->dirs[from]);
        }
        if (row && !mg->rows[j])
            mg->rows[j] = row, from = k;
        else
            free(row);
    }
    const char *dir = scim_flat_get(&mg->jobs[j], "dir", NULL);
    return mg->rows[j] ? copy_run(mg, mg->dirs[from], dir) : 0;
}

/* ---- the merged folder ---- */

/* What the merged sweep.json says. */
struct merged_info {
    const struct merge *mg;
    size_t merged;
};

static void w_merged_info(const void *iv, FILE *f)
{
    const struct merged_info *in = iv;
    char date[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(f, "{\n  \"spincim_version\": \"%s\",\n  \"merged_from\": ", SPINCIM_VERSION);
    char *list = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&list, &len);
    for (size_t k = 0; m && k < in->mg->n_dirs; k++)
        fprintf(m, "%s%s", k ? ", " : "", in->mg->dirs[k]);
    if (m)
        fclose(m);
    scim_json_string(f, list ? list : "");
    free(list);
    fprintf(f, ",\n  \"date\": \"%s\",\n  \"runs\": %zu,\n  \"runs_done\": %zu,\n", date,
            in->mg->n_jobs, in->merged);
    fprintf(f, "  \"status\": \"%s\"\n}\n",
            in->merged == in->mg->n_jobs ? "complete" : "incomplete");
}

static int write_out(struct merge *mg, size_t merged)
{
    char src[PATH_MAX], dst[PATH_MAX];
    struct merged_info in = {mg, merged};
    snprintf(src, sizeof(src), "%s/jobs.jsonl", mg->dirs[0]);
    snprintf(dst, sizeof(dst), "%s/jobs.jsonl", mg->out);
    int rc = copy_file(src, dst, mg->d);
    if (rc == 0)
        rc = scim_sweep_tables_write(mg->out, mg->rows, mg->n_jobs, mg->d);
    snprintf(dst, sizeof(dst), "%s/sweep.json", mg->out);
    return rc == 0 ? scim_write_atomic(dst, w_merged_info, &in, mg->d) : rc;
}

/* out must be new (or --force) and none of the folders merged. */
static int check_out(const struct merge *mg, int force)
{
    char a[PATH_MAX], b[PATH_MAX], p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/jobs.jsonl", mg->out);
    FILE *f = fopen(p, "r");
    if (f)
        fclose(f);
    if (f && !force)
        return scim_diag_file_error(mg->d, mg->out, SCIM_EEXISTS_OUT,
                                    "already holds a sweep; use --force to overwrite it");
    if (scim_mkdirs(mg->out) < 0 || !realpath(mg->out, a))
        return scim_diag_file_error(mg->d, mg->out, SCIM_EIO, "cannot create folder");
    for (size_t k = 0; k < mg->n_dirs; k++)
        if (realpath(mg->dirs[k], b) && !strcmp(a, b))
            return scim_diag_file_error(mg->d, mg->out, SCIM_EINVAL,
                                        "is one of the folders merged; merge into a new folder");
    return 0;
}

static void merge_free(struct merge *mg)
{
    for (size_t j = 0; j < mg->n_jobs; j++) {
        scim_flat_free(&mg->jobs[j]);
        free(mg->rows ? mg->rows[j] : NULL);
    }
    free(mg->jobs);
    free(mg->rows);
}

int scim_sweep_merge(const char *out, const char *const *dirs, size_t n, int force, FILE *summary,
                     struct scim_diag *d)
{
    struct merge mg = {out, dirs, n, NULL, 0, NULL, d};
    int rc = n ? read_jobs(&mg) : scim_diag_error(d, NULL, "merge needs sweep folders");
    if (rc == 0)
        rc = check_out(&mg, force);
    if (rc == 0 && !(mg.rows = calloc(mg.n_jobs ? mg.n_jobs : 1, sizeof(*mg.rows))))
        rc = SCIM_ENOMEM;
    size_t merged = 0;
    for (size_t j = 0; rc == 0 && j < mg.n_jobs; j++)
        if ((rc = merge_run(&mg, j)) == 0 && mg.rows[j])
            merged++;
    if (rc == 0)
        rc = write_out(&mg, merged);
    if (rc == 0 && merged < mg.n_jobs)
        scim_diag_warn(d, &(struct scim_loc){out, 0, 0},
                       "%zu of %zu runs are in none of the "
                       "folders",
                       mg.n_jobs - merged, mg.n_jobs);
    if (rc == 0 && summary)
        fprintf(summary, "merge: %zu of %zu runs from %zu folders into %s/results.csv\n", merged,
                mg.n_jobs, n, out);
    merge_free(&mg);
    return rc;
}
