/*
 * report.c - pricing a run, and the summary, JSON and CSV outputs.
 */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/cost.h"
#include "arch/dropout.h"
#include "sim/base/error.h"
#include "fewshot.h"
#include "sim/base/units.h"

static double ratio(double a, double b)
{
    return b > 0 ? a / b : NAN;
}

/* Tera-ops per unit of x (per joule of energy, per second of time), 0 when x is 0. */
static double macro_tops(const struct scim_report *r, double x)
{
    return x > 0 ? r->ops_per_image / x / 1e12 : 0.0;
}

static void summarize_uncertainty(const struct scim_images *res, struct scim_unc_summary *u)
{
    double n = res->n_images, ok = 0, acc = 0, ok_acc = 0, bad_rej = 0;
    memset(u, 0, sizeof(*u));
    for (int i = 0; i < res->n_images; i++) {
        const struct scim_image_unc *x = &res->unc[i];
        int right = res->pred[i] == res->label[i], accepted = !x->ood;
        u->mean_variance += x->variance;
        u->mean_entropy += x->entropy;
        u->mean_nll += x->nll;
        ok += right, acc += accepted;
        ok_acc += right && accepted;
        bad_rej += !right && !accepted;
    }
    u->mean_variance = ratio(u->mean_variance, n);
    u->mean_entropy = ratio(u->mean_entropy, n);
    u->mean_nll = ratio(u->mean_nll, n);
    u->accepted = ratio(acc, n);
    u->rejected = ratio(n - acc, n);
    u->tpr = ratio(ok_acc, ok);
    u->tnr = ratio(bad_rej, n - ok);
    u->ar = ratio(ok_acc, acc);
}

int scim_report_build(struct scim_report *r, const struct scim_config *cfg,
                      const struct scim_model *m, const struct scim_mapping *mp,
                      const struct scim_images *res, const char *dataset)
{
    memset(r, 0, sizeof(*r));
    r->cfg = cfg, r->model = m, r->mp = mp, r->res = res, r->dataset = dataset;
    double n = res->n_images > 0 ? res->n_images : 1;
    r->accuracy = res->n_images ? (double)res->correct / res->n_images : 0.0;
    r->energy_layer = calloc((size_t)res->n_layers, sizeof(double));
    if (!r->energy_layer)
        return SCIM_ENOMEM;
    for (int l = 0; l < res->n_layers; l++) {
        double e[SCIM_C_COUNT] = {0};
        scim_price(cfg, mp, &res->layer[l], e);
        for (int c = 0; c < SCIM_C_COUNT; c++)
            r->energy_layer[l] += e[c] / n;
    }
    scim_price(cfg, mp, &res->chip, r->energy_comp);
    for (int c = 0; c < SCIM_C_COUNT; c++)
        r->energy_dynamic += (r->energy_comp[c] /= n);
    r->rng_modules = scim_rng_modules(cfg, m);
    scim_area_compute(cfg, mp, r->rng_modules, &r->area);
    int rc = scim_latency_estimate(cfg, mp, res->mc_samples, r->rng_modules, &r->lat);
    if (rc < 0)
        return rc;
    r->static_power_w = scim_static_power(cfg, &r->area);
    r->energy_static = cfg->energy.include_static ? r->static_power_w * r->lat.image_s : 0.0;
    r->energy_per_image = r->energy_dynamic + r->energy_static;
    r->throughput = r->lat.image_s > 0 ? 1.0 / r->lat.image_s : 0.0;
    r->latency_s = r->lat.image_s;
    r->ops_per_image = scim_ops_per_pass(mp) * res->mc_samples;
    r->tops_per_w = r->energy_per_image > 0 ? r->ops_per_image / r->energy_per_image / 1e12 : 0.0;
    scim_macro_compute(cfg, mp, res->mc_samples, &r->area, r->energy_comp, &r->macro);
    scim_config_hash(cfg, r->config_hash);
    summarize_uncertainty(res, &r->unc);
    return 0;
}

int scim_report_add_ood(struct scim_report *r, const char *name, const struct scim_images *res)
{
    struct scim_ood_result *o = realloc(r->ood, (size_t)(r->n_ood + 1) * sizeof(*o));
    if (!o)
        return SCIM_ENOMEM;
    r->ood = o;
    o = &r->ood[r->n_ood++];
    struct scim_unc_summary u;
    summarize_uncertainty(res, &u);
    snprintf(o->name, sizeof(o->name), "%s", name);
    o->images = res->n_images;
    o->flagged = u.rejected;
    o->mean_entropy = u.mean_entropy;
    o->accuracy = res->n_images ? (double)res->correct / res->n_images : 0.0;
    return 0;
}

