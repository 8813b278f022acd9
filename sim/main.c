/*
 * main.c - the spincim command line. The only place that prints usage, picks
 * exit codes and calls exit(); everything below returns error codes.
 *
 *   spincim run [CONFIG] [-p key=value]... [--images N] [--seed S] [--out DIR]
 *   spincim check CONFIG [-p key=value]...
 *   spincim config --defaults | spincim config CONFIG [-p key=value]...
 *   spincim map [CONFIG] [-p key=value]...
 *   spincim devices [--describe NAME]
 *   spincim sweep SWEEP.yaml [--out DIR] [run's options] [--resume] [--shard i/N]
 *   spincim merge OUT DIR...   spincim plot DIR   spincim report DIR
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../arch/analog.h"
#include "../arch/datapath.h"
#include "../arch/faults.h"
#include "../arch/mapping.h"
#include "../devices/registry.h"
#include "../workloads/dataset.h"
#include "../workloads/model.h"
#include "../workloads/shift.h"
#include "config.h"
#include "curve.h"
#include "engine.h"
#include "error.h"
#include "fewshot.h"
#include "param.h"
#include "timing.h"
#include "report.h"
#include "spawn.h"
#include "sweep.h"
#include "validate.h"

#define MAX_OVERRIDES 256

struct cli {
    const char *cmd;
    const char *config;
    const char *configs[64]; /* compare: every config given */
    int n_configs;
    const char *overrides[MAX_OVERRIDES];
    size_t n_overrides;
    char *owned[4]; /* override strings built from --images, --seed, --ood, --chips */
    const char *out;
    const char *describe;
    const char *per_image;
    const char *curve, *sweep, *temperature; /* devices --curve NAME --sweep ... */
    int threads, force, resume, quiet, defaults, no_reuse, check;
    const char *runs; /* validate: folder of the validation runs */
    const char *engine; /* run: functional | systemc */
    const char *vcd;    /* run --engine systemc: VCD trace file */
    int vcd_first, vcd_last; /* images traced */
    const struct scim_override *located; /* a sweep's run: overrides with their places */
    size_t n_located;
    int workers;             /* sweep: runs at once */
    int shard, shards;       /* sweep --shard i/N */
    long job;                /* sweep --job K: only run K (-1: all) */
    int argc;                /* the command line (sweep) */
    char **argv;
};

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
    if (c->n_overrides == MAX_OVERRIDES) {
        fprintf(stderr, "spincim: error: too many -p overrides (at most %d)\n", MAX_OVERRIDES);
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
                !strcmp(a, "--workers") || !strcmp(a, "--shard") || !strcmp(a, "--job");
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
    if (c->n_configs == 64) {
        fprintf(stderr, "spincim: error: too many configs (at most 64)\n");
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

/* buf = a + b; -1 when it does not fit. */
static int join(char *buf, size_t len, const char *a, const char *b)
{
    int n = snprintf(buf, len, "%s%s", a, b);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Folder of the executable, to find configs/ and data/ of the source tree. */
static void exe_dir(char *buf, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", buf, len - 1);
    buf[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(buf, len, ".");
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static const char *default_config(char *buf, size_t len)
{
    char dir[PATH_MAX];
    exe_dir(dir, sizeof(dir));
    if (join(buf, len, dir, "/../configs/default.yaml") == 0 && is_file(buf))
        return buf;
    return "configs/default.yaml";
}

static const char *data_dir(const struct scim_config *cfg, char *buf, size_t len)
{
    if (cfg->wl.data_dir && cfg->wl.data_dir[0])
        return cfg->wl.data_dir;
    const char *env = getenv("SPINCIM_DATA");
    if (env && *env)
        return env;
    char dir[PATH_MAX];
    exe_dir(dir, sizeof(dir));
    return join(buf, len, dir, "/../data") == 0 && is_dir(buf) ? buf : "data";
}

/* What a command has loaded; freed by session_free whatever was reached. */
struct session {
    struct scim_config cfg;
    struct scim_model model;
    struct scim_mapping map;
    struct scim_analog analog; /* the fault-free chip's read model (analog mode) */
    double chips_wall_s;       /* host time of the chip instances' runs, set-up included */
    double chips_passes;       /* forward passes run on the chip instances */
    struct scim_dataset ds;
    struct scim_run_result res;
    struct scim_report rep;
    struct scim_timing tm; /* SystemC engine's timing (engine systemc) */
    struct scim_fewshot fs; /* test-vector testing of the chip instances */
    int systemc;           /* 1: the main images ran on the SystemC engine */
    struct scim_diag d;
};

static void session_free(struct session *s)
{
    scim_report_free(&s->rep);
    scim_fewshot_free(&s->fs);
    scim_timing_free(&s->tm);
    scim_run_result_free(&s->res);
    scim_dataset_free(&s->ds);
    scim_analog_free(&s->analog);
    scim_mapping_free(&s->map);
    scim_model_free(&s->model);
    scim_config_free(&s->cfg);
    scim_diag_free(&s->d);
}

static int summarize_errors(struct session *s, int rc)
{
    if (rc < 0 && s->d.errors == 0)
        fprintf(stderr, "spincim: error: %s\n", scim_strerror(rc));
    else if (s->d.errors > 1)
        fprintf(stderr, "%u errors\n", s->d.errors);
    return rc < 0 ? 1 : 0;
}

/* Config, model and mapping: what check, map and run share. */
static int load_chip(struct session *s, const struct cli *c, const char *config)
{
    int rc = c->located ? scim_config_load_at(&s->cfg, config, c->located, c->n_located, &s->d)
                        : scim_config_load(&s->cfg, config, c->overrides, c->n_overrides, &s->d);
    if (rc < 0)
        return rc;
    rc = scim_model_load(&s->model, s->cfg.wl.model, &s->d);
    if (rc < 0)
        return rc;
    const struct scim_model *m = &s->model;
    rc = scim_fewshot_check(&s->cfg, m, &s->d);
    if (rc < 0)
        return rc;
    if (s->cfg.map.first_layer != SCIM_FIRST_MODEL &&
        (s->cfg.map.first_layer == SCIM_FIRST_BITSERIAL8) != (m->encoding == SCIM_INPUT_BITSERIAL8))
        scim_diag_warn(&s->d, &(struct scim_loc){s->cfg.path ? s->cfg.path : "spincim", 0, 0},
                       "mapping.first_layer_encoding differs from the encoding model '%s' was "
                       "trained with",
                       m->name);
    return scim_map_model(&s->map, m, &s->cfg, &s->d);
}

static int load_data(struct session *s, int *first, int *n)
{
    const struct scim_config *cfg = &s->cfg;
    const char *name = cfg->wl.dataset[0] ? cfg->wl.dataset : s->model.dataset;
    if (strcmp(name, s->model.dataset) && strncmp(name, "synthetic:", 10) &&
        strncmp(s->model.dataset, "synthetic:", 10))
        scim_diag_warn(&s->d, &(struct scim_loc){cfg->path ? cfg->path : "spincim", 0, 0},
                       "model '%s' was trained on %s; workload.dataset runs it on %s (use "
                       "workload.ood to measure out-of-distribution detection)",
                       s->model.name, s->model.dataset, name);
    char buf[PATH_MAX];
    int rc = scim_dataset_load(&s->ds, name, cfg->wl.split == SCIM_SPLIT_TEST ? "test" : "train",
                               data_dir(cfg, buf, sizeof(buf)), &s->d);
    if (rc < 0)
        return rc;
    if (s->ds.c != s->model.in_c || s->ds.h != s->model.in_h || s->ds.w != s->model.in_w)
        return scim_diag_file_error(&s->d, s->model.manifest_path, SCIM_ESHAPE,
                                    "model input %dx%dx%d does not fit dataset '%s' images %dx%dx%d",
                                    s->model.in_c, s->model.in_h, s->model.in_w, name, s->ds.c,
                                    s->ds.h, s->ds.w);
    *first = (int)cfg->wl.first_image;
    *n = cfg->wl.images ? (int)cfg->wl.images : s->ds.n - *first;
    if (*first + *n > s->ds.n || *n <= 0)
        return scim_diag_error(&s->d, NULL,
                               "workload.first_image %d + workload.images %d exceeds the %d images "
                               "of %s",
                               *first, *n, s->ds.n, name);
    return 0;
}

static void out_default(char *buf, size_t len, const char *config)
{
    const char *base = strrchr(config, '/');
    base = base ? base + 1 : config;
    snprintf(buf, len, "out/%s", base);
    char *dot = strrchr(buf, '.');
    if (dot && dot > buf + 4)
        *dot = '\0';
}

static int mkdir_p(const char *path)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* Does the report in path come from this resolved config (same config hash)? */
static int same_config(struct session *s, const char *path)
{
    char hash[17], want[48], buf[256] = "";
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    scim_config_hash(&s->cfg, hash);
    snprintf(want, sizeof(want), "\"config_hash\": \"%s\"", hash);
    return strstr(buf, want) != NULL;
}

/* 1 when DIR already holds the finished results of this config and --resume keeps
 * them; 0 to run; < 0 on error (results of something else, and neither flag). */
static int prepare_out(struct session *s, const char *dir, int force, int resume)
{
    char p[PATH_MAX];
    if (join(p, sizeof(p), dir, "/report.json") < 0)
        return scim_diag_file_error(&s->d, dir, SCIM_EINVAL, "path too long");
    if (is_file(p) && resume && !force) {
        if (same_config(s, p))
            return 1;
        return scim_diag_file_error(&s->d, dir, SCIM_EEXISTS_OUT,
                                    "holds results of another config; --resume keeps only "
                                    "results of this very config (use --force to overwrite)");
    }
    if (is_file(p) && !force)
        return scim_diag_file_error(&s->d, dir, SCIM_EEXISTS_OUT,
                                    "already holds results (report.json); use --force to "
                                    "overwrite, --resume to keep them, or another --out");
    if (mkdir_p(dir) < 0)
        return scim_diag_file_error(&s->d, dir, SCIM_EIO, "cannot create folder: %s",
                                    strerror(errno));
    return 0;
}

static void w_text(const void *text, FILE *f)
{
    fputs(text, f);
}

static int write_text(const char *path, const char *text, struct scim_diag *d)
{
    return scim_write_atomic(path, w_text, text, d);
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

static void w_runinfo(const void *sv, FILE *f)
{
    const struct session *s = sv;
    double passes = (double)s->res.n_images * s->res.mc_samples;
    fprintf(f,
            "{\n  \"engine\": \"%s\",\n  \"threads\": %d,\n  \"popcount_kernel\": \"%s\",\n"
            "  \"wall_s\": %.6f,\n  \"forward_passes\": %.0f,\n  \"forward_passes_per_s\": %.1f,\n"
            "  \"simulated_cycles\": %llu,\n  \"simulated_cycles_per_s\": %.1f,\n"
            "  \"mvm_computed\": %llu,\n  \"mvm_reused\": %llu,\n  \"chips\": %d,\n"
            "  \"chips_wall_s\": %.6f,\n  \"chips_forward_passes_per_s\": %.1f\n}\n",
            s->systemc ? "systemc" : "functional", s->res.threads, scim_popcount_kernel(),
            s->res.wall_s, passes, s->res.wall_s > 0 ? passes / s->res.wall_s : 0.0,
            (unsigned long long)s->tm.end_cycle,
            s->res.wall_s > 0 ? (double)s->tm.end_cycle / s->res.wall_s : 0.0,
            (unsigned long long)s->res.mvm_computed, (unsigned long long)s->res.mvm_reused,
            s->rep.n_chips, s->chips_wall_s,
            s->chips_wall_s > 0 ? s->chips_passes / s->chips_wall_s : 0.0);
}

static void w_per_image(const void *rv, FILE *f)
{
    const struct scim_run_result *r = rv;
    fputs("index,label,prediction,confidence,variance,entropy,nll,ci_low,ci_high,ood_score,ood\n",
          f);
    for (int i = 0; i < r->n_images; i++) {
        const struct scim_image_unc *u = &r->unc[i];
        fprintf(f, "%d,%d,%d,%.9f,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%d\n", r->first_image + i,
                r->label[i], r->pred[i], r->mean_prob[(size_t)i * (size_t)r->classes + r->pred[i]],
                u->variance, u->entropy, u->nll, u->ci_low, u->ci_high, u->ood_score, u->ood);
    }
}

static int write_results(struct session *s, const char *dir)
{
    static const struct {
        const char *name;
        void (*fn)(const void *, FILE *);
        int what; /* 0 report, 1 config, 2 session */
    } files[] = {{"resolved.yaml", w_resolved, 1}, {"report.csv", w_csv, 0},
                 {"run-info.json", w_runinfo, 2}, {"report.json", w_json, 0}};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char p[PATH_MAX], name[64];
        snprintf(name, sizeof(name), "/%s", files[i].name);
        if (join(p, sizeof(p), dir, name) < 0)
            return scim_diag_file_error(&s->d, dir, SCIM_EINVAL, "path too long");
        const void *ctx = files[i].what == 0 ? (const void *)&s->rep
                          : files[i].what == 1 ? (const void *)&s->cfg
                                               : (const void *)s;
        int rc = scim_write_atomic(p, files[i].fn, ctx, &s->d);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* What the mapping and the RNG bank of chip instance `chip` add to its fault summary. */
static void chip_summary(const struct session *s, const struct scim_mapping *mp, uint64_t chip,
                         struct scim_fault_summary *sum)
{
    for (int l = 0; l < mp->n_layers; l++)
        sum->scale_levels += mp->layers[l].level_flips;
    for (int k = 0, n = scim_rng_modules(&s->cfg, &s->model); k < n; k++)
        sum->rng_stuck += scim_rng_stuck(&s->cfg, chip, k) >= 0;
}

/* One faulty chip instance k: its fault map and variation (drawn from its own streams),
 * mapped and run on the same images, added to the report. */
static int run_chip(struct session *s, const struct scim_engine_opts *opt, int k, int first, int n)
{
    struct scim_model chip;
    struct scim_mapping mp;
    struct scim_analog an;
    struct scim_run_result res;
    struct scim_fault_summary sum;
    struct scim_engine_opts quiet = *opt, ff = *opt;
    quiet.progress = ff.progress = 0;
    quiet.chip = (uint64_t)k + 1; /* the fault-free run is chip 0 */
    int rc = scim_faults_apply(&chip, &s->model, &s->cfg, (uint64_t)k, &sum);
    if (rc < 0)
        return rc;
    rc = scim_map_model(&mp, &chip, &s->cfg, &s->d);
    if (rc == 0) {
        rc = scim_analog_init(&an, &s->cfg, &chip, &mp, quiet.chip, 1);
        quiet.analog = &an;
        if (rc == 0 && (rc = scim_engine_run(&s->cfg, &chip, &mp, &s->ds, first, n, &quiet, &res,
                                             &s->d)) == 0) {
            rc = scim_fewshot_add_chip(&s->fs, &s->cfg, &s->model, &s->map, &chip, &mp, k, &quiet,
                                       &ff, &s->d);
            chip_summary(s, &mp, quiet.chip, &sum);
            if (rc == 0)
                rc = scim_report_add_chip(&s->rep, &res, &sum);
            scim_run_result_free(&res);
        }
        scim_analog_free(&an);
        scim_mapping_free(&mp);
    }
    scim_faults_free(&chip);
    return rc;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The Monte Carlo over faulty chip instances. */
static int run_chips(struct session *s, const struct scim_engine_opts *opt, int first, int n)
{
    int chips = scim_fault_chips(&s->cfg);
    double t0 = now_s();
    for (int k = 0; k < chips; k++) {
        if (opt->progress)
            fprintf(stderr, "\rchip %d/%d ", k + 1, chips);
        int rc = run_chip(s, opt, k, first, n);
        if (rc < 0)
            return rc;
    }
    s->chips_wall_s = now_s() - t0;
    s->chips_passes = (double)chips * n * s->res.mc_samples;
    if (opt->progress && chips)
        fputc('\n', stderr);
    return 0;
}

/* Build one OOD set: another dataset, or a shift of the run's own images. */
static int make_ood_set(struct session *s, const char *spec, int n, struct scim_dataset *set)
{
    char buf[PATH_MAX];
    memset(set, 0, sizeof(*set));
    if (!strncmp(spec, "dataset:", 8))
        return scim_dataset_load(set, spec + 8,
                                 s->cfg.wl.split == SCIM_SPLIT_TEST ? "test" : "train",
                                 data_dir(&s->cfg, buf, sizeof(buf)), &s->d);
    return scim_shift_make(set, &s->ds, spec, n, (uint64_t)s->cfg.wl.seed, &s->d);
}

/* Run every set of workload.ood through the same chip; the detection rate is the
 * share of its images that eq. 26 flags. */
static int run_ood_sets(struct session *s, const struct scim_engine_opts *opt, int n)
{
    char buf[1024];
    snprintf(buf, sizeof(buf), "%s", s->cfg.wl.ood);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        for (size_t k = strlen(tok); k && tok[k - 1] == ' ';)
            tok[--k] = '\0';
        if (!*tok)
            continue;
        struct scim_dataset set;
        struct scim_run_result res;
        int rc = make_ood_set(s, tok, n < s->ds.n ? n : s->ds.n, &set);
        if (rc == 0)
            rc = scim_engine_run(&s->cfg, &s->model, &s->map, &set, 0, n < set.n ? n : set.n, opt,
                                 &res, &s->d);
        if (rc == 0) {
            rc = scim_report_add_ood(&s->rep, tok, &res);
            scim_run_result_free(&res);
        }
        scim_dataset_free(&set);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The main images, on the engine asked for (`timing` defaults to SystemC). */
static int run_main(struct session *s, const struct cli *c, const struct scim_engine_opts *opt,
                    int first, int n)
{
    const char *engine = c->engine ? c->engine : !strcmp(c->cmd, "timing") ? "systemc" : "functional";
    s->systemc = !strcmp(engine, "systemc");
    if (!s->systemc) {
        if (c->vcd)
            return scim_diag_error(&s->d, NULL, "--vcd needs the SystemC engine (--engine systemc)");
        return scim_engine_run(&s->cfg, &s->model, &s->map, &s->ds, first, n, opt, &s->res, &s->d);
    }
    if (c->vcd && c->vcd_last >= n)
        return scim_diag_error(&s->d, NULL, "--vcd-images %d:%d: the run has %d images", c->vcd_first,
                               c->vcd_last, n);
    struct scim_timing_opts to = {c->vcd, c->vcd_first, c->vcd_last, c->no_reuse, opt->analog};
    return scim_timing_run(&s->cfg, &s->model, &s->map, &s->ds, first, n, &to, &s->res, &s->tm,
                           &s->d);
}

static int cmd_run(struct session *s, const struct cli *c)
{
    char cbuf[PATH_MAX], obuf[PATH_MAX];
    const char *config = c->config ? c->config : default_config(cbuf, sizeof(cbuf));
    const char *out = c->out;
    if (!out)
        out_default(obuf, sizeof(obuf), config), out = obuf;
    int first = 0, n = 0, rc = load_chip(s, c, config);
    if (rc == 0)
        rc = load_data(s, &first, &n);
    if (rc == 0)
        rc = prepare_out(s, out, c->force, c->resume);
    if (rc == 1) {
        if (!c->quiet)
            printf("%s: results of this config are complete; nothing to run (--resume)\n", out);
        return 0;
    }
    if (rc < 0)
        return rc;
    struct scim_engine_opts opt = {c->threads, !c->quiet && isatty(2), c->no_reuse, 0, &s->analog};
    rc = scim_analog_init(&s->analog, &s->cfg, &s->model, &s->map, 0, 0);
    if (rc == 0)
        rc = run_main(s, c, &opt, first, n);
    if (rc == 0)
        rc = scim_report_build(&s->rep, &s->cfg, &s->model, &s->map, &s->res, s->ds.name);
    if (rc == 0 && s->systemc)
        scim_report_use_timing(&s->rep, &s->tm);
    if (rc == 0)
        rc = run_ood_sets(s, &opt, n);
    if (rc == 0)
        rc = scim_fewshot_begin(&s->fs, &s->cfg, &s->model, &s->map, &opt, &s->d);
    if (rc == 0)
        rc = run_chips(s, &opt, first, n);
    if (rc == 0)
        scim_fewshot_finish(&s->fs, &s->rep);
    if (rc == 0)
        rc = write_results(s, out);
    if (rc == 0 && c->per_image)
        rc = scim_write_atomic(c->per_image, w_per_image, &s->res, &s->d);
    if (rc == 0 && s->rep.n_chips) {
        char p[PATH_MAX];
        rc = join(p, sizeof(p), out, "/chips.csv") == 0 ? scim_write_atomic(p, w_chips, &s->rep, &s->d)
                                                         : SCIM_EINVAL;
    }
    if (rc == 0 && !c->quiet) {
        scim_report_print(&s->rep, stdout);
        printf("  simulator     %.0f forward passes/s on %d thread%s (%.2f s); results in %s/\n",
               s->res.wall_s > 0 ? s->res.n_images * (double)s->res.mc_samples / s->res.wall_s : 0,
               s->res.threads, s->res.threads == 1 ? "" : "s", s->res.wall_s, out);
    }
    return rc;
}

/* One row of the comparison table, from a finished run. */
static void compare_row(FILE *f, const char *config, const struct session *s, int csv)
{
    const struct scim_report *r = &s->rep;
    double ood = r->n_ood ? r->ood[0].flagged : NAN;
    const char *fmt = csv ? "%s,%s,%.6f,%.6g,%.6g,%d,%d,%.6f,%.6f\n"
                          : "| %s | %s | %.2f %% | %.4g uJ | %.4g mm2 | %d | %d | %.2f %% | %.2f %% |\n";
    double k = csv ? 1.0 : 100.0;
    fprintf(f, fmt, config, r->model->method, k * r->accuracy,
            r->energy_per_image * (csv ? 1.0 : 1e6), r->area.total * 1e6, r->rng_modules,
            s->res.mc_samples, k * r->unc.rejected, k * ood);
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

/* Run each config into OUT/<name>/ and print the table; OUT/compare.csv too. */
static int cmd_compare(const struct cli *c)
{
    const char *out = c->out ? c->out : "out/compare";
    char *table = NULL, *csv = NULL;
    size_t tlen = 0, clen = 0;
    FILE *t = open_memstream(&table, &tlen), *v = open_memstream(&csv, &clen);
    int rc = t && v ? 0 : SCIM_ENOMEM;
    if (rc == 0) {
        compare_header(t, 0);
        compare_header(v, 1);
    }
    for (int i = 0; i < c->n_configs && rc == 0; i++) {
        struct session s;
        struct cli one = *c;
        char dir[PATH_MAX], stem[PATH_MAX];
        memset(&s, 0, sizeof(s));
        scim_diag_init(&s.d, stderr);
        out_default(stem, sizeof(stem), c->configs[i]);
        stem[3] = '/'; /* "out/NAME" -> "/NAME" at stem + 3 */
        if (join(dir, sizeof(dir), out, stem + 3) < 0)
            rc = SCIM_EINVAL;
        one.config = c->configs[i], one.out = dir, one.quiet = 1, one.per_image = NULL;
        if (rc == 0)
            rc = cmd_run(&s, &one);
        if (rc == 0) {
            compare_row(t, stem + 4, &s, 0);
            compare_row(v, stem + 4, &s, 1);
        }
        summarize_errors(&s, rc);
        session_free(&s);
    }
    if (t)
        fclose(t);
    if (v)
        fclose(v);
    if (rc == 0) {
        fputs(table, stdout);
        char p[PATH_MAX];
        struct scim_diag d;
        if (join(p, sizeof(p), out, "/compare.csv") < 0)
            p[0] = '\0';
        scim_diag_init(&d, stderr);
        rc = p[0] ? write_text(p, csv, &d) : SCIM_EINVAL;
        scim_diag_free(&d);
    }
    free(table);
    free(csv);
    return rc;
}

static int cmd_validate(struct session *s, const struct cli *c)
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
    int rc = scim_validate(c->config, c->runs, m, c->check, &s->d);
    fclose(m);
    if (rc == 0 && c->out)
        rc = write_text(c->out, text, &s->d);
    else if (rc == 0)
        fputs(text, stdout);
    free(text);
    return rc;
}

static int cmd_check(struct session *s, const struct cli *c)
{
    if (!c->config) {
        fprintf(stderr, "spincim: error: check needs a CONFIG file\n");
        return SCIM_EINVAL;
    }
    int rc = load_chip(s, c, c->config);
    if (rc == 0)
        printf("%s: ok (%s, %d layers on %d arrays)\n", c->config, s->model.name,
               s->model.n_layers, s->map.total_arrays);
    return rc;
}

static int cmd_config(struct session *s, const struct cli *c)
{
    if (c->defaults) {
        scim_config_describe(stdout);
        return 0;
    }
    if (!c->config) {
        fprintf(stderr, "spincim: error: config needs --defaults or a CONFIG file\n");
        return SCIM_EINVAL;
    }
    int rc = scim_config_load(&s->cfg, c->config, c->overrides, c->n_overrides, &s->d);
    if (rc == 0)
        scim_config_emit(&s->cfg, stdout);
    return rc;
}

static int cmd_map(struct session *s, const struct cli *c)
{
    char cbuf[PATH_MAX];
    int rc = load_chip(s, c, c->config ? c->config : default_config(cbuf, sizeof(cbuf)));
    if (rc == 0)
        scim_mapping_print(&s->map, stdout);
    return rc;
}

static int cmd_devices(struct session *s, const struct cli *c)
{
    if (c->curve)
        return scim_device_curve(c->curve, c->sweep ? c->sweep : "current=10uA:120uA:50",
                                 c->temperature, stdout, &s->d);
    if (c->sweep || c->temperature) {
        fprintf(stderr, "spincim: error: --sweep and --temperature go with --curve NAME\n");
        return SCIM_EINVAL;
    }
    if (c->describe) {
        const struct scim_device_ops *ops = scim_device_find(c->describe);
        if (!ops) {
            const char *near = scim_device_suggest(c->describe, 0);
            fprintf(stderr, "spincim: error: unknown device model '%s'%s%s%s\n", c->describe,
                    near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
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

/* ---- sweeps: the run path lent to sim/sweep.c, and the sweep commands ---- */

/* A sweep run as a `run` command line: its config with its located overrides. */
static struct cli sweep_cli(const struct scim_sweep_run *run)
{
    struct cli one;
    memset(&one, 0, sizeof(one));
    one.cmd = "run", one.config = run->base, one.located = run->ov, one.n_located = run->n_ov;
    one.quiet = 1, one.force = 1, one.job = -1;
    return one;
}

/* The datasets a sweep's check has loaded (name, split, folder) and their sizes. */
struct sweep_data {
    char (*key)[PATH_MAX + 96];
    int *images;
    size_t n;
};

/* The run's dataset and image range: loaded once per dataset, then only the range. */
static int sweep_check_data(struct session *s, struct sweep_data *seen)
{
    char buf[PATH_MAX], key[PATH_MAX + 96];
    const struct scim_workload_cfg *w = &s->cfg.wl;
    snprintf(key, sizeof(key), "%s|%d|%s", w->dataset[0] ? w->dataset : s->model.dataset, w->split,
             data_dir(&s->cfg, buf, sizeof(buf)));
    for (size_t i = 0; i < seen->n; i++)
        if (!strcmp(seen->key[i], key))
            return w->first_image + (w->images ? w->images : 1) <= seen->images[i]
                       ? 0
                       : scim_diag_error(&s->d, NULL, "workload.first_image %lld + workload.images "
                                         "%lld exceeds the %d images of the dataset",
                                         (long long)w->first_image, (long long)w->images,
                                         seen->images[i]);
    int first, n, rc = load_data(s, &first, &n);
    void *k = realloc(seen->key, (seen->n + 1) * sizeof(*seen->key));
    seen->key = k ? k : seen->key;
    int *im = realloc(seen->images, (seen->n + 1) * sizeof(*im));
    seen->images = im ? im : seen->images;
    if (rc == 0 && k && im) {
        memcpy(seen->key[seen->n], key, sizeof(key));
        seen->images[seen->n++] = s->ds.n;
    }
    return rc;
}

static int sweep_check(void *ctx, const struct scim_sweep_run *run, int deep, char hash[17],
                       struct scim_diag *d)
{
    struct session s;
    struct cli one = sweep_cli(run);
    memset(&s, 0, sizeof(s));
    scim_diag_init(&s.d, NULL);
    int rc = deep ? load_chip(&s, &one, run->base)
                  : scim_config_load_at(&s.cfg, run->base, run->ov, run->n_ov, &s.d);
    if (rc == 0 && deep)
        rc = sweep_check_data(&s, ctx);
    if (rc == 0)
        scim_config_hash(&s.cfg, hash);
    scim_diag_merge(d, &s.d);
    session_free(&s);
    return rc;
}

static int sweep_run(void *ctx, const struct scim_sweep_plan *pl, const struct scim_sweep_run *run,
                     const char *dir, int threads, int systemc, char **row, struct scim_diag *d)
{
    struct session s;
    struct cli one = sweep_cli(run);
    (void)ctx;
    one.out = dir, one.threads = threads, one.engine = systemc ? "systemc" : "functional";
    memset(&s, 0, sizeof(s));
    scim_diag_init(&s.d, d->stream);
    int rc = cmd_run(&s, &one);
    if (rc == 0)
        rc = scim_sweep_row_make(pl, run, &s.rep, systemc, dir, row, &s.d);
    d->errors += s.d.errors;
    session_free(&s);
    return rc;
}

static int cmd_sweep(struct session *s, const struct cli *c)
{
    char obuf[PATH_MAX];
    if (!c->config) {
        fprintf(stderr, "spincim: error: sweep needs a SWEEP.yaml file\n");
        return SCIM_EINVAL;
    }
    if (!c->out)
        out_default(obuf, sizeof(obuf), c->config);
    struct scim_sweep_opts o = {
        .file = c->config, .out = c->out ? c->out : obuf, .overrides = c->overrides,
        .n_overrides = c->n_overrides, .threads = c->threads, .workers = c->workers,
        .resume = c->resume, .force = c->force, .quiet = c->quiet, .shard = c->shard,
        .shards = c->shards, .job = c->job,
        .engine = c->engine ? !strcmp(c->engine, "systemc") : -1,
        .summary = stdout, .argc = c->argc, .argv = c->argv,
        .hooks = {sweep_check, sweep_run, NULL}};
    struct sweep_data seen = {NULL, NULL, 0};
    o.hooks.ctx = &seen;
    int rc = scim_sweep(&o, &s->d);
    free(seen.key);
    free(seen.images);
    return rc;
}

static int cmd_merge(struct session *s, const struct cli *c)
{
    if (c->n_configs < 2) {
        fprintf(stderr, "spincim: error: merge needs OUT and at least one sweep folder\n");
        return SCIM_EINVAL;
    }
    return scim_sweep_merge(c->configs[0], c->configs + 1, (size_t)c->n_configs - 1, c->force,
                            stdout, &s->d);
}

/* tools/NAME of the source tree run by Python 3 ($SPINCIM_PYTHON, else /usr/bin/python3)
 * on the sweep folder. */
static int run_script(struct session *s, const char *name, const char *dir)
{
    char tools[PATH_MAX], script[PATH_MAX + 64];
    const char *py = getenv("SPINCIM_PYTHON");
    exe_dir(tools, sizeof(tools));
    snprintf(script, sizeof(script), "%s/../tools/%s", tools, name);
    if (!is_file(script))
        return scim_diag_file_error(&s->d, script, SCIM_ENOENT, "not found (tools/ of the source "
                                                                "tree)");
    char *argv[] = {(char *)(py && *py ? py : "/usr/bin/python3"), script, (char *)dir, NULL};
    int st = scim_spawn_wait(argv[0], argv, dir, &s->d);
    if (st > 0)
        return scim_diag_file_error(&s->d, dir, SCIM_EIO, "%s failed", name);
    return st;
}

/* plot DIR; report DIR (the plots first). */
static int cmd_plot(struct session *s, const struct cli *c)
{
    if (!c->config || !is_dir(c->config)) {
        fprintf(stderr, "spincim: error: %s needs a sweep folder\n", c->cmd);
        return SCIM_EINVAL;
    }
    int rc = run_script(s, "plot.py", c->config);
    if (rc == 0 && !strcmp(c->cmd, "report"))
        rc = run_script(s, "report.py", c->config);
    return rc;
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
    struct session s;
    memset(&s, 0, sizeof(s));
    scim_diag_init(&s.d, stderr);
    int rc;
    if (!strcmp(c.cmd, "timing") && !c.owned[0] && add_flag_override(&c, 0, "workload.images", "10") < 0)
        rc = 2;
    else if (!strcmp(c.cmd, "run") || !strcmp(c.cmd, "timing"))
        rc = cmd_run(&s, &c);
    else if (!strcmp(c.cmd, "check"))
        rc = cmd_check(&s, &c);
    else if (!strcmp(c.cmd, "config"))
        rc = cmd_config(&s, &c);
    else if (!strcmp(c.cmd, "compare"))
        rc = c.n_configs ? cmd_compare(&c) : (fprintf(stderr, "spincim: error: compare needs configs\n"), 2);
    else if (!strcmp(c.cmd, "validate"))
        rc = cmd_validate(&s, &c);
    else if (!strcmp(c.cmd, "map"))
        rc = cmd_map(&s, &c);
    else if (!strcmp(c.cmd, "devices"))
        rc = cmd_devices(&s, &c);
    else if (!strcmp(c.cmd, "sweep"))
        rc = cmd_sweep(&s, &c);
    else if (!strcmp(c.cmd, "merge"))
        rc = cmd_merge(&s, &c);
    else if (!strcmp(c.cmd, "plot") || !strcmp(c.cmd, "report"))
        rc = cmd_plot(&s, &c);
    else if (!strcmp(c.cmd, "version") || !strcmp(c.cmd, "--version"))
        rc = 0, printf("spincim %s\n", SPINCIM_VERSION);
    else {
        fprintf(stderr, "spincim: error: unknown command '%s' (see spincim --help)\n", c.cmd);
        rc = 2;
    }
    int status = rc == 2 ? 2 : summarize_errors(&s, rc);
    session_free(&s);
    for (int i = 0; i < 4; i++)
        free(c.owned[i]);
    return status;
}
