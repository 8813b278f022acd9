/*
 * commands.c - the small commands of the command line: check, config, map,
 * devices, validate, sweep, merge, plot and report.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "devices/registry.h"
#include "sim/base/error.h"
#include "sim/base/fileio.h"
#include "sim/base/param.h"
#include "sim/base/spawn.h"
#include "sim/curve.h"
#include "sim/run.h"
#include "sim/sweep/sweep.h"
#include "sim/validate.h"

int cli_check(const struct cli *c, struct scim_diag *d)
{
    if (!c->config) {
        fprintf(stderr, "spincim: error: check needs a CONFIG file\n");
        return SCIM_EINVAL;
    }
    struct scim_run_opts o = {.config = c->config, .overrides = c->overrides,
                              .n_overrides = c->n_overrides};
    struct scim_run_result r;
    int rc = scim_run_load(&o, &r, d);
    if (rc == 0)
        printf("%s: ok (%s, %d layers on %d arrays)\n", c->config, r.model.name,
               r.model.n_layers, r.map.total_arrays);
    scim_run_result_free(&r);
    return rc;
}

int cli_config(const struct cli *c, struct scim_diag *d)
{
    if (c->defaults) {
        scim_config_describe(stdout);
        return 0;
    }
    if (!c->config) {
        fprintf(stderr, "spincim: error: config needs --defaults or a CONFIG file\n");
        return SCIM_EINVAL;
    }
    struct scim_config cfg;
    int rc = scim_config_load(&cfg, c->config, c->overrides, c->n_overrides, d);
    if (rc == 0) {
        scim_config_emit(&cfg, stdout);
        scim_config_free(&cfg);
    }
    return rc;
}

int cli_map(const struct cli *c, struct scim_diag *d)
{
    struct scim_run_opts o = {.config = c->config, .overrides = c->overrides,
                              .n_overrides = c->n_overrides};
    struct scim_run_result r;
    int rc = scim_run_load(&o, &r, d);
    if (rc == 0)
        scim_mapping_print(&r.map, stdout);
    scim_run_result_free(&r);
    return rc;
}

int cli_devices(const struct cli *c, struct scim_diag *d)
{
    if (c->curve)
        return scim_device_curve(c->curve, c->sweep ? c->sweep : "current=10uA:120uA:50",
                                 c->temperature, stdout, d);
    if (c->sweep || c->temperature) {
        fprintf(stderr, "spincim: error: --sweep and --temperature go with --curve NAME\n");
        return SCIM_EINVAL;
    }
    if (c->describe) {
        const struct scim_device_ops *ops = scim_device_find(c->describe);
        if (!ops) {
            struct scim_suggest sg;
            scim_suggest_init(&sg, c->describe);
            scim_device_suggest(&sg, 0);
            fprintf(stderr, "spincim: error: unknown device model '%s'%s\n", c->describe,
                    scim_suggest_hint(&sg));
            return SCIM_ENOENT;
        }
        printf("%s (%s): %s\n", ops->name, scim_dev_class_name(ops->dev_class), ops->summary);
        scim_params_describe(ops->params, ops->name, stdout);
        return 0;
    }
    printf("%-14s %-7s %s\n", "model", "class", "summary");
    for (size_t i = 0; i < scim_device_count(); i++) {
        const struct scim_device_ops *ops = scim_device_at(i);
        printf("%-14s %-7s %s\n", ops->name, scim_dev_class_name(ops->dev_class), ops->summary);
    }
    return 0;
}

int cli_validate(const struct cli *c, struct scim_diag *d)
{
    if (!c->config || !c->runs) {
        fprintf(stderr, "spincim: error: validate needs MANIFEST and --runs DIR\n");
        return SCIM_EINVAL;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        return SCIM_ENOMEM;
    int rc = scim_validate(c->config, c->runs, m, c->check, d);
    fclose(m);
    if (rc == 0 && c->out)
        rc = scim_write_text(c->out, text, d);
    else if (rc == 0)
        fputs(text, stdout);
    free(text);
    return rc;
}

int cli_sweep(const struct cli *c, struct scim_diag *d)
{
    char obuf[PATH_MAX];
    if (!c->config) {
        fprintf(stderr, "spincim: error: sweep needs a SWEEP.yaml file\n");
        return SCIM_EINVAL;
    }
    if (!c->out)
        scim_default_out(obuf, sizeof(obuf), c->config);
    struct scim_sweep_opts o = {
        .file = c->config, .out = c->out ? c->out : obuf, .overrides = c->overrides,
        .n_overrides = c->n_overrides, .threads = c->threads, .workers = c->workers,
        .resume = c->resume, .force = c->force, .quiet = c->quiet, .shard = c->shard,
        .shards = c->shards, .job = c->job,
        .engine = c->engine ? !strcmp(c->engine, "systemc") : -1,
        .summary = stdout, .argc = c->argc, .argv = c->argv};
    return scim_sweep(&o, d);
}

int cli_merge(const struct cli *c, struct scim_diag *d)
{
    if (c->n_configs < 2) {
        fprintf(stderr, "spincim: error: merge needs OUT and at least one sweep folder\n");
        return SCIM_EINVAL;
    }
    return scim_sweep_merge(c->configs[0], c->configs + 1, (size_t)c->n_configs - 1, c->force,
                            stdout, d);
}

/* tools/NAME of the source tree run by Python 3 ($SPINCIM_PYTHON, else /usr/bin/python3)
 * on the sweep folder. */
static int run_script(const char *name, const char *dir, struct scim_diag *d)
{
    char script[PATH_MAX], rel[64];
    const char *py = getenv("SPINCIM_PYTHON");
    snprintf(rel, sizeof(rel), "tools/%s", name);
    if (scim_source_path(script, sizeof(script), rel) < 0 || !scim_is_file(script))
        return scim_diag_file_error(d, script, SCIM_ENOENT, "not found (tools/ of the source "
                                                             "tree)");
    char *argv[] = {(char *)(py && *py ? py : "/usr/bin/python3"), script, (char *)dir, NULL};
    int st = scim_spawn_wait(argv[0], argv, dir, d);
    if (st > 0)
        return scim_diag_file_error(d, dir, SCIM_EIO, "%s failed", name);
    return st;
}

/* plot DIR; report DIR (the plots first). */
int cli_plot(const struct cli *c, struct scim_diag *d)
{
    if (!c->config || !scim_is_dir(c->config)) {
        fprintf(stderr, "spincim: error: %s needs a sweep folder\n", c->cmd);
        return SCIM_EINVAL;
    }
    int rc = run_script("plot.py", c->config, d);
    if (rc == 0 && !strcmp(c->cmd, "report"))
        rc = run_script("report.py", c->config, d);
    return rc;
}