int scim_report_add_chip(struct scim_report *r, const struct scim_images *res,
                         const struct scim_fault_summary *faults)
{
    struct scim_chip_result *c = realloc(r->chips, (size_t)(r->n_chips + 1) * sizeof(*c));
    if (!c)
        return SCIM_ENOMEM;
    r->chips = c;
    c = &r->chips[r->n_chips++];
    struct scim_unc_summary u;
    double e[SCIM_C_COUNT] = {0};
    summarize_uncertainty(res, &u);
    scim_price(r->cfg, r->mp, &res->chip, e);
    memset(c, 0, sizeof(*c));
    c->accuracy = res->n_images ? (double)res->correct / res->n_images : 0.0;
    c->flagged = u.rejected;
    c->mean_entropy = u.mean_entropy;
    for (int k = 0; k < SCIM_C_COUNT; k++)
        c->energy += e[k] / (res->n_images ? res->n_images : 1);
    c->faults = *faults;
    c->misreads = res->chip.ev[SCIM_EV_ADC_MISREAD];
    c->conversions = res->chip.ev[SCIM_EV_ADC_CONV];
    c->misread_rate = c->conversions ? (double)c->misreads / (double)c->conversions : 0.0;
    return 0;
}

void scim_report_chips_csv(const struct scim_report *r, FILE *f)
{
    fputs("chip,accuracy,flagged,mean_entropy_nats,energy_per_image_j,weights_flipped,"
          "cells_stuck,pairs_always_match,pairs_never_match,faulty_layers,adc_misreads,"
          "adc_conversions,cells_retention_flipped,cells_read_disturbed,scale_bits_flipped,"
          "scale_levels_flipped,rng_modules_stuck",
          f);
    scim_fewshot_csv(r->fewshot, -1, f);
    fputc('\n', f);
    for (int i = 0; i < r->n_chips; i++) {
        const struct scim_chip_result *c = &r->chips[i];
        const struct scim_fault_summary *s = &c->faults;
        fprintf(f, "%d,%.17g,%.17g,%.17g,%.17g,%llu,%llu,%llu,%llu,%d,%llu,%llu,%llu,%llu,%llu,%llu,%d",
                i, c->accuracy, c->flagged, c->mean_entropy, c->energy,
                (unsigned long long)s->flipped, (unsigned long long)s->stuck,
                (unsigned long long)s->always_match, (unsigned long long)s->never_match,
                s->faulty_layers, (unsigned long long)c->misreads,
                (unsigned long long)c->conversions, (unsigned long long)s->retention,
                (unsigned long long)s->disturbed, (unsigned long long)s->scale_bits,
                (unsigned long long)s->scale_levels, s->rng_stuck);
        scim_fewshot_csv(r->fewshot, i, f);
        fputc('\n', f);
    }
}

/* Mean, sample standard deviation, minimum and maximum of x over the chips. */
static void chip_stats(const struct scim_report *r, size_t off, double *st)
{
    double sum = 0, ss = 0, lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < r->n_chips; i++) {
        double v = *(const double *)((const char *)&r->chips[i] + off);
        sum += v, lo = fmin(lo, v), hi = fmax(hi, v);
    }
    double mean = sum / r->n_chips;
    for (int i = 0; i < r->n_chips; i++) {
        double v = *(const double *)((const char *)&r->chips[i] + off);
        ss += (v - mean) * (v - mean);
    }
    st[0] = mean, st[1] = r->n_chips > 1 ? sqrt(ss / (r->n_chips - 1)) : 0.0, st[2] = lo, st[3] = hi;
}

void scim_report_chip_stats(const struct scim_report *r, size_t offset, double st[4])
{
    chip_stats(r, offset, st);
}

static void json_chips(const struct scim_report *r, FILE *f)
{
    if (!r->n_chips) {
        fputs("  \"chips\": null,\n", f);
        return;
    }
    double a[4], g[4], e[4], mr[4];
    chip_stats(r, offsetof(struct scim_chip_result, accuracy), a);
    chip_stats(r, offsetof(struct scim_chip_result, flagged), g);
    chip_stats(r, offsetof(struct scim_chip_result, energy), e);
    chip_stats(r, offsetof(struct scim_chip_result, misread_rate), mr);
    const struct scim_fault_cfg *fc = &r->cfg->faults;
    fprintf(f,
            "  \"chips\": {\"n\": %d, \"bit_flip\": %.17g, \"stuck_p\": %.17g, "
            "\"stuck_ap\": %.17g, \"d2d_sigma\": %.17g, \"d2d_sigma_add_s\": %.17g, "
            "\"c2c_sigma\": %.17g, \"c2c_sigma_add_s\": %.17g,\n",
            r->n_chips, fc->bit_flip, fc->stuck_p, fc->stuck_ap, fc->d2d_sigma, fc->d2d_sigma_add_s,
            fc->c2c_sigma, fc->c2c_sigma_add_s);
    fprintf(f,
            "    \"fault_free_accuracy\": %.17g,\n    \"accuracy_mean\": %.17g, "
            "\"accuracy_std\": %.17g, \"accuracy_min\": %.17g, \"accuracy_max\": %.17g,\n    "
            "\"flagged_mean\": %.17g, \"flagged_std\": %.17g, \"energy_per_image_mean_j\": %.17g, "
            "\"energy_per_image_std_j\": %.17g,\n    \"misread_rate_mean\": %.17g, "
            "\"misread_rate_std\": %.17g},\n",
            r->accuracy, a[0], a[1], a[2], a[3], g[0], g[1], e[0], e[1], mr[0], mr[1]);
}

void scim_report_free(struct scim_report *r)
{
    free(r->chips);
    free(r->ood);
    free(r->energy_layer);
    scim_latency_free(&r->lat);
    memset(r, 0, sizeof(*r));
}

