/*
 * run.c - the run pipeline (run.h): config, model, mapping and dataset loaded,
 * the main images on the engine asked for, the shifted / OOD sets, the faulty
 * chip instances with their few-shot tests, the report. The results folder is
 * written by run_files.c.
 */
#include "run.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arch/dropout.h"
#include "arch/faults.h"
#include "engine.h"
#include "sim/base/error.h"
#include "sim/base/fileio.h"
#include "workloads/shift.h"

const char *scim_default_config(char *buf, size_t len)
{
    if (scim_source_path(buf, len, "configs/default.yaml") == 0 && scim_is_file(buf))
        return buf;
    return "configs/default.yaml";
}

void scim_default_out(char *buf, size_t len, const char *config)
{
    const char *base = strrchr(config, '/');
    base = base ? base + 1 : config;
    snprintf(buf, len, "out/%s", base);
    char *dot = strrchr(buf, '.');
    if (dot && dot > buf + 4)
        *dot = '\0';
}

/* The dataset folder: workload.data_dir, else $SPINCIM_DATA, else data/ of the
 * source tree, else data/ of the working directory. */
static const char *data_dir(const struct scim_config *cfg, char *buf, size_t len)
{
    if (cfg->workload.data_dir && cfg->workload.data_dir[0])
        return cfg->workload.data_dir;
    const char *env = getenv("SPINCIM_DATA");
    if (env && *env)
        return env;
    return scim_source_path(buf, len, "data") == 0 && scim_is_dir(buf) ? buf : "data";
}

int scim_run_load(const struct scim_run_opts *o, struct scim_run_result *r, struct scim_diag *d)
{
    char cbuf[PATH_MAX];
    const char *config = o->config ? o->config : scim_default_config(cbuf, sizeof(cbuf));
    memset(r, 0, sizeof(*r));
    int rc = o->located ? scim_config_load_at(&r->cfg, config, o->located, o->n_located, d)
                        : scim_config_load(&r->cfg, config, o->overrides, o->n_overrides, d);
    if (rc < 0)
        return rc;
    rc = scim_model_load(&r->model, r->cfg.workload.model, d);
    if (rc < 0)
        return rc;
    const struct scim_model *m = &r->model;
    rc = scim_fewshot_check(&r->cfg, m, d);
    if (rc < 0)
        return rc;
    if (!m->random_weights && r->cfg.mapping.first_layer_encoding != SCIM_FIRST_MODEL &&
        (r->cfg.mapping.first_layer_encoding == SCIM_FIRST_BITSERIAL8) != (m->encoding == SCIM_INPUT_BITSERIAL8))
        scim_diag_warn(d, &(struct scim_loc){r->cfg.path ? r->cfg.path : "spincim", 0, 0},
                       "mapping.first_layer_encoding differs from the encoding model '%s' was "
                       "trained with",
                       m->name);
    return scim_map_model(&r->map, m, &r->cfg, d);
}

int scim_run_load_data(struct scim_run_result *r, struct scim_diag *d)
{
    const struct scim_config *cfg = &r->cfg;
    const char *name = cfg->workload.dataset[0] ? cfg->workload.dataset : r->model.dataset;
    if (strcmp(name, r->model.dataset) && strncmp(name, "synthetic:", 10) &&
        strncmp(r->model.dataset, "synthetic:", 10))
        scim_diag_warn(d, &(struct scim_loc){cfg->path ? cfg->path : "spincim", 0, 0},
                       "model '%s' was trained on %s; workload.dataset runs it on %s (use "
                       "workload.ood to measure out-of-distribution detection)",
                       r->model.name, r->model.dataset, name);
    char buf[PATH_MAX];
    int rc = scim_dataset_load(&r->ds, name, cfg->workload.split == SCIM_SPLIT_TEST ? "test" : "train",
                               data_dir(cfg, buf, sizeof(buf)), d);
    if (rc < 0)
        return rc;
    if (r->ds.c != r->model.in_c || r->ds.h != r->model.in_h || r->ds.w != r->model.in_w)
        return scim_diag_file_error(d, r->model.manifest_path, SCIM_ESHAPE,
                                    "model input %dx%dx%d does not fit dataset '%s' images %dx%dx%d",
                                    r->model.in_c, r->model.in_h, r->model.in_w, name, r->ds.c,
                                    r->ds.h, r->ds.w);
    r->first = (int)cfg->workload.first_image;
    r->n = cfg->workload.images ? (int)cfg->workload.images : r->ds.n - r->first;
    if (r->first + r->n > r->ds.n || r->n <= 0)
        return scim_diag_error(d, NULL,
                               "workload.first_image %d + workload.images %d exceeds the %d images "
                               "of %s",
                               r->first, r->n, r->ds.n, name);
    return 0;
}

