/*
 * main.c - the spincim command line: parses the arguments and dispatches to the
 * commands of sim/cli/. The only place that prints usage, picks exit codes and
 * calls exit(); everything below returns error codes.
 *
 *   spincim run [CONFIG] [-p key=value]... [--images N] [--seed S] [--out DIR]
 *   spincim check CONFIG [-p key=value]...
 *   spincim config --defaults | spincim config CONFIG [-p key=value]...
 *   spincim map [CONFIG] [-p key=value]...
 *   spincim devices [--describe NAME]
 *   spincim sensitivity CONFIG [-p key=value]... [--images N] [--step S] [--keys P,...]
 *   spincim sweep SWEEP.yaml [--out DIR] [run's options] [--resume] [--shard i/N]
 *   spincim merge OUT DIR...   spincim plot DIR   spincim report DIR
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "sim/base/error.h"

static void usage(FILE *f)
{
    fputs("usage: spincim <command> [options]\n"
          "commands:\n"
          "  run [CONFIG]      simulate CONFIG (default: configs/default.yaml) and write results\n"
          "      -p key.path=value   override a config value (repeatable)\n"
          "      --images N          images to run (workload.images)\n"
          "      --seed S            seed (workload.seed)\n"
          "      --out DIR           results folder (default: out/<config name>)\n"
          "      --force             overwrite results already in DIR\n"
          "      --resume            keep DIR's results if they are of this very config\n"
          "      --threads N         worker threads (default: all cores)\n"
          "      --per-image FILE    write one CSV row per image (prediction and uncertainty)\n"
          "      --ood SETS          also run shifted/OOD sets, e.g. dataset:fashion-mnist,gaussian\n"
          "      --chips N           faulty chip instances (faults.*; default 100 with faults)\n"
          "      --quiet             no summary, no progress bar\n"
          "      --engine E          functional (default: accuracy, energy, fast) or systemc\n"
          "                          (cycle-level timing: latency, stalls, utilization)\n"
          "      --vcd FILE          systemc: write a VCD trace (FILE.vcd) of the blocks\n"
          "      --vcd-images A:B    images traced (default 0:0)\n"
          "  timing [CONFIG]   run on the SystemC engine (default 10 images; same options as run)\n"
          "  compare CONFIG... run several configs (same options as run) and print one table:\n"
          "                    accuracy, energy/image, area, stochastic units, OOD detection\n"
          "  check CONFIG      validate a config (and its model) without running\n"
          "  config --defaults print every key with its default, unit and meaning\n"
          "  config CONFIG     print the resolved config\n"
          "  map [CONFIG]      print how the model maps onto the arrays\n"
          "  devices           list the device models; --describe NAME for one's parameters\n"
          "  devices --curve NAME --sweep current=10uA:120uA:50 [--temperature 300K,350K]\n"
          "                    a random-bit device's switching probability as CSV\n"
          "  sensitivity CONFIG  step every numeric hardware key a little down and up and print\n"
          "                    the relative change of energy, area, latency and accuracy\n"
          "                    (docs/sensitivity.md); --images N (default 100), --step S (5%),\n"
          "                    --keys PREFIX,..., --threads N (runs at once), -p, --out DIR\n"
          "                    (DIR/sensitivity.csv), --quiet\n"
          "  sweep SWEEP.yaml  run every point of a sweep (docs/sweeps.md) into --out DIR\n"
          "                    (default out/<sweep name>); run's -p, --images, --chips, --seed,\n"
          "                    --engine, plus --threads N (cores), --workers N (runs at once),\n"
          "                    --resume, --force, --shard i/N; under mpirun across processes\n"
          "  merge OUT DIR...  merge sweep folders (shards) into OUT\n"
          "  plot DIR          draw a sweep's plots into DIR/plots/ (PNG and SVG)\n"
          "  report DIR        write DIR/report.html: tables, plots, configs, provenance\n"
          "  validate MANIFEST --runs DIR [--out FILE] [--check]\n"
          "                    published numbers vs the runs in DIR (see tools/validate)\n"
          "  version           print the version\n",
          f);
}

static int add_override(struct cli *c, const char *ov)
{
    if (c->n_overrides == SCIM_CLI_MAX_OVERRIDES) {
        fprintf(stderr, "spincim: error: too many -p overrides (at most %d)\n", SCIM_CLI_MAX_OVERRIDES);
        return -1;
    }
    c->overrides[c->n_overrides++] = ov;
    return 0;
}

static int add_flag_override(struct cli *c, int slot, const char *key, const char *val)
{
    size_t n = strlen(key) + strlen(val) + 2;
    c->owned[slot] = malloc(n);
    if (!c->owned[slot])
        return -1;
    snprintf(c->owned[slot], n, "%s=%s", key, val);
    return add_override(c, c->owned[slot]);
}

static int parse_int_arg(const char *opt, const char *v, int *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || *end || end == v || x < 0 || x > INT_MAX) {
        fprintf(stderr, "spincim: error: %s expects a non-negative integer, got '%s'\n", opt, v);
        return -1;
    }
    *out = (int)x;
    return 0;
}

/* One option (with its value at argv[*i + 1] when it takes one); -1 on error. */
static int parse_engine(struct cli *c, const char *v)
{
    if (strcmp(v, "functional") && strcmp(v, "systemc")) {
        fprintf(stderr, "spincim: error: --engine '%s': expected functional or systemc\n", v);
        return -1;
    }
    c->engine = v;
    return 0;
}