static const char *fmt(double v, enum scim_dim dim, char *buf)
{
    return scim_unit_format(v, dim, 4, buf, 40);
}

/* Which read mode ran, and the variation it read through. */
static void print_read_mode(const struct scim_report *r, FILE *f)
{
    const struct scim_config *c = r->cfg;
    const struct scim_fault_cfg *fc = &c->faults;
    char a[40], b[40], w[40];
    if (c->crossbar.read_mode != SCIM_READ_MODE_ANALOG) {
        fputs("  read mode     digital (exact match counts)\n", f);
        return;
    }
    fprintf(
        f,
        "  read mode     analog: D2D sigma %g %% + %s, C2C sigma %g %% + %s per read, "
        "wire %s per segment\n",
        100 * fc->d2d_sigma, scim_unit_format(fc->d2d_sigma_add_s, SCIM_DIM_COND, 3, a, sizeof(a)),
        100 * fc->c2c_sigma, scim_unit_format(fc->c2c_sigma_add_s, SCIM_DIM_COND, 3, b, sizeof(b)),
        scim_unit_format(c->crossbar.wire_resistance_ohm, SCIM_DIM_RES, 3, w, sizeof(w)));
}

/* A model with random weights (no tensor file): its accuracy is no network's. */
static void print_random_weights(const struct scim_report *r, FILE *f)
{
    const struct scim_model *m = r->model;
    if (!m->random_weights)
        return;
    fprintf(f,
            "  WARNING       random weights (weights.random: seed %llu, p_plus %g), not a trained "
            "network: the accuracy above is meaningless; energy, area and latency are what this "
            "model is for\n",
            (unsigned long long)m->random_seed, m->random_p_plus);
}

void scim_report_print(const struct scim_report *r, FILE *f)
{
    char a[40], b[40], c[40];
    const struct scim_images *res = r->res;
    fprintf(f, "spincim %s — %s on %s\n", SPINCIM_VERSION, r->model->name, r->cfg->chip.name);
    fprintf(f, "  images        %d of %s (%s), T = %d pass%s per image\n", res->n_images,
            r->dataset, r->cfg->workload.split == SCIM_SPLIT_TEST ? "test" : "train", res->mc_samples,
            res->mc_samples == 1 ? "" : "es");
    fprintf(f, "  accuracy      %.2f %% (%llu / %d)\n", 100.0 * r->accuracy,
            (unsigned long long)res->correct, res->n_images);
    print_random_weights(r, f);
    if (res->mc_samples > 1)
        fprintf(f,
                "  uncertainty   entropy %.4f nats, NLL %.4f, OOD-flagged %.2f %% (eq. 26), "
                "TPR %.1f %%, TNR %.1f %%, AR %.2f %%\n",
                r->unc.mean_entropy, r->unc.mean_nll, 100.0 * r->unc.rejected, 100.0 * r->unc.tpr,
                100.0 * r->unc.tnr, 100.0 * r->unc.ar);
    print_read_mode(r, f);
    if (r->n_chips) {
        double st[4], mr[4];
        chip_stats(r, offsetof(struct scim_chip_result, accuracy), st);
        chip_stats(r, offsetof(struct scim_chip_result, misread_rate), mr);
        fprintf(f, "  faulty chips  %d instances: accuracy %.2f ± %.2f %% (min %.2f, max %.2f; "
                   "fault-free %.2f %%)\n",
                r->n_chips, 100 * st[0], 100 * st[1], 100 * st[2], 100 * st[3], 100 * r->accuracy);
        if (r->cfg->crossbar.read_mode == SCIM_READ_MODE_ANALOG)
            fprintf(f, "                ADC misreads %.4g ± %.2g %% of conversions per chip\n",
                    100 * mr[0], 100 * mr[1]);
    }
    scim_fewshot_print(r->fewshot, f);
    for (int i = 0; i < r->n_ood; i++)
        fprintf(f, "  OOD set       %-22s flagged %.2f %% of %d images (entropy %.4f nats)\n",
                r->ood[i].name, 100.0 * r->ood[i].flagged, r->ood[i].images,
                r->ood[i].mean_entropy);
    const struct scim_config *cfg = r->cfg;
    const char *point = cfg->energy.calibration_point;
    fprintf(f, "  cost model    %.4g nm %s, %.3g V (FO4 %.3g ps); %s%s%s\n",
            cfg->chip.technology_node_m * 1e9, cfg->chip.transistor ? "lstp" : "hp",
            cfg->chip.vdd_v, cfg->cost.tech.fo4_s * 1e12,
            cfg->energy.mode == SCIM_ENERGY_PHYSICAL ? "physical (uncalibrated)"
                                                      : "calibrated at ",
            cfg->energy.mode == SCIM_ENERGY_PHYSICAL ? ""
            : point && *point                          ? point
                                                       : "the built-in defaults",
            cfg->energy.mode == SCIM_ENERGY_PHYSICAL ? "" : " (factors in report.json)");
    fprintf(f, "  energy/image  %s  (dynamic %s, static %s); %.2f TOPS/W (2 ops per binary MAC, "
               "as NeuroSim)\n",
            fmt(r->energy_per_image, SCIM_DIM_ENERGY, a), fmt(r->energy_dynamic, SCIM_DIM_ENERGY, b),
            fmt(r->energy_static, SCIM_DIM_ENERGY, c), r->tops_per_w);
    for (int k = 0; k < SCIM_C_COUNT; k++)
        if (r->energy_comp[k] > 0)
            fprintf(f, "    %-13s %10s  %5.1f %%\n", scim_component_name(k),
                    fmt(r->energy_comp[k], SCIM_DIM_ENERGY, a),
                    100.0 * r->energy_comp[k] / r->energy_per_image);
    fprintf(f, "  area          %s  (%d arrays, %d ADCs, %d RNG module%s)\n",
            fmt(r->area.total, SCIM_DIM_AREA, a), r->area.arrays, r->area.adcs, r->rng_modules,
            r->rng_modules == 1 ? "" : "s");
    for (int k = 0; k < SCIM_C_COUNT; k++)
        if (r->area.comp[k] > 0)
            fprintf(f, "    %-13s %10s  %5.1f %%\n", scim_component_name(k),
                    fmt(r->area.comp[k], SCIM_DIM_AREA, a), 100.0 * r->area.comp[k] / r->area.total);
    if (r->timing)
        scim_report_print_timing(r, f);
    else
        fprintf(f, "  latency/image %s  (%llu cycles at %s; first-order estimate)\n",
                fmt(r->lat.image_s, SCIM_DIM_TIME, a), (unsigned long long)r->lat.image_cycles,
                fmt(r->lat.clock_hz, SCIM_DIM_FREQ, b));
    fprintf(f, "  throughput    %.1f images/s (%.3g TOPS: binary ops per second)\n", r->throughput,
            r->throughput * r->ops_per_image / 1e12);
    fprintf(f, "  macro         %.2f TOPS/W, %.3g TOPS/mm2 (arrays, periphery, ADCs, accumulators: "
               "%s, %s, busy %s per image)\n",
            macro_tops(r, r->macro.energy_j), macro_tops(r, r->macro.busy_s) / (r->macro.area_m2 * 1e6),
            fmt(r->macro.energy_j, SCIM_DIM_ENERGY, a), fmt(r->macro.area_m2, SCIM_DIM_AREA, b),
            fmt(r->macro.busy_s, SCIM_DIM_TIME, c));
    if (res->chip.ev[SCIM_EV_ADC_CLIP])
        fprintf(f, "  ADC clips     %llu of %llu conversions\n",
                (unsigned long long)res->chip.ev[SCIM_EV_ADC_CLIP],
                (unsigned long long)res->chip.ev[SCIM_EV_ADC_CONV]);
    if (res->chip.ev[SCIM_EV_ADC_MISREAD])
        fprintf(f, "  ADC misreads  %llu of %llu conversions (fault-free chip)\n",
                (unsigned long long)res->chip.ev[SCIM_EV_ADC_MISREAD],
                (unsigned long long)res->chip.ev[SCIM_EV_ADC_CONV]);
}

