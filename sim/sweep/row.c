/*
 * row.c - a run's row: one flat JSON object with the point, the axis values
 * and every metric of its report (the columns of results.csv). Only deterministic
 * values: the same run gives the same bytes whatever the parallelism.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/model.h"
#include "sim/curve.h"
#include "sim/base/error.h"
#include "sim/fewshot.h"
#include "plan.h"

/* A row being written: the stream and whether a key came before. */
struct row {
    FILE *f;
    int n;
};

static void key(struct row *w, const char *k)
{
    fputs(w->n++ ? ", " : "{", w->f);
    scim_json_string(w->f, k);
    fputs(": ", w->f);
}

static void str(struct row *w, const char *k, const char *v)
{
    key(w, k);
    scim_json_string(w->f, v ? v : "");
}

static void num(struct row *w, const char *k, double v)
{
    key(w, k);
    if (isfinite(v))
        fprintf(w->f, "%.17g", v);
    else
        fputs("null", w->f);
}

static void integer(struct row *w, const char *k, long long v)
{
    key(w, k);
    fprintf(w->f, "%lld", v);
}

/* "prefix<name>suffix" as a key. */
static void num3(struct row *w, const char *prefix, const char *name, const char *suffix, double v)
{
    char k[160];
    snprintf(k, sizeof(k), "%s%s%s", prefix, name, suffix);
    num(w, k, v);
}

static void axes(struct row *w, const struct scim_sweep_plan *pl, const struct scim_sweep_run *run)
{
    const struct scim_sweep_spec *sp = &pl->spec;
    for (size_t a = 0; a < sp->n_axes; a++) {
        const struct scim_sweep_axis *ax = &sp->axes[a];
        size_t v = scim_sweep_value_index(sp, a, run->point);
        for (size_t k = 0; k < ax->n_keys; k++)
            str(w, ax->keys[k], ax->values[v * ax->n_keys + k].shown);
    }
}

static void chips(struct row *w, const struct scim_report *r)
{
    static const struct {
        const char *name;
        size_t off;
    } m[] = {{"accuracy", offsetof(struct scim_chip_result, accuracy)},
             {"flagged", offsetof(struct scim_chip_result, flagged)},
             {"chip_energy_per_image", offsetof(struct scim_chip_result, energy)}};
    static const char *const stat[4] = {"_mean", "_std", "_min", "_max"};
    integer(w, "chips", r->n_chips);
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
        double st[4] = {NAN, NAN, NAN, NAN};
        if (r->n_chips)
            scim_report_chip_stats(r, m[i].off, st);
        for (int s = 0; s < 4; s++)
            num3(w, m[i].name, stat[s], i == 2 ? "_j" : "", st[s]);
    }
}

/* Few-shot testing of the chips with the model's test vector, when it ran. */
static void few_shot(struct row *w, const struct scim_report *r)
{
    const struct scim_fewshot *fs = r->fewshot;
    if (!fs || !fs->on)
        return;
    num(w, "few_shot_coverage", fs->coverage);
    num(w, "few_shot_verifiable_coverage", fs->verifiable);
    num(w, "few_shot_false_positive_rate", fs->fp_rate);
    num(w, "few_shot_threshold", fs->threshold);
    num(w, "few_shot_energy_j", fs->energy_dynamic_j + fs->energy_static_j);
    num(w, "few_shot_latency_s", fs->latency_s);
}

static void uncertainty(struct row *w, const struct scim_report *r)
{
    const struct scim_unc_summary *u = &r->unc;
    num(w, "mean_variance", u->mean_variance);
    num(w, "mean_entropy_nats", u->mean_entropy);
    num(w, "mean_nll_nats", u->mean_nll);
    num(w, "accepted", u->accepted);
    num(w, "flagged_in_distribution", u->rejected);
    num(w, "tpr", u->tpr);
    num(w, "tnr", u->tnr);
    num(w, "ar", u->ar);
    for (int i = 0; i < r->n_ood; i++) {
        num3(w, "ood_detection_rate[", r->ood[i].name, "]", r->ood[i].flagged);
        num3(w, "ood_entropy_nats[", r->ood[i].name, "]", r->ood[i].mean_entropy);
    }
}

