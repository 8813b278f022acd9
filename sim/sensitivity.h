/*
 * sensitivity.h - which parameters of a chip its cost and accuracy respond to
 * (`spincim sensitivity`): every numeric hardware key of a resolved config is
 * stepped a little down and a little up, each step is one scim_run of the config
 * with that key overridden, and the result holds the relative change of energy
 * per image, area, latency per image and accuracy for each step.
 *
 * Keys are those of the resolved config (every section's table and every chosen
 * device model's table, in the order of resolved.yaml). Only F64 and INT keys are
 * stepped; keys of workload.*, uncertainty.*, faults.* and testing.* are skipped:
 * they set up the run and its analysis (images, seed, Monte Carlo passes, the OOD
 * rule) or the Monte Carlo over faulty chip instances, whose results are not among
 * the four outputs. A real value x steps to x - s|x| and x + s|x| (s = 5 %); an
 * integer steps by one bit when it is a bit count (key "bits", "*_bits", "width"),
 * to half and double when its value is a power of two (array rows, columns,
 * rows_per_read, columns_per_adc, depths), else by s of its value rounded, at least
 * 1. Steps are clamped to the key's [min, max]; a value of 0 has no relative step.
 * A step the loader or the run refuses is kept as "step not valid: <first error>".
 * Every run uses the same seed, so an accuracy difference is the parameter's; the
 * base runs twice and must give identical outputs.
 */
#ifndef SCIM_SENSITIVITY_H
#define SCIM_SENSITIVITY_H

#include <stddef.h>
#include <stdio.h>

#include "devices/scim_device.h"
#include "sim/base/diag.h"

/* The outputs compared, in the order of the table and the CSV. */
enum scim_sens_metric {
    SCIM_SENS_ENERGY = 0, /* energy per image, J */
    SCIM_SENS_AREA,       /* chip area, m^2 */
    SCIM_SENS_LATENCY,    /* latency per image, s */
    SCIM_SENS_ACCURACY,   /* fraction of images correct */
    SCIM_SENS_METRICS
};

enum scim_sens_status {
    SCIM_SENS_STEPPED = 0, /* in the table: a step changed an output, or no step was valid */
    SCIM_SENS_NOTHING,     /* stepped; no step that ran changed any output */
    SCIM_SENS_NOT_STEPPED, /* numeric hardware key without a step (0, or both steps at bounds) */
    SCIM_SENS_SKIPPED      /* not a hardware key (workload, uncertainty, faults, testing) */
};

/* One step of one key. */
struct scim_sens_step {
    double value;                  /* the stepped value, SI */
    int state;                     /* 1 ran, 0 not run (at a bound), -1 not valid */
    double d[SCIM_SENS_METRICS];   /* relative change against the base (state 1) */
    char note[320];                /* why not run / not valid, or a new warning */
};

struct scim_sens_key {
    char key[160];                 /* dotted path, "crossbar.cell.r_p" */
    const struct scim_param *p;    /* its table row (type, dimension, bounds) */
    double value;                  /* the base value, SI */
    int status;                    /* enum scim_sens_status */
    int order;                     /* position in resolved.yaml */
    struct scim_sens_step step[2]; /* [0] down, [1] up */
};

struct scim_sens_opts {
    const char *config;             /* config file; NULL = configs/default.yaml */
    const char *const *overrides;   /* "key=value", applied to the base and every step */
    size_t n_overrides;
    double step;                    /* relative step of real keys; <= 0 = 5 % */
    const char *const *prefixes;    /* only keys equal to or under these; none = all */
    size_t n_prefixes;
    int threads;                    /* runs at once, one engine thread each; <= 0 = all cores */
    int progress;                   /* 1: a progress line on stderr */
};

struct scim_sens_result {
    double base[SCIM_SENS_METRICS]; /* the base run's outputs */
    double step;                    /* the relative step used */
    int images;                     /* images of every run */
    struct scim_sens_key *keys;     /* stepped (largest energy, area, latency change first),
                                     * then changes nothing, not stepped, skipped (owned) */
    size_t n_keys;
    int runs, threads;              /* runs made (the base twice included), at once */
    double wall_s;                  /* host time, s */
};

/* Run the base and every step. Returns 0 or < 0 (errors in d: the base failed, a prefix
 * names no key, the base is not deterministic); steps that fail are notes, not errors.
 * Free r with scim_sens_free in both cases. */
int scim_sensitivity(const struct scim_sens_opts *o, struct scim_sens_result *r,
                     struct scim_diag *d);
void scim_sens_free(struct scim_sens_result *r);

/* The table (changed keys, then the lists of the others), and the CSV with one row per
 * key (sensitivity_out.c). */
void scim_sens_print(const struct scim_sens_result *r, FILE *f);
void scim_sens_csv(const struct scim_sens_result *r, FILE *f);
/* dir/sensitivity.csv, written atomically (dir created). */
int scim_sens_write(const struct scim_sens_result *r, const char *dir, struct scim_diag *d);

#endif