/* ---- JSON ---- */

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

void scim_json_string(FILE *f, const char *s)
{
    json_str(f, s);
}

/* A number, or null when it is not finite (JSON has no NaN). */
static void json_double(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    else
        fputs("null", f);
}

static void json_num(FILE *f, const char *key, double v, int comma)
{
    fprintf(f, "  \"%s\": ", key);
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    else
        fputs("null", f);
    fputs(comma ? ",\n" : "\n", f);
}

static void json_int(FILE *f, const char *key, unsigned long long v)
{
    fprintf(f, "  \"%s\": %llu,\n", key, v);
}

static void json_kv_str(FILE *f, const char *key, const char *v)
{
    fprintf(f, "  \"%s\": ", key);
    json_str(f, v);
    fputs(",\n", f);
}

static void json_comp_map(FILE *f, const char *key, const double *v, double scale)
{
    fprintf(f, "  \"%s\": {", key);
    for (int k = 0; k < SCIM_C_COUNT; k++)
        fprintf(f, "%s\"%s\": %.17g", k ? ", " : "", scim_component_name(k), v[k] * scale);
    fputs("},\n", f);
}

static void json_counts(FILE *f, const struct scim_counts *c)
{
    fputc('{', f);
    for (int e = 0; e < SCIM_EV_COUNT; e++)
        fprintf(f, "%s\"%s\": %llu", e ? ", " : "", scim_event_name(e),
                (unsigned long long)c->ev[e]);
    fputc('}', f);
}

static void json_layers(FILE *f, const struct scim_report *r)
{
    fputs("  \"layers\": [\n", f);
    for (int l = 0; l < r->mp->n_layers; l++) {
        const struct scim_layer_map *lm = &r->mp->layers[l];
        fputs("    {\"name\": ", f);
        json_str(f, lm->layer->name);
        fprintf(f,
                ", \"kind\": \"%s\", \"weight_rows\": %d, \"outputs\": %d, \"positions\": %d, "
                "\"input_planes\": %d, \"arrays\": %d, \"reads_per_position\": %d, "
                "\"utilization\": %.17g, \"energy_per_image_j\": %.17g, \"cycles_per_pass\": %llu, "
                "\"dropout_p\": %.17g,\n     \"events\": ",
                lm->layer->kind == SCIM_LAYER_CONV ? "conv" : "linear", lm->n_rows,
                lm->layer->out_c, lm->positions, lm->planes, lm->arrays,
                lm->n_chunks * lm->col_tiles, lm->utilization, r->energy_layer[l],
                (unsigned long long)r->lat.layer_cycles[l], lm->layer->dropout_p);
        json_counts(f, &r->res->layer[l]);
        fprintf(f, "}%s\n", l + 1 < r->mp->n_layers ? "," : "");
    }
    fputs("  ],\n", f);
}