static void energy_area(struct row *w, const struct scim_report *r)
{
    num(w, "energy_per_image_j", r->energy_per_image);
    num(w, "energy_dynamic_per_image_j", r->energy_dynamic);
    num(w, "energy_static_per_image_j", r->energy_static);
    for (int k = 0; k < SCIM_C_COUNT; k++)
        num3(w, "energy_", scim_component_name(k), "_j", r->energy_comp[k]);
    num(w, "static_power_w", r->static_power_w);
    num(w, "area_mm2", r->area.total * 1e6);
    for (int k = 0; k < SCIM_C_COUNT; k++)
        num3(w, "area_", scim_component_name(k), "_mm2", r->area.comp[k] * 1e6);
}

static void performance(struct row *w, const struct scim_report *r)
{
    const struct scim_images *res = r->res;
    double n = res->n_images ? res->n_images : 1;
    num(w, "latency_per_image_s", r->latency_s);
    num(w, "throughput_images_per_s", r->throughput);
    num(w, "ops_per_image", r->ops_per_image);
    num(w, "tops_per_w", r->tops_per_w);
    integer(w, "arrays", r->area.arrays);
    integer(w, "adcs", r->area.adcs);
    integer(w, "rng_modules", r->rng_modules);
    num(w, "rng_bits_per_image", (double)res->chip.ev[SCIM_EV_RNG_BIT] / n);
    num(w, "adc_conversions_per_image", (double)res->chip.ev[SCIM_EV_ADC_CONV] / n);
    num(w, "adc_clips_per_image", (double)res->chip.ev[SCIM_EV_ADC_CLIP] / n);
}

static void write_row(struct row *w, const struct scim_sweep_plan *pl,
                      const struct scim_sweep_run *run, const struct scim_report *r, int systemc)
{
    integer(w, "point", (long long)run->point);
    integer(w, "seed", (long long)r->cfg->workload.seed);
    axes(w, pl, run);
    str(w, "engine", systemc ? "systemc" : "functional");
    str(w, "dir", run->dir);
    str(w, "config_hash", r->config_hash);
    str(w, "spincim_version", SPINCIM_VERSION);
    str(w, "model", r->model->name);
    str(w, "method", r->model->method);
    str(w, "dataset", r->dataset);
    integer(w, "images", r->res->n_images);
    integer(w, "mc_samples", r->res->mc_samples);
    num(w, "accuracy", r->accuracy);
    chips(w, r);
    few_shot(w, r);
    uncertainty(w, r);
    energy_area(w, r);
    performance(w, r);
    fputc('}', w->f);
}

/* The RNG's switching probability around its p = 0.5 current, for the plots. */
static int rng_curve(const struct scim_config *cfg, const char *dir, struct scim_diag *d)
{
    const struct scim_device_ops *ops = cfg->dropout.rng.ops;
    if (!ops->rng->p_switch || !ops->rng->calibrate)
        return 0;
    double i50 = ops->rng->calibrate(cfg->dropout.rng.params, 0.5, cfg->chip.temperature_k);
    char sweep[96], temp[32], path[4200];
    snprintf(sweep, sizeof(sweep), "current=%.6gA:%.6gA:81", 0.5 * i50, 1.5 * i50);
    snprintf(temp, sizeof(temp), "%.6gK", cfg->chip.temperature_k);
    snprintf(path, sizeof(path), "%s/rng_curve.csv", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return scim_diag_file_error(d, path, SCIM_EIO, "cannot write");
    int rc = scim_device_curve_params(ops, cfg->dropout.rng.params, sweep, temp, f, d);
    if (fclose(f) != 0 && rc == 0)
        rc = scim_diag_file_error(d, path, SCIM_EIO, "cannot write");
    return rc;
}

int scim_sweep_row_make(const struct scim_sweep_plan *pl, const struct scim_sweep_run *run,
                        const struct scim_report *r, int systemc, const char *dir, char **row,
                        struct scim_diag *d)
{
    size_t len = 0;
    struct row w = {open_memstream(row, &len), 0};
    if (!w.f)
        return SCIM_ENOMEM;
    write_row(&w, pl, run, r, systemc);
    if (fclose(w.f) != 0) {
        free(*row);
        *row = NULL;
        return SCIM_ENOMEM;
    }
    int rc = rng_curve(r->cfg, dir, d);
    if (rc < 0) {
        free(*row);
        *row = NULL;
    }
    return rc;
}
