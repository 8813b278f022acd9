/*
 * cli.h - the spincim command line: the options of every command as parsed by
 * main.c, and the commands (the files of sim/cli/). The only layer that prints usage,
 * picks exit codes and calls exit(); everything below returns error codes.
 */
#ifndef SCIM_CLI_H
#define SCIM_CLI_H

#include <stddef.h>

#include "sim/base/diag.h"

#define SCIM_CLI_MAX_OVERRIDES 256
#define SCIM_CLI_MAX_CONFIGS 64

struct cli {
    const char *cmd;
    const char *config;                         /* the (last) positional argument */
    const char *configs[SCIM_CLI_MAX_CONFIGS];  /* compare, merge: every positional argument */
    int n_configs;
    const char *overrides[SCIM_CLI_MAX_OVERRIDES];
    size_t n_overrides;
    char *owned[4]; /* override strings built from --images, --seed, --ood, --chips */
    const char *out;
    const char *describe;
    const char *per_image;
    const char *curve, *sweep, *temperature; /* devices --curve NAME --sweep ... */
    int threads, force, resume, quiet, defaults, no_reuse, check;
    const char *runs;        /* validate: folder of the validation runs */
    const char *engine;      /* run: functional | systemc */
    const char *vcd;         /* run --engine systemc: VCD trace file */
    int vcd_first, vcd_last; /* images traced */
    const char *step;        /* sensitivity: --step (relative step of real keys) */
    const char *keys;        /* sensitivity: --keys prefix,... */
    int workers;             /* sweep: runs at once */
    int shard, shards;       /* sweep --shard i/N */
    long job;                /* sweep --job K: only run K (-1: all) */
    int argc;                /* the command line (sweep) */
    char **argv;
};

/* Each command returns 0, < 0 (an error code; messages in d) or 2 (usage error,
 * message printed). */
int cli_run(const struct cli *c, struct scim_diag *d);
int cli_compare(const struct cli *c, struct scim_diag *d);
int cli_check(const struct cli *c, struct scim_diag *d);
int cli_config(const struct cli *c, struct scim_diag *d);
int cli_map(const struct cli *c, struct scim_diag *d);
int cli_devices(const struct cli *c, struct scim_diag *d);
int cli_validate(const struct cli *c, struct scim_diag *d);
int cli_sweep(const struct cli *c, struct scim_diag *d);
int cli_merge(const struct cli *c, struct scim_diag *d);
int cli_plot(const struct cli *c, struct scim_diag *d);
int cli_sensitivity(const struct cli *c, struct scim_diag *d);

/* The exit status of a command's result (1 on error), after a last message when the
 * diagnostics said nothing, or the error count when there were several. */
int cli_status(int rc, const struct scim_diag *d);

#endif