/* The stochastic hardware of the method: modules per layer (Table VII), bits drawn,
 * and the RNG's share of energy, area and latency. */
/* The bias currents an MTJ RNG is calibrated to, one per dropout probability. */
static void json_calibration(const struct scim_report *r, FILE *f)
{
    const struct scim_rng_ops *ops = r->cfg->dropout.rng.ops->rng;
    double t = r->cfg->chip.temperature_k;
    fputs("\"calibrated_current_a\": {", f);
    int n = 0;
    for (int l = 0; ops->calibrate && l < r->model->n_layers; l++) {
        double p = r->model->layers[l].n_scale_samples ? 0.5 : r->model->layers[l].dropout_p;
        int seen = p <= 0.0;
        for (int k = 0; k < l && !seen; k++)
            seen = (r->model->layers[k].n_scale_samples ? 0.5 : r->model->layers[k].dropout_p) == p;
        if (!seen)
            fprintf(f, "%s\"%g\": %.17g", n++ ? ", " : "", p, ops->calibrate(r->cfg->dropout.rng.params, p, t));
    }
    fputs("}, ", f);
}

/* The cost model: the technology point, the blocks' models and sizes, and each
 * calibration entry's factor (table value / physical energy at the calibration point)
 * and ratio (physical energy here / there). */
static void json_cost_model(const struct scim_report *r, FILE *f)
{
    const struct scim_config *c = r->cfg;
    const struct scim_cost *k = &c->cost;
    const struct scim_tech *t = &k->tech;
    int cal = c->energy.mode == SCIM_ENERGY_CALIBRATED;
    fprintf(f, "  \"cost_model\": {\"technology\": \"%s\", \"transistor\": \"%s\", ",
            c->chip.technology.ops->name, c->chip.transistor ? "lstp" : "hp");
    fputs("\"node_m\": ", f), json_double(f, t->node_m);
    fputs(", \"vdd_v\": ", f), json_double(f, t->vdd_v);
    fputs(", \"vdd_nominal_v\": ", f), json_double(f, t->vdd_nominal_v);
    fputs(", \"fo4_s\": ", f), json_double(f, t->fo4_s);
    fputs(", \"gate_energy_j\": ", f), json_double(f, t->gate_energy_j);
    fputs(", \"gate_area_m2\": ", f), json_double(f, t->gate_area_m2);
    fputs(", \"gate_leakage_w\": ", f), json_double(f, t->gate_leakage_w);
    fputs(", \"array_read_s\": ", f), json_double(f, k->array.read_delay_s);
    fputs(", \"adc_conversion_j\": ", f), json_double(f, k->adc_j);
    fputs(", \"adc_conversion_s\": ", f), json_double(f, k->adc_s);
    fputs(", \"adc_survey_floor_j\": ", f);
    json_double(f, scim_adc_survey_min_j(c->adc.device.ops->adc->bits(c->adc.device.params), 1.0 / k->adc_s));
    fputs(", \"accumulator_delay_s\": ", f), json_double(f, k->logic[SCIM_LOGIC_ACCUMULATOR].delay_s);
    double mf[2], mr[2];
    scim_memory_calibration(c, r->mp, mf, mr);
    fprintf(f, ", \"calibration\": %s", cal ? "{" : "null");
    for (int i = 0; cal && i < SCIM_CAL_COUNT; i++) {
        int mem = i == SCIM_CAL_SCALE_READ ? 0 : i == SCIM_CAL_BUFFER_ACCESS ? 1 : -1;
        fprintf(f, "%s\"%s\": {\"factor\": ", i ? ", " : "", scim_cal_name(i));
        json_double(f, mem >= 0 ? mf[mem] : k->factor[i]);
        fputs(", \"ratio\": ", f), json_double(f, mem >= 0 ? mr[mem] : k->ratio[i]), fputc('}', f);
    }
    fprintf(f, "%s, \"area_calibration\": %s", cal ? "}" : "", cal ? "{" : "null");
    for (int i = 0; cal && i < SCIM_CALA_COUNT; i++) {
        fprintf(f, "%s\"%s\": {\"factor\": ", i ? ", " : "", scim_cal_area_name(i));
        json_double(f, k->area_factor[i]);
        fputs(", \"ratio\": ", f), json_double(f, k->area_ratio[i]), fputc('}', f);
    }
    fputs(cal ? "}},\n" : "},\n", f);
}

