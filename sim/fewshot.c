/*
 * fewshot.c - the Bayesian test vector run on every chip instance, and what it costs.
 */
#include "fewshot.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sim/base/error.h"
#include "arch/ledger.h"
#include "sim/base/rng.h"
#include "sim/base/units.h"

int scim_fewshot_check(const struct scim_config *cfg, const struct scim_model *m,
                       struct scim_diag *d)
{
    if (!cfg->testing.test_vector || m->tv_mu)
        return 0;
    return scim_diag_error(d, &(struct scim_loc){cfg->path ? cfg->path : "spincim", 0, 0},
                           "'testing.test_vector' is on, but model '%s' has no test vector "
                           "(tools/train/testvec.py adds one)",
                           m->name);
}

int scim_fewshot_samples(const struct scim_config *cfg, const struct scim_model *m)
{
    if (cfg->testing.samples > 0)
        return (int)cfg->testing.samples;
    return m->classes >= 100 ? 1 : 10;
}

static size_t elements(const struct scim_model *m)
{
    return (size_t)m->in_c * (size_t)m->in_h * (size_t)m->in_w;
}

void scim_fewshot_draw(const struct scim_model *m, uint64_t seed, uint64_t chip, int n,
                       uint8_t *pixels)
{
    size_t e = elements(m);
    for (int s = 0; s < n; s++) {
        struct scim_rng r;
        scim_rng_init(&r, seed, scim_stream_id(SCIM_STREAM_TESTVEC, chip, (uint64_t)s));
        for (size_t k = 0; k < e; k++) {
            double x = scim_rng_normal(&r) * exp(0.5 * m->tv_logvar[k]) + m->tv_mu[k];
            x = x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x;
            pixels[(size_t)s * e + k] = (uint8_t)floor(255.0 * x + 0.5);
        }
    }
}

double scim_fewshot_sigma(const double *logits, int n, int classes)
{
    double sum = 0.0;
    for (int s = 0; s < n; s++) {
        const double *y = logits + (size_t)s * (size_t)classes;
        double mean = 0.0, ss = 0.0;
        for (int c = 0; c < classes; c++)
            mean += y[c];
        mean /= classes;
        for (int c = 0; c < classes; c++)
            ss += (y[c] - mean) * (y[c] - mean);
        sum += sqrt(ss / classes);
    }
    return n > 0 ? sum / n : NAN;
}

int scim_fewshot_test(const struct scim_config *cfg, const struct scim_model *m,
                      const struct scim_mapping *mp, uint64_t chip,
                      const struct scim_engine_opts *opt, double *sigma, struct scim_counts *ev,
                      struct scim_diag *d)
{
    int n = scim_fewshot_samples(cfg, m);
    char name[] = "test-vector";
    struct scim_dataset ds = {.name = name, .n = n, .c = m->in_c, .h = m->in_h, .w = m->in_w};
    struct scim_config off = *cfg; /* the test runs with dropout off */
    struct scim_engine_opts o = *opt;
    struct scim_images res;
    off.dropout.enabled = 0;
    o.progress = 0;
    ds.classes = m->classes;
    ds.pixels = malloc((size_t)n * elements(m));
    ds.labels = calloc((size_t)n, 1);
    int rc = ds.pixels && ds.labels ? 0 : SCIM_ENOMEM;
    if (rc == 0) {
        scim_fewshot_draw(m, (uint64_t)cfg->workload.seed, chip, n, ds.pixels);
        rc = scim_engine_run(&off, m, mp, &ds, 0, n, &o, &res, d);
    }
    if (rc == 0) {
        *sigma = scim_fewshot_sigma(res.mean_logits, n, res.classes);
        if (ev)
            *ev = res.chip;
        scim_images_free(&res);
    }
    free(ds.pixels);
    free(ds.labels);
    return rc;
}