/* What the mapping and the RNG bank of chip instance `chip` add to its fault summary. */
static void chip_summary(const struct scim_run_result *r, const struct scim_mapping *mp,
                         uint64_t chip, struct scim_fault_summary *sum)
{
    for (int l = 0; l < mp->n_layers; l++)
        sum->scale_levels += mp->layers[l].level_flips;
    for (int k = 0, n = scim_rng_modules(&r->cfg, &r->model); k < n; k++)
        sum->rng_stuck += scim_rng_stuck(&r->cfg, chip, k) >= 0;
}

/* One faulty chip instance k: its fault map and variation (drawn from its own streams),
 * mapped and run on the same images, added to the report. */
static int run_chip(struct scim_run_result *r, const struct scim_engine_opts *opt, int k,
                    struct scim_diag *d)
{
    struct scim_model chip;
    struct scim_mapping mp;
    struct scim_analog an;
    struct scim_images res;
    struct scim_fault_summary sum;
    struct scim_engine_opts quiet = *opt, ff = *opt;
    quiet.progress = ff.progress = 0;
    quiet.chip = (uint64_t)k + 1; /* the fault-free run is chip 0 */
    int rc = scim_faults_apply(&chip, &r->model, &r->cfg, (uint64_t)k, &sum);
    if (rc < 0)
        return rc;
    rc = scim_map_model(&mp, &chip, &r->cfg, d);
    if (rc == 0) {
        rc = scim_analog_init(&an, &r->cfg, &chip, &mp, quiet.chip, 1);
        quiet.analog = &an;
        if (rc == 0 && (rc = scim_engine_run(&r->cfg, &chip, &mp, &r->ds, r->first, r->n, &quiet,
                                             &res, d)) == 0) {
            rc = scim_fewshot_add_chip(&r->fs, &r->cfg, &r->model, &r->map, &chip, &mp, k, &quiet,
                                       &ff, d);
            chip_summary(r, &mp, quiet.chip, &sum);
            if (rc == 0)
                rc = scim_report_add_chip(&r->rep, &res, &sum);
            scim_images_free(&res);
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
static int run_chips(struct scim_run_result *r, const struct scim_engine_opts *opt,
                     struct scim_diag *d)
{
    int chips = scim_fault_chips(&r->cfg);
    double t0 = now_s();
    for (int k = 0; k < chips; k++) {
        if (opt->progress)
            fprintf(stderr, "\rchip %d/%d ", k + 1, chips);
        int rc = run_chip(r, opt, k, d);
        if (rc < 0)
            return rc;
    }
    r->chips_wall_s = now_s() - t0;
    r->chips_passes = (double)chips * r->n * r->images.mc_samples;
    if (opt->progress && chips)
        fputc('\n', stderr);
    return 0;
}

/* Build one OOD set: another dataset, or a shift of the run's own images. */
static int make_ood_set(struct scim_run_result *r, const char *spec, int n,
                        struct scim_dataset *set, struct scim_diag *d)
{
    char buf[PATH_MAX];
    memset(set, 0, sizeof(*set));
    if (!strncmp(spec, "dataset:", 8))
        return scim_dataset_load(set, spec + 8,
                                 r->cfg.workload.split == SCIM_SPLIT_TEST ? "test" : "train",
                                 data_dir(&r->cfg, buf, sizeof(buf)), d);
    return scim_shift_make(set, &r->ds, spec, n, (uint64_t)r->cfg.workload.seed, d);
}

/* Run every set of workload.ood through the same chip; the detection rate is the
 * share of its images that eq. 26 flags. */
static int run_ood_sets(struct scim_run_result *r, const struct scim_engine_opts *opt,
                        struct scim_diag *d)
{
    char buf[1024];
    int n = r->n;
    snprintf(buf, sizeof(buf), "%s", r->cfg.workload.ood);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        for (size_t k = strlen(tok); k && tok[k - 1] == ' ';)
            tok[--k] = '\0';
        if (!*tok)
            continue;
        struct scim_dataset set;
        struct scim_images res;
        int rc = make_ood_set(r, tok, n < r->ds.n ? n : r->ds.n, &set, d);
        if (rc == 0)
            rc = scim_engine_run(&r->cfg, &r->model, &r->map, &set, 0, n < set.n ? n : set.n, opt,
                                 &res, d);
        if (rc == 0) {
            rc = scim_report_add_ood(&r->rep, tok, &res);
            scim_images_free(&res);
        }
        scim_dataset_free(&set);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The main images, on the engine asked for. */
static int run_main(struct scim_run_result *r, const struct scim_run_opts *o,
                    const struct scim_engine_opts *opt, struct scim_diag *d)
{
    r->systemc = o->engine == SCIM_ENGINE_SYSTEMC;
    if (!r->systemc) {
        if (o->vcd)
            return scim_diag_error(d, NULL, "--vcd needs the SystemC engine (--engine systemc)");
        return scim_engine_run(&r->cfg, &r->model, &r->map, &r->ds, r->first, r->n, opt,
                               &r->images, d);
    }
    if (o->vcd && o->vcd_last >= r->n)
        return scim_diag_error(d, NULL, "--vcd-images %d:%d: the run has %d images", o->vcd_first,
                               o->vcd_last, r->n);
    struct scim_timing_opts to = {o->vcd, o->vcd_first, o->vcd_last, o->no_reuse, opt->analog};
    return scim_timing_run(&r->cfg, &r->model, &r->map, &r->ds, r->first, r->n, &to, &r->images,
                           &r->tm, d);
}

/* Everything after loading: the engines, the report, the chip instances. */
static int simulate(struct scim_run_result *r, const struct scim_run_opts *o, struct scim_diag *d)
{
    struct scim_engine_opts opt = {o->threads, o->progress, o->no_reuse, 0, &r->analog};
    int rc = scim_analog_init(&r->analog, &r->cfg, &r->model, &r->map, 0, 0);
    if (rc == 0)
        rc = run_main(r, o, &opt, d);
    if (rc == 0)
        rc = scim_report_build(&r->rep, &r->cfg, &r->model, &r->map, &r->images, r->ds.name);
    if (rc == 0 && r->systemc)
        scim_report_use_timing(&r->rep, &r->tm);
    if (rc == 0)
        rc = run_ood_sets(r, &opt, d);
    if (rc == 0)
        rc = scim_fewshot_begin(&r->fs, &r->cfg, &r->model, &r->map, &opt, d);
    if (rc == 0)
        rc = run_chips(r, &opt, d);
    if (rc == 0)
        scim_report_use_fewshot(&r->rep, &r->fs);
    return rc;
}

int scim_run(const struct scim_run_opts *o, struct scim_run_result *r, struct scim_diag *d)
{
    int rc = scim_run_load(o, r, d);
    if (rc == 0)
        rc = scim_run_load_data(r, d);
    if (rc == 0 && o->out)
        rc = scim_run_prepare_out(r, o->out, o->force, o->resume, d);
    if (rc == 1) {
        r->resumed = 1;
        return 0;
    }
    if (rc == 0)
        rc = simulate(r, o, d);
    if (rc == 0 && o->out)
        rc = scim_run_write(r, o->out, o->per_image, d);
    return rc;
}

void scim_run_result_free(struct scim_run_result *r)
{
    scim_report_free(&r->rep);
    scim_fewshot_free(&r->fs);
    scim_timing_free(&r->tm);
    scim_images_free(&r->images);
    scim_dataset_free(&r->ds);
    scim_analog_free(&r->analog);
    scim_mapping_free(&r->map);
    scim_model_free(&r->model);
    scim_config_free(&r->cfg);
}

void scim_run_print(const struct scim_run_result *r, const char *out, FILE *f)
{
    const struct scim_images *im = &r->images;
    scim_report_print(&r->rep, f);
    fprintf(f, "  simulator     %.0f forward passes/s on %d thread%s (%.2f s)%s%s%s\n",
            im->wall_s > 0 ? im->n_images * (double)im->mc_samples / im->wall_s : 0, im->threads,
            im->threads == 1 ? "" : "s", im->wall_s, out ? "; results in " : "", out ? out : "",
            out ? "/" : "");
}