static void json_bayesian(const struct scim_report *r, FILE *f)
{
    const struct scim_images *res = r->res;
    double bits = res->n_images ? (double)res->chip.ev[SCIM_EV_RNG_BIT] / res->n_images : 0.0;
    fputs("  \"bayesian_hardware\": {\"method\": ", f);
    json_str(f, r->model->method);
    fputs(", \"rng_model\": ", f);
    json_str(f, r->cfg->dropout.rng.ops->name);
    fputs(", ", f);
    json_calibration(r, f);
    fprintf(f, "\"modules\": %d, \"stochastic_units_by_layer\": {", r->rng_modules);
    for (int l = 0; l < r->mp->n_layers; l++) {
        fprintf(f, "%s", l ? ", " : "");
        json_str(f, r->mp->layers[l].layer->name);
        fprintf(f, ": %d", scim_layer_modules(r->model, r->mp->layers[l].layer));
    }
    /* Table VII's layer-wise view: every stochastic unit of a layer as its own module. */
    const struct scim_rng_ops *ro = r->cfg->dropout.rng.ops->rng;
    const void *rp = r->cfg->dropout.rng.params;
    for (int pass = 0; pass < 2; pass++) {
        fputs(pass ? "},\n    \"units_power_by_layer_w\": {" : "},\n    \"units_area_by_layer_mm2\": {", f);
        for (int l = 0; l < r->mp->n_layers; l++) {
            int u = scim_layer_modules(r->model, r->mp->layers[l].layer);
            fprintf(f, "%s", l ? ", " : "");
            json_str(f, r->mp->layers[l].layer->name);
            fprintf(f, ": %.17g", pass ? u * ro->static_power_w(rp) : u * ro->area_m2(rp) * 1e6);
        }
    }
    double v[8] = {ratio(r->energy_comp[SCIM_C_RNG], bits), bits, r->energy_comp[SCIM_C_RNG],
                   ratio(r->energy_comp[SCIM_C_RNG], r->energy_per_image),
                   r->area.comp[SCIM_C_RNG] * 1e6, ratio(r->area.comp[SCIM_C_RNG], r->area.total),
                   (double)r->lat.rng_cycles * res->mc_samples / r->lat.clock_hz,
                   ratio((double)r->lat.rng_cycles * res->mc_samples, (double)r->lat.image_cycles)};
    const char *k[8] = {"rng_energy_per_bit_j", "rng_bits_per_image", "rng_energy_per_image_j",
                        "rng_energy_share", "rng_area_mm2", "rng_area_share",
                        "rng_latency_per_image_s", "rng_latency_share"};
    fputs("},\n   ", f);
    for (int i = 0; i < 8; i++) {
        fprintf(f, " \"%s\": ", k[i]);
        json_double(f, v[i]);
        fputs(i < 7 ? "," : "},\n", f);
    }
}

/*
 * Storage of the model's parameters, one bit-cell per stored bit (subset-parameter
 * paper §IV-C): binary weights 1 bit; scales as the chip stores them (32-bit words in
 * the SRAM, or the scale crossbar's rows of `bits`-bit values); batch-norm statistics
 * are folded into the comparators' thresholds and not counted. Baselines store every
 * weight and scale in FP32: variational inference two values (mean, sigma), an
 * ensemble five copies, MC-dropout one; the point-estimate BNN keeps 32-bit scales.
 */
static void json_storage(const struct scim_report *r, FILE *f)
{
    double weights = 0, outputs = 0, scales = 0;
    for (int l = 0; l < r->mp->n_layers; l++) {
        const struct scim_layer_map *lm = &r->mp->layers[l];
        double out = lm->layer->out_c;
        weights += (double)lm->n_rows * out;
        outputs += out;
        scales += r->cfg->scale_memory.kind == SCIM_SCALE_CROSSBAR
                      ? lm->scale_rows * out * (double)r->cfg->scale_memory.bits
                      : out * (double)r->cfg->scale_memory.word_bits;
    }
    double total = weights + scales, params = weights + outputs;
    fprintf(f,
            "  \"storage\": {\"weight_bits\": %.17g, \"scale_bits\": %.17g, \"total_bits\": %.17g,\n"
            "    \"baseline_bits\": {\"bnn_32bit_scales\": %.17g, \"variational_fp32\": %.17g, "
            "\"ensemble5_fp32\": %.17g, \"dropout_fp32\": %.17g},\n"
            "    \"ratio_to\": {\"bnn_32bit_scales\": %.17g, \"variational_fp32\": %.17g, "
            "\"ensemble5_fp32\": %.17g, \"dropout_fp32\": %.17g}},\n",
            weights, scales, total, weights + 32 * outputs, 64 * params, 160 * params, 32 * params,
            (weights + 32 * outputs) / total, 64 * params / total, 160 * params / total,
            32 * params / total);
}