int scim_fewshot_begin(struct scim_fewshot *fs, const struct scim_config *cfg,
                       const struct scim_model *m, const struct scim_mapping *mp,
                       const struct scim_engine_opts *opt, struct scim_diag *d)
{
    memset(fs, 0, sizeof(*fs));
    if (!cfg->testing.test_vector)
        return 0;
    fs->on = 1;
    fs->samples = scim_fewshot_samples(cfg, m);
    fs->elements = (int)elements(m);
    fs->offset = cfg->testing.offset;
    fs->word_bits = (int)cfg->testing.word_bits;
    fs->storage_bits = 2.0 * fs->elements * fs->word_bits;
    fs->coverage = fs->verifiable = fs->degraded = fs->fp_rate = NAN;
    int rc = scim_fewshot_test(cfg, m, mp, 0, opt, &fs->sigma_ref, &fs->events, d);
    if (rc < 0)
        return rc;
    fs->threshold = fs->sigma_ref + fs->offset;
    double e[SCIM_C_COUNT] = {0};
    scim_price(cfg, mp, &fs->events, e);
    for (int k = 0; k < SCIM_C_COUNT; k++)
        fs->energy_dynamic_j += e[k];
    struct scim_config off = *cfg;
    struct scim_latency lat;
    off.dropout.enabled = 0;
    rc = scim_latency_estimate(&off, mp, 1, 0, &lat);
    fs->latency_s = fs->samples * lat.image_s;
    scim_latency_free(&lat);
    return rc;
}

int scim_fewshot_add_chip(struct scim_fewshot *fs, const struct scim_config *cfg,
                          const struct scim_model *m, const struct scim_mapping *mp,
                          const struct scim_model *chip, const struct scim_mapping *cmp, int index,
                          const struct scim_engine_opts *opt,
                          const struct scim_engine_opts *opt_ff, struct scim_diag *d)
{
    if (!fs->on)
        return 0;
    struct scim_fewshot_chip *c = realloc(fs->chips, (size_t)(fs->n_chips + 1) * sizeof(*c));
    if (!c)
        return SCIM_ENOMEM;
    fs->chips = c;
    c = &fs->chips[fs->n_chips];
    memset(c, 0, sizeof(*c));
    uint64_t draw = (uint64_t)index + 1;
    int rc = scim_fewshot_test(cfg, chip, cmp, draw, opt, &c->sigma_y, NULL, d);
    if (rc == 0)
        rc = scim_fewshot_test(cfg, m, mp, draw, opt_ff, &c->sigma_ff, NULL, d);
    if (rc < 0)
        return rc;
    c->uncertain = c->sigma_y >= fs->threshold;
    fs->n_chips++;
    return 0;
}

void scim_fewshot_finish(struct scim_fewshot *fs, double accuracy, double static_power_w,
                         const double *chip_accuracy, int n_chips)
{
    if (!fs->on)
        return;
    fs->baseline_accuracy = accuracy;
    fs->energy_static_j = static_power_w * fs->latency_s;
    int n = fs->n_chips < n_chips ? fs->n_chips : n_chips;
    double cov = 0, ver = 0, deg = 0, fp = 0;
    for (int k = 0; k < n; k++) {
        struct scim_fewshot_chip *c = &fs->chips[k];
        c->degraded = chip_accuracy[k] < accuracy;
        cov += c->uncertain;
        ver += c->uncertain && c->degraded;
        deg += c->degraded;
        fp += c->sigma_ff >= fs->threshold;
    }
    if (n > 0) {
        fs->coverage = cov / n, fs->verifiable = ver / n;
        fs->degraded = deg / n, fs->fp_rate = fp / n;
    }
}

void scim_fewshot_free(struct scim_fewshot *fs)
{
    free(fs->chips);
    memset(fs, 0, sizeof(*fs));
}

/* ---- outputs ---- */

static double chip_field(const struct scim_fewshot *fs, int k, size_t off)
{
    return *(const double *)((const char *)&fs->chips[k] + off);
}

/* Mean, sample standard deviation (two passes: the values may agree in 9 digits),
 * minimum and maximum of one field over the chips. */
static void field_stats(const struct scim_fewshot *fs, size_t off, double *st)
{
    double sum = 0, ss = 0, lo = INFINITY, hi = -INFINITY, n = fs->n_chips;
    for (int k = 0; k < fs->n_chips; k++) {
        double v = chip_field(fs, k, off);
        sum += v, lo = fmin(lo, v), hi = fmax(hi, v);
    }
    double mean = n > 0 ? sum / n : NAN;
    for (int k = 0; k < fs->n_chips; k++)
        ss += (chip_field(fs, k, off) - mean) * (chip_field(fs, k, off) - mean);
    st[0] = mean, st[2] = n > 0 ? lo : NAN, st[3] = n > 0 ? hi : NAN;
    st[1] = n > 1 ? sqrt(ss / (n - 1)) : NAN;
}

