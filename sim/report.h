/*
 * report.h - what a run produced, priced and written out.
 *
 * scim_report_build() turns a run's event counts into energy per image (by
 * component and by layer), area, latency and throughput. The writers produce
 * report.json (nested, every metric with its unit in the key), report.csv (one
 * flat row) and the printed summary; files are written atomically (temp file +
 * rename). report.json holds only deterministic values, so the same config and
 * seed give a byte-identical file; host timing goes to run-info.json.
 */
#ifndef SCIM_REPORT_H
#define SCIM_REPORT_H

#include <stdio.h>

#include "arch/faults.h"
#include "engine.h"
#include "arch/ledger.h"

/* Uncertainty over a run (Scale-Dropout §VI-C, Table IX). Accepted = not flagged
 * by eq. 26. TPR = correct and accepted / correct; TNR = wrong and rejected /
 * wrong; AR = correct and accepted / accepted (the definitions that reproduce
 * the relations between Table IX's columns). */
struct scim_unc_summary {
    double mean_variance;  /* eq. 21, predicted class, averaged over images */
    double mean_entropy;   /* nats */
    double mean_nll;       /* nats */
    double accepted;       /* fraction of images accepted (in distribution) */
    double rejected;       /* fraction flagged OOD (the OOD rate on this data) */
    double tpr, tnr, ar;   /* fractions; NaN when their denominator is empty */
};

/* One shifted / OOD input set run through the same chip. */
struct scim_ood_result {
    char name[64];        /* the set's spec ("dataset:fashion-mnist", "rotate:42") */
    int images;           /* images run */
    double flagged;       /* fraction flagged OOD by eq. 26 (the detection rate) */
    double mean_entropy;  /* nats */
    double accuracy;      /* against the base labels (meaningful for shifted images) */
};

/* One faulty chip instance of the Monte Carlo over chips. */
struct scim_chip_result {
    double accuracy;      /* fraction correct */
    double flagged;       /* fraction flagged OOD (eq. 26) on the test images */
    double mean_entropy;  /* nats */
    double energy;        /* dynamic energy per image, J (faults change the cells read) */
    struct scim_fault_summary faults; /* its faults (arch/faults.h) */
    uint64_t misreads;    /* ADC conversions whose code differs from the exact count (analog) */
    uint64_t conversions; /* ADC conversions */
    double misread_rate;  /* misreads / conversions */
};

struct scim_timing;
struct scim_fewshot;

struct scim_report {
    const struct scim_config *cfg;
    const struct scim_model *model;
    const struct scim_mapping *mp;
    const struct scim_images *res;
    const char *dataset;         /* dataset name */
    double accuracy;             /* fraction of images predicted correctly */
    double energy_comp[SCIM_C_COUNT]; /* dynamic energy per image by component, J */
    double *energy_layer;        /* [n_layers] dynamic energy per image by layer, J (owned) */
    double energy_dynamic;       /* dynamic energy per image, J */
    double energy_static;        /* static energy per image, J */
    double energy_per_image;     /* total per image, J */
    double static_power_w;       /* chip static power, W */
    struct scim_area area;       /* areas */
    struct scim_latency lat;     /* first-order latency (the cross-check) */
    const struct scim_timing *timing; /* cycle-level timing (SystemC engine), or NULL */
    double latency_s;            /* latency per image reported: simulated, else first-order, s */
    double throughput;           /* images per second */
    double ops_per_image;        /* binary ops per image (2 per weight per pass) */
    double tops_per_w;           /* ops per joule / 1e12 */
    struct scim_macro macro;     /* the arrays, periphery, ADCs and accumulators alone */
    int rng_modules;             /* dropout modules */
    char config_hash[17];        /* hash of the resolved config */
    struct scim_unc_summary unc; /* uncertainty over the run */
    struct scim_ood_result *ood; /* shifted / OOD sets (owned), n_ood of them */
    int n_ood;
    struct scim_chip_result *chips; /* faulty chip instances (owned), n_chips of them */
    int n_chips;
    const struct scim_fewshot *fewshot; /* test-vector testing of the chips (fewshot.h), or NULL */
};

/* Take latency, throughput and the static energy (static power over the simulated
 * time per image) from the SystemC engine's simulation. */
void scim_report_use_timing(struct scim_report *r, const struct scim_timing *tm);
/* Attach the few-shot testing of the chips (r->fewshot = fs) and finish its figures
 * from the report's accuracy, chips and static power. */
void scim_report_use_fewshot(struct scim_report *r, struct scim_fewshot *fs);
/* The timing lines of the summary, and report.json's "timing" section. */
void scim_report_print_timing(const struct scim_report *r, FILE *f);
void scim_report_json_timing(const struct scim_report *r, FILE *f);

/* Add chip instance `res` (run on a faulty copy of the chip) to the report. */
int scim_report_add_chip(struct scim_report *r, const struct scim_images *res,
                         const struct scim_fault_summary *faults);
/* The per-chip rows as CSV. */
void scim_report_chips_csv(const struct scim_report *r, FILE *f);

/* Mean, sample standard deviation, minimum and maximum over the chips of the double at
 * offset in struct scim_chip_result (offsetof(struct scim_chip_result, accuracy)). */
void scim_report_chip_stats(const struct scim_report *r, size_t offset, double st[4]);

/* s as a JSON string literal (quotes, escapes). */
void scim_json_string(FILE *f, const char *s);

/* Add the result of running an OOD set (res) to the report. */
int scim_report_add_ood(struct scim_report *r, const char *name, const struct scim_images *res);

int scim_report_build(struct scim_report *r, const struct scim_config *cfg,
                      const struct scim_model *m, const struct scim_mapping *mp,
                      const struct scim_images *res, const char *dataset);
void scim_report_free(struct scim_report *r);

void scim_report_print(const struct scim_report *r, FILE *f);
void scim_report_json(const struct scim_report *r, FILE *f);
void scim_report_csv(const struct scim_report *r, FILE *f);

#endif