static void json_uncertainty(const struct scim_report *r, FILE *f)
{
    const struct scim_unc_summary *u = &r->unc;
    const struct scim_uncertainty_cfg *c = &r->cfg->uncertainty;
    fprintf(f, "  \"uncertainty\": {\"ci_level\": %.17g, \"ood_quantile\": %.17g, "
               "\"ood_threshold\": %.17g,\n    \"mean_variance\": %.17g, \"mean_entropy_nats\": "
               "%.17g, \"mean_nll_nats\": %.17g, \"accepted\": %.17g, \"rejected\": %.17g,\n",
            c->ci_level, c->ood_quantile, c->ood_threshold, u->mean_variance, u->mean_entropy,
            u->mean_nll, u->accepted, u->rejected);
    double v[3] = {u->tpr, u->tnr, u->ar};
    const char *k[3] = {"tpr", "tnr", "ar"};
    for (int i = 0; i < 3; i++) {
        fprintf(f, "%s\"%s\": ", i ? ", " : "    ", k[i]);
        if (isfinite(v[i]))
            fprintf(f, "%.17g", v[i]);
        else
            fputs("null", f);
    }
    fputs(",\n    \"accuracy_vs_passes\": [", f);
    for (int t = 0; t < r->res->mc_samples; t++)
        fprintf(f, "%s%.17g", t ? ", " : "", (double)r->res->correct_at[t] / r->res->n_images);
    fputs("]},\n  \"ood_sets\": [", f);
    for (int i = 0; i < r->n_ood; i++) {
        fprintf(f, "%s\n    {\"set\": ", i ? "," : "");
        json_str(f, r->ood[i].name);
        fprintf(f, ", \"images\": %d, \"flagged\": %.17g, \"mean_entropy_nats\": %.17g, "
                   "\"accuracy\": %.17g}",
                r->ood[i].images, r->ood[i].flagged, r->ood[i].mean_entropy, r->ood[i].accuracy);
    }
    fputs(r->n_ood ? "\n  ],\n" : "],\n", f);
}

static void json_read_mode(const struct scim_report *r, FILE *f)
{
    const struct scim_config *c = r->cfg;
    const struct scim_fault_cfg *fc = &c->faults;
    json_kv_str(f, "read_mode", c->crossbar.read_mode == SCIM_READ_MODE_ANALOG ? "analog" : "digital");
    fprintf(f,
            "  \"variation\": {\"d2d_sigma\": %.17g, \"d2d_sigma_add_s\": %.17g, "
            "\"c2c_sigma\": %.17g, \"c2c_sigma_add_s\": %.17g, \"wire_resistance_ohm\": %.17g},\n",
            fc->d2d_sigma, fc->d2d_sigma_add_s, fc->c2c_sigma, fc->c2c_sigma_add_s,
            c->crossbar.wire_resistance_ohm);
}

/* Only for a model with random weights (a trained model's report has none of these). */
static void json_random_weights(const struct scim_report *r, FILE *f)
{
    const struct scim_model *m = r->model;
    if (!m->random_weights)
        return;
    json_kv_str(f, "weights", "random");
    fprintf(f, "  \"weights_random\": {\"seed\": %llu, \"p_plus\": %.17g},\n",
            (unsigned long long)m->random_seed, m->random_p_plus);
    fputs("  \"accuracy_meaningful\": false,\n", f);
}

/* The macro alone (ledger.h): what a published macro's TOPS/W and TOPS/mm2 cover. */
static void json_macro(const struct scim_report *r, FILE *f)
{
    const struct scim_macro *m = &r->macro;
    fputs("  \"macro\": {\"components\": [", f);
    for (int c = 0, n = 0; c < SCIM_C_COUNT; c++)
        if (scim_macro_component(c))
            fprintf(f, "%s\"%s\"", n++ ? ", " : "", scim_component_name(c));
    fputs("], \"energy_per_image_j\": ", f), json_double(f, m->energy_j);
    fputs(", \"static_power_w\": ", f), json_double(f, m->static_w);
    fputs(", \"area_mm2\": ", f), json_double(f, m->area_m2 * 1e6);
    fputs(", \"busy_per_image_s\": ", f), json_double(f, m->busy_s);
    fputs(", \"tops_per_w\": ", f), json_double(f, macro_tops(r, m->energy_j));
    fputs(", \"tops\": ", f), json_double(f, macro_tops(r, m->busy_s));
    fputs(", \"tops_per_mm2\": ", f);
    json_double(f, m->area_m2 > 0 ? macro_tops(r, m->busy_s) / (m->area_m2 * 1e6) : 0.0);
    fputs("},\n", f);
}