/* "A:B" (or "A") with 0 <= A <= B. */
static int parse_range(const char *opt, const char *v, int *a, int *b)
{
    char *end;
    long x = strtol(v, &end, 10), y = x;
    if (*end == ':')
        y = strtol(end + 1, &end, 10);
    if (*end || x < 0 || y < x || y > 1000000000L) {
        fprintf(stderr, "spincim: error: %s '%s': expected A:B with 0 <= A <= B\n", opt, v);
        return -1;
    }
    *a = (int)x, *b = (int)y;
    return 0;
}

/* "i/N" with 0 <= i < N. */
static int parse_shard(struct cli *c, const char *v)
{
    char *end;
    long i = strtol(v, &end, 10), n = *end == '/' ? strtol(end + 1, &end, 10) : 0;
    if (*end || i < 0 || n < 1 || i >= n || n > 1000000) {
        fprintf(stderr, "spincim: error: --shard '%s': expected i/N with 0 <= i < N\n", v);
        return -1;
    }
    c->shard = (int)i, c->shards = (int)n;
    return 0;
}

static int parse_opt(struct cli *c, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    int needs = !strcmp(a, "-p") || !strcmp(a, "--images") || !strcmp(a, "--seed") ||
                !strcmp(a, "--chips") ||
                !strcmp(a, "--out") || !strcmp(a, "--threads") || !strcmp(a, "--describe") ||
                !strcmp(a, "--per-image") || !strcmp(a, "--ood") || !strcmp(a, "--curve") ||
                !strcmp(a, "--sweep") || !strcmp(a, "--temperature") || !strcmp(a, "--runs") ||
                !strcmp(a, "--engine") || !strcmp(a, "--vcd") || !strcmp(a, "--vcd-images") ||
                !strcmp(a, "--workers") || !strcmp(a, "--shard") || !strcmp(a, "--job") ||
                !strcmp(a, "--step") || !strcmp(a, "--keys");
    if (needs && !v) {
        fprintf(stderr, "spincim: error: %s needs a value\n", a);
        return -1;
    }
    int dummy;
    if (needs)
        (*i)++;
    if (!strcmp(a, "-p"))
        return add_override(c, v);
    if (!strcmp(a, "--chips"))
        return parse_int_arg(a, v, &dummy) ? -1 : add_flag_override(c, 3, "faults.chips", v);
    if (!strcmp(a, "--images"))
        return parse_int_arg(a, v, &dummy) ? -1 : add_flag_override(c, 0, "workload.images", v);
    if (!strcmp(a, "--seed"))
        return parse_int_arg(a, v, &dummy) ? -1 : add_flag_override(c, 1, "workload.seed", v);
    if (!strcmp(a, "--ood"))
        return add_flag_override(c, 2, "workload.ood", v);
    if (!strcmp(a, "--out"))
        return c->out = v, 0;
    if (!strcmp(a, "--threads"))
        return parse_int_arg(a, v, &c->threads);
    if (!strcmp(a, "--describe"))
        return c->describe = v, 0;
    if (!strcmp(a, "--per-image"))
        return c->per_image = v, 0;
    if (!strcmp(a, "--curve"))
        return c->curve = v, 0;
    if (!strcmp(a, "--sweep"))
        return c->sweep = v, 0;
    if (!strcmp(a, "--temperature"))
        return c->temperature = v, 0;
    if (!strcmp(a, "--force"))
        return c->force = 1, 0;
    if (!strcmp(a, "--resume"))
        return c->resume = 1, 0;
    if (!strcmp(a, "--runs"))
        return c->runs = v, 0;
    if (!strcmp(a, "--engine"))
        return parse_engine(c, v);
    if (!strcmp(a, "--vcd"))
        return c->vcd = v, 0;
    if (!strcmp(a, "--vcd-images"))
        return parse_range(a, v, &c->vcd_first, &c->vcd_last);
    if (!strcmp(a, "--workers"))
        return parse_int_arg(a, v, &c->workers);
    if (!strcmp(a, "--shard"))
        return parse_shard(c, v);
    if (!strcmp(a, "--job"))
        return parse_int_arg(a, v, &dummy) ? -1 : (c->job = dummy, 0);
    if (!strcmp(a, "--step"))
        return c->step = v, 0;
    if (!strcmp(a, "--keys"))
        return c->keys = v, 0;
    if (!strcmp(a, "--check"))
        return c->check = 1, 0;
    if (!strcmp(a, "--quiet"))
        return c->quiet = 1, 0;
    if (!strcmp(a, "--defaults"))
        return c->defaults = 1, 0;
    if (!strcmp(a, "--no-reuse"))
        return c->no_reuse = 1, 0;
    if (a[0] == '-' && a[1]) {
        fprintf(stderr, "spincim: error: unknown option '%s' (see spincim --help)\n", a);
        return -1;
    }
    if (c->n_configs == SCIM_CLI_MAX_CONFIGS) {
        fprintf(stderr, "spincim: error: too many configs (at most %d)\n", SCIM_CLI_MAX_CONFIGS);
        return -1;
    }
    c->configs[c->n_configs++] = a;
    if (c->config && strcmp(c->cmd, "compare") && strcmp(c->cmd, "merge")) {
        fprintf(stderr, "spincim: error: more than one config given ('%s', '%s')\n", c->config, a);
        return -1;
    }
    c->config = a;
    return 0;
}

