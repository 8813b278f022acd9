/*
 * run_files.c - a run's results folder: checked before the run (a folder holding
 * results is refused unless --force, or kept with --resume when they are of this
 * very config), written after it (report.json, report.csv, resolved.yaml,
 * run-info.json, chips.csv, the per-image CSV), each file atomically.
 */

#include "run.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "arch/analog/analog.h"
#include "arch/datapath.h"
#include "sim/base/error.h"
#include "sim/base/fileio.h"

/* Does the report in path come from this resolved config (same config hash)? */
static int same_config(const struct scim_run_result *r, const char *path)
{
    char hash[17], want[48], buf[256] = "";
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    scim_config_hash(&r->cfg, hash);
    snprintf(want, sizeof(want), "\"config_hash\": \"%s\"", hash);
    return strstr(buf, want) != NULL;
}

int scim_run_prepare_out(const struct scim_run_result *r, const char *dir, int force, int resume,
                         struct scim_diag *d)
{
    char p[PATH_MAX];
    if (scim_path_join(p, sizeof(p), dir, "report.json") < 0)
        return scim_diag_file_error(d, dir, SCIM_EINVAL, "path too long");
    if (scim_is_file(p) && resume && !force) {
        if (same_config(r, p))
            return 1;
        return scim_diag_file_error(d, dir, SCIM_EEXISTS_OUT,
                                    "holds results of another config; --resume keeps only "
                                    "results of this very config (use --force to overwrite)");
    }
    if (scim_is_file(p) && !force)
        return scim_diag_file_error(d, dir, SCIM_EEXISTS_OUT,
                                    "already holds results (report.json); use --force to "
                                    "overwrite, --resume to keep them, or another --out");
    if (scim_mkdirs(dir) < 0)
        return scim_diag_file_error(d, dir, SCIM_EIO, "cannot create folder: %s", strerror(errno));
    return 0;
}

static void w_json(const void *r, FILE *f)
{
    scim_report_json(r, f);
}

static void w_csv(const void *r, FILE *f)
{
    scim_report_csv(r, f);
}

static void w_resolved(const void *cfg, FILE *f)
{
    scim_config_emit(cfg, f);
}

static void w_chips(const void *r, FILE *f)
{
    scim_report_chips_csv(r, f);
}

static void w_runinfo(const void *rv, FILE *f)
{
    const struct scim_run_result *r = rv;
    const struct scim_images *im = &r->images;
    double passes = (double)im->n_images * im->mc_samples;
    fprintf(f,
            "{\n  \"engine\": \"%s\",\n  \"threads\": %d,\n  \"popcount_kernel\": \"%s\",\n"
            "  \"wall_s\": %.6f,\n  \"forward_passes\": %.0f,\n  \"forward_passes_per_s\": %.1f,\n"
            "  \"simulated_cycles\": %llu,\n  \"simulated_cycles_per_s\": %.1f,\n"
            "  \"mvm_computed\": %llu,\n  \"mvm_reused\": %llu,\n  \"chips\": %d,\n"
            "  \"chips_wall_s\": %.6f,\n  \"chips_forward_passes_per_s\": %.1f\n}\n",
            r->systemc ? "systemc" : "functional", im->threads, scim_popcount_kernel(), im->wall_s,
            passes, im->wall_s > 0 ? passes / im->wall_s : 0.0,
            (unsigned long long)r->tm.end_cycle,
            im->wall_s > 0 ? (double)r->tm.end_cycle / im->wall_s : 0.0,
            (unsigned long long)im->mvm_computed, (unsigned long long)im->mvm_reused,
            r->rep.n_chips, r->chips_wall_s,
            r->chips_wall_s > 0 ? r->chips_passes / r->chips_wall_s : 0.0);
}

static void w_per_image(const void *rv, FILE *f)
{
    const struct scim_images *r = rv;
    fputs("index,label,prediction,confidence,variance,entropy,nll,ci_low,ci_high,ood_score,ood\n",
          f);
    for (int i = 0; i < r->n_images; i++) {
        const struct scim_image_unc *u = &r->unc[i];
        fprintf(f, "%d,%d,%d,%.9f,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%d\n", r->first_image + i,
                r->label[i], r->pred[i], r->mean_prob[(size_t)i * (size_t)r->classes + r->pred[i]],
                u->variance, u->entropy, u->nll, u->ci_low, u->ci_high, u->ood_score, u->ood);
    }
}

static int write_file(const char *dir, const char *name, void (*fn)(const void *, FILE *),
                      const void *ctx, struct scim_diag *d)
{
    char p[PATH_MAX];
    if (scim_path_join(p, sizeof(p), dir, name) < 0)
        return scim_diag_file_error(d, dir, SCIM_EINVAL, "path too long");
    return scim_write_atomic(p, fn, ctx, d);
}

int scim_run_write(const struct scim_run_result *r, const char *dir, const char *per_image,
                   struct scim_diag *d)
{
    int rc = write_file(dir, "resolved.yaml", w_resolved, &r->cfg, d);
    if (rc == 0)
        rc = write_file(dir, "report.csv", w_csv, &r->rep, d);
    if (rc == 0)
        rc = write_file(dir, "run-info.json", w_runinfo, r, d);
    if (rc == 0)
        rc = write_file(dir, "report.json", w_json, &r->rep, d);
    if (rc == 0 && per_image)
        rc = scim_write_atomic(per_image, w_per_image, &r->images, d);
    if (rc == 0 && r->rep.n_chips)
        rc = write_file(dir, "chips.csv", w_chips, &r->rep, d);
    return rc;
}
