/*
 * run.c - `spincim run`, `timing` and `compare`: the command line turned into
 * the library's run options (sim/run.h), the summary printed.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sim/base/error.h"
#include "sim/base/fileio.h"
#include "sim/run.h"

int cli_status(int rc, const struct scim_diag *d)
{
    if (rc < 0 && d->errors == 0)
        fprintf(stderr, "spincim: error: %s\n", scim_strerror(rc));
    else if (d->errors > 1)
        fprintf(stderr, "%u errors\n", d->errors);
    return rc < 0 ? 1 : 0;
}

/* The run options of c (its config, overrides, engine, outputs). */
static struct scim_run_opts run_opts(const struct cli *c, const char *out)
{
    const char *engine = c->engine ? c->engine : !strcmp(c->cmd, "timing") ? "systemc" : "functional";
    struct scim_run_opts o = {
        .config = c->config, .overrides = c->overrides, .n_overrides = c->n_overrides,
        .out = out, .force = c->force, .resume = c->resume, .threads = c->threads,
        .engine = strcmp(engine, "systemc") ? SCIM_ENGINE_FUNCTIONAL : SCIM_ENGINE_SYSTEMC,
        .progress = !c->quiet && isatty(2), .no_reuse = c->no_reuse, .per_image = c->per_image,
        .vcd = c->vcd, .vcd_first = c->vcd_first, .vcd_last = c->vcd_last};
    return o;
}

int cli_run(const struct cli *c, struct scim_diag *d)
{
    char cbuf[PATH_MAX], obuf[PATH_MAX];
    const char *out = c->out;
    if (!out)
        scim_default_out(obuf, sizeof(obuf), c->config ? c->config : scim_default_config(cbuf, sizeof(cbuf)));
    struct scim_run_opts o = run_opts(c, out ? out : obuf);
    struct scim_run_result r;
    int rc = scim_run(&o, &r, d);
    if (rc == 0 && r.resumed && !c->quiet)
        printf("%s: results of this config are complete; nothing to run (--resume)\n", o.out);
    else if (rc == 0 && !c->quiet)
        scim_run_print(&r, o.out, stdout);
    scim_run_result_free(&r);
    return rc;
}

/* One row of the comparison table, from a finished run. */
static void compare_row(FILE *f, const char *config, const struct scim_run_result *s, int csv)
{
    const struct scim_report *r = &s->rep;
    double ood = r->n_ood ? r->ood[0].flagged : NAN;
    const char *fmt = csv ? "%s,%s,%.6f,%.6g,%.6g,%d,%d,%.6f,%.6f\n"
                          : "| %s | %s | %.2f %% | %.4g uJ | %.4g mm2 | %d | %d | %.2f %% | %.2f %% |\n";
    double k = csv ? 1.0 : 100.0;
    fprintf(f, fmt, config, r->model->method, k * r->accuracy,
            r->energy_per_image * (csv ? 1.0 : 1e6), r->area.total * 1e6, r->rng_modules,
            s->images.mc_samples, k * r->unc.rejected, k * ood);
}

static void compare_header(FILE *f, int csv)
{
    if (csv)
        fputs("config,method,accuracy,energy_per_image_j,area_mm2,stochastic_units,passes,"
              "flagged_in_distribution,ood_detection_rate\n",
              f);
    else
        fputs("| config | method | accuracy | energy/image | area | stochastic units | T | "
              "flagged (test set) | OOD detected (first workload.ood set) |\n"
              "|---|---|---|---|---|---|---|---|---|\n",
              f);
}

/* Run config i of c into OUT/<name>/ and add its rows to the table t and the CSV v. */
static int compare_one(const struct cli *c, int i, const char *out, FILE *t, FILE *v)
{
    char dir[PATH_MAX], stem[PATH_MAX];
    struct scim_diag d;
    struct scim_run_result r;
    struct cli one = *c;
    scim_diag_init(&d, stderr);
    scim_default_out(stem, sizeof(stem), c->configs[i]);
    int rc = scim_path_join(dir, sizeof(dir), out, stem + 4) < 0 ? SCIM_EINVAL : 0;
    one.config = c->configs[i], one.quiet = 1, one.per_image = NULL;
    struct scim_run_opts o = run_opts(&one, dir);
    memset(&r, 0, sizeof(r));
    if (rc == 0)
        rc = scim_run(&o, &r, &d);
    if (rc == 0) {
        compare_row(t, stem + 4, &r, 0);
        compare_row(v, stem + 4, &r, 1);
    }
    cli_status(rc, &d);
    scim_run_result_free(&r);
    scim_diag_free(&d);
    return rc;
}

/* Run each config into OUT/<name>/ and print the table; OUT/compare.csv too. */
int cli_compare(const struct cli *c, struct scim_diag *d)
{
    const char *out = c->out ? c->out : "out/compare";
    char *table = NULL, *csv = NULL, p[PATH_MAX];
    size_t tlen = 0, clen = 0;
    if (!c->n_configs) {
        fprintf(stderr, "spincim: error: compare needs configs\n");
        return 2;
    }
    FILE *t = open_memstream(&table, &tlen), *v = open_memstream(&csv, &clen);
    int rc = t && v ? 0 : SCIM_ENOMEM;
    if (rc == 0) {
        compare_header(t, 0);
        compare_header(v, 1);
    }
    for (int i = 0; i < c->n_configs && rc == 0; i++)
        rc = compare_one(c, i, out, t, v);
    if (t)
        fclose(t);
    if (v)
        fclose(v);
    if (rc == 0) {
        fputs(table, stdout);
        rc = scim_path_join(p, sizeof(p), out, "compare.csv") < 0 ? SCIM_EINVAL
                                                                 : scim_write_text(p, csv, d);
    }
    free(table);
    free(csv);
    return rc;
}