static int parse_args(struct cli *c, int argc, char **argv)
{
    memset(c, 0, sizeof(*c));
    if (argc < 2)
        return -1;
    c->cmd = argv[1];
    c->job = -1, c->argc = argc, c->argv = argv;
    for (int i = 2; i < argc; i++)
        if (parse_opt(c, argc, argv, &i) < 0)
            return -2;
    return 0;
}

/* The command's function, or NULL. */
static int (*command(const char *name))(const struct cli *, struct scim_diag *)
{
    static const struct {
        const char *name;
        int (*fn)(const struct cli *, struct scim_diag *);
    } cmds[] = {{"run", cli_run},         {"timing", cli_run},       {"check", cli_check},
                {"config", cli_config},   {"compare", cli_compare},  {"validate", cli_validate},
                {"map", cli_map},         {"devices", cli_devices},  {"sweep", cli_sweep},
                {"merge", cli_merge},     {"plot", cli_plot},        {"report", cli_plot},
                {"sensitivity", cli_sensitivity}};
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (!strcmp(cmds[i].name, name))
            return cmds[i].fn;
    return NULL;
}

int main(int argc, char **argv)
{
    struct cli c;
    int prc = parse_args(&c, argc, argv);
    if (prc == -1 || (prc == 0 && (!strcmp(c.cmd, "--help") || !strcmp(c.cmd, "-h") ||
                                   !strcmp(c.cmd, "help")))) {
        usage(prc == -1 ? stderr : stdout);
        return prc == -1 ? 2 : 0;
    }
    if (prc < 0)
        return 2;
    struct scim_diag d;
    scim_diag_init(&d, stderr);
    int (*fn)(const struct cli *, struct scim_diag *) = command(c.cmd);
    int rc;
    if (!strcmp(c.cmd, "timing") && !c.owned[0] && add_flag_override(&c, 0, "workload.images", "10") < 0)
        rc = 2;
    else if (fn)
        rc = fn(&c, &d);
    else if (!strcmp(c.cmd, "version") || !strcmp(c.cmd, "--version"))
        rc = 0, printf("spincim %s\n", SPINCIM_VERSION);
    else {
        fprintf(stderr, "spincim: error: unknown command '%s' (see spincim --help)\n", c.cmd);
        rc = 2;
    }
    int status = rc == 2 ? 2 : cli_status(rc, &d);
    scim_diag_free(&d);
    for (int i = 0; i < 4; i++)
        free(c.owned[i]);
    return status;
}