static void put(FILE *f, const char *key, double v, const char *sep)
{
    fprintf(f, "\"%s\": ", key);
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    else
        fputs("null", f);
    fputs(sep, f);
}

static void put_stats(FILE *f, const char *key, const struct scim_fewshot *fs, size_t off)
{
    double st[4];
    field_stats(fs, off, st);
    fprintf(f, "\"%s\": {", key);
    put(f, "mean", st[0], ", ");
    put(f, "std", st[1], ", ");
    put(f, "min", st[2], ", ");
    put(f, "max", st[3], "}");
}

static double total_energy(const struct scim_fewshot *fs)
{
    return fs->energy_dynamic_j + fs->energy_static_j;
}

void scim_fewshot_json(const struct scim_fewshot *fs, FILE *f)
{
    if (!fs || !fs->on) {
        fputs("  \"few_shot\": null,\n", f);
        return;
    }
    fprintf(f, "  \"few_shot\": {\"samples\": %d, \"elements\": %d, ", fs->samples, fs->elements);
    put(f, "offset", fs->offset, ", ");
    put(f, "sigma_y_reference", fs->sigma_ref, ", ");
    put(f, "threshold", fs->threshold, ",\n    ");
    fprintf(f, "\"chips\": %d, ", fs->n_chips);
    put(f, "coverage", fs->coverage, ", ");
    put(f, "verifiable_coverage", fs->verifiable, ", ");
    put(f, "degraded_share", fs->degraded, ", ");
    put(f, "false_positive_rate", fs->fp_rate, ", ");
    put(f, "baseline_accuracy", fs->baseline_accuracy, ",\n    ");
    put_stats(f, "sigma_y_chips", fs, offsetof(struct scim_fewshot_chip, sigma_y));
    fputs(", ", f);
    put_stats(f, "sigma_y_fault_free_draws", fs, offsetof(struct scim_fewshot_chip, sigma_ff));
    fprintf(f, ",\n    \"cost\": {\"word_bits\": %d, ", fs->word_bits);
    put(f, "storage_bits", fs->storage_bits, ", ");
    put(f, "threshold_bits", fs->word_bits, ", ");
    fprintf(f, "\"passes\": %d, ", fs->samples);
    put(f, "energy_dynamic_j", fs->energy_dynamic_j, ", ");
    put(f, "energy_static_j", fs->energy_static_j, ", ");
    put(f, "energy_j", total_energy(fs), ", ");
    put(f, "latency_s", fs->latency_s, ", ");
    fputs("\"latency_model\": \"first-order analytical, N passes with dropout off\", "
          "\"not_modeled\": \"Gaussian sampler (N(0,1) source, exp, multiply-add per element), "
          "mu/logvar memory reads, writing the samples to the input buffer, std and compare "
          "over the logits\"}},\n",
          f);
}

void scim_fewshot_print(const struct scim_fewshot *fs, FILE *f)
{
    char e[40], t[40];
    if (!fs || !fs->on)
        return;
    fprintf(f, "  few-shot test N = %d sample%s, t = %.6g (fault-free sigma_y %.6g + offset %g)",
            fs->samples, fs->samples == 1 ? "" : "s", fs->threshold, fs->sigma_ref, fs->offset);
    if (fs->n_chips)
        fprintf(f,
                ": coverage %.1f %%, verifiable %.1f %% (chips degraded %.1f %%), "
                "fault-free false positives %.1f %% over %d chips",
                100 * fs->coverage, 100 * fs->verifiable, 100 * fs->degraded, 100 * fs->fp_rate,
                fs->n_chips);
    fprintf(f,
            "\n  test cost     %.0f bits of mu and logvar (%d-bit words), %s and %s per test "
            "(%d passes; sampler not modeled)\n",
            fs->storage_bits, fs->word_bits,
            scim_unit_format(total_energy(fs), SCIM_DIM_ENERGY, 4, e, 40),
            scim_unit_format(fs->latency_s, SCIM_DIM_TIME, 4, t, 40), fs->samples);
}

void scim_fewshot_csv(const struct scim_fewshot *fs, int row, FILE *f)
{
    if (!fs || !fs->on)
        return;
    if (row < 0) {
        fputs(",sigma_y,sigma_y_fault_free_same_draw,uncertain", f);
        return;
    }
    if (row < fs->n_chips)
        fprintf(f, ",%.17g,%.17g,%d", fs->chips[row].sigma_y, fs->chips[row].sigma_ff,
                fs->chips[row].uncertain);
}