void scim_report_json(const struct scim_report *r, FILE *f)
{
    const struct scim_images *res = r->res;
    fputs("{\n", f);
    json_kv_str(f, "spincim_version", SPINCIM_VERSION);
    json_kv_str(f, "config_hash", r->config_hash);
    json_kv_str(f, "chip", r->cfg->chip.name);
    json_kv_str(f, "model", r->model->name);
    json_kv_str(f, "method", r->model->method);
    json_kv_str(f, "dataset", r->dataset);
    json_kv_str(f, "split", r->cfg->workload.split == SCIM_SPLIT_TEST ? "test" : "train");
    json_int(f, "images", (unsigned long long)res->n_images);
    json_int(f, "first_image", (unsigned long long)res->first_image);
    json_int(f, "mc_samples", (unsigned long long)res->mc_samples);
    json_int(f, "seed", (unsigned long long)r->cfg->workload.seed);
    json_num(f, "accuracy", r->accuracy, 1);
    json_int(f, "correct", (unsigned long long)res->correct);
    json_random_weights(r, f);
    json_read_mode(r, f);
    json_uncertainty(r, f);
    json_bayesian(r, f);
    json_chips(r, f);
    scim_fewshot_json(r->fewshot, f);
    json_storage(r, f);
    json_kv_str(f, "energy_mode", r->cfg->energy.mode == SCIM_ENERGY_PHYSICAL ? "physical" : "calibrated");
    json_cost_model(r, f);
    json_num(f, "energy_per_image_j", r->energy_per_image, 1);
    json_num(f, "energy_dynamic_per_image_j", r->energy_dynamic, 1);
    json_num(f, "energy_static_per_image_j", r->energy_static, 1);
    json_num(f, "static_power_w", r->static_power_w, 1);
    json_comp_map(f, "energy_breakdown_j", r->energy_comp, 1.0);
    json_num(f, "area_mm2", r->area.total * 1e6, 1);
    json_comp_map(f, "area_breakdown_mm2", r->area.comp, 1e6);
    json_kv_str(f, "latency_model", r->timing ? "cycle-level (SystemC)" : "first-order analytical");
    json_num(f, "latency_per_image_s", r->latency_s, 1);
    json_num(f, "latency_first_order_per_image_s", r->lat.image_s, 1);
    json_num(f, "latency_per_pass_s", r->lat.pass_s, 1);
    json_int(f, "latency_cycles_per_image", (unsigned long long)r->lat.image_cycles);
    json_num(f, "clock_hz", r->lat.clock_hz, 1);
    json_num(f, "throughput_images_per_s", r->throughput, 1);
    json_num(f, "ops_per_image", r->ops_per_image, 1);
    json_num(f, "tops_per_w", r->tops_per_w, 1);
    json_macro(r, f);
    fprintf(f,
            "  \"hardware\": {\"arrays\": %d, \"adcs\": %d, \"rng_modules\": %d, "
            "\"scale_memory_bits\": %llu, \"buffer_bits\": %llu, \"skip_buffer_bits\": %llu},\n",
            r->area.arrays, r->area.adcs, r->rng_modules, (unsigned long long)r->area.scale_bits,
            (unsigned long long)r->area.buffer_bits, (unsigned long long)r->area.skip_bits);
    json_layers(f, r);
    if (r->timing)
        scim_report_json_timing(r, f);
    fputs("  \"events\": ", f);
    json_counts(f, &res->chip);
    fputs("\n}\n", f);
}

/* ---- CSV: one header line and one row ---- */

void scim_report_csv(const struct scim_report *r, FILE *f)
{
    const struct scim_images *res = r->res;
    fputs("config_hash,model,dataset,images,mc_samples,seed,accuracy,energy_per_image_j,"
          "energy_static_per_image_j",
          f);
    for (int k = 0; k < SCIM_C_COUNT; k++)
        fprintf(f, ",energy_%s_j", scim_component_name(k));
    fputs(",area_mm2", f);
    for (int k = 0; k < SCIM_C_COUNT; k++)
        fprintf(f, ",area_%s_mm2", scim_component_name(k));
    fputs(",latency_per_image_s,throughput_images_per_s,tops_per_w", f);
    for (int e = 0; e < SCIM_EV_COUNT; e++)
        fprintf(f, ",events_%s", scim_event_name(e));
    fputs(",read_mode,d2d_sigma,d2d_sigma_add_s,c2c_sigma,c2c_sigma_add_s,wire_resistance_ohm", f);
    fprintf(f, "\n%s,%s,%s,%d,%d,%lld,%.17g,%.17g,%.17g", r->config_hash, r->model->name,
            r->dataset, res->n_images, res->mc_samples, (long long)r->cfg->workload.seed, r->accuracy,
            r->energy_per_image, r->energy_static);
    for (int k = 0; k < SCIM_C_COUNT; k++)
        fprintf(f, ",%.17g", r->energy_comp[k]);
    fprintf(f, ",%.17g", r->area.total * 1e6);
    for (int k = 0; k < SCIM_C_COUNT; k++)
        fprintf(f, ",%.17g", r->area.comp[k] * 1e6);
    fprintf(f, ",%.17g,%.17g,%.17g", r->latency_s, r->throughput, r->tops_per_w);
    for (int e = 0; e < SCIM_EV_COUNT; e++)
        fprintf(f, ",%llu", (unsigned long long)res->chip.ev[e]);
    const struct scim_fault_cfg *fc = &r->cfg->faults;
    fprintf(f, ",%s,%.17g,%.17g,%.17g,%.17g,%.17g\n",
            r->cfg->crossbar.read_mode == SCIM_READ_MODE_ANALOG ? "analog" : "digital", fc->d2d_sigma,
            fc->d2d_sigma_add_s, fc->c2c_sigma, fc->c2c_sigma_add_s,
            r->cfg->crossbar.wire_resistance_ohm);
}

/* ---- atomic files ---- */

void scim_report_use_fewshot(struct scim_report *r, struct scim_fewshot *fs)
{
    double *acc = malloc(((size_t)r->n_chips + 1) * sizeof(double));
    r->fewshot = fs;
    for (int k = 0; acc && k < r->n_chips; k++)
        acc[k] = r->chips[k].accuracy;
    scim_fewshot_finish(fs, r->accuracy, r->cfg->energy.include_static ? r->static_power_w : 0.0,
                        acc, acc ? r->n_chips : 0);
    free(acc);
}
