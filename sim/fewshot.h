/*
 * fewshot.h - on-chip uncertainty testing with one Bayesian test vector (few-shot
 * testing paper, §III-IV).
 *
 * A model may carry a test vector (docs/model-format.md, "Test vector"): an element-wise
 * Gaussian N(mu, exp(logvar)) over its input, in pixel space scaled to [0, 1]. Testing a
 * chip instance (config section `testing`):
 *  - draw N samples (eq. 5), x = N(0, 1) * sqrt(exp(logvar)) + mu, element by element in
 *    (c, y, x) order from the counter-based stream (seed, SCIM_STREAM_TESTVEC, chip,
 *    sample), and read each as the 8-bit pixels the chip takes:
 *    pixel = floor(255 * clamp(x, 0, 1) + 0.5);
 *  - run the N samples through the chip with dropout off (one deterministic pass each);
 *  - sigma_y = (1/N) * sum_n std_c(y_nc), the population standard deviation over the C
 *    logits of each sample (eq. 4's likelihood term), averaged over the N samples.
 * Chip 0 is the fault-free chip with the reference draw; faulty chip instance k (0-based)
 * uses draw k + 1. The threshold is t = sigma_y(fault-free, reference draw) + offset,
 * and a chip is flagged uncertain when sigma_y >= t. Over the M chip instances:
 *     coverage (eq. 6)            = #(sigma_y >= t) / M
 *     verifiable coverage (eq. 7) = #(sigma_y >= t and accuracy < fault-free accuracy) / M
 *     false-positive rate         = #(the fault-free chip tested with chip k's draw has
 *                                     sigma_y >= t) / M
 * the accuracies being those of the run's images with the run's own settings.
 *
 * Cost of one test on the chip: storage of mu and logvar (2 x C*H*W words of
 * testing.word_bits bits, plus one word for t); dynamic energy of the N passes priced
 * from the events of the fault-free reference test; the first-order latency N x one
 * pass with dropout off, and static power x that latency when energy.include_static.
 * Not modeled: the Gaussian sampler (N(0,1) source, exp, multiply-add per element), the
 * reads of the mu/logvar memory, writing the samples into the input buffer, and the
 * digital std-and-compare over the C logits.
 */
#ifndef SCIM_FEWSHOT_H
#define SCIM_FEWSHOT_H

#include <stdint.h>
#include <stdio.h>

#include "engine.h"


/* One faulty chip instance under test. */
struct scim_fewshot_chip {
    double sigma_y;  /* sigma_y of the faulty chip on its own draw, logits */
    double sigma_ff; /* sigma_y of the fault-free chip on the same draw, logits */
    int uncertain;   /* 1: sigma_y >= t */
    int degraded;    /* 1: its accuracy is below the fault-free chip's */
};

struct scim_fewshot {
    int on;           /* 1: the test ran (testing.test_vector) */
    int samples;      /* N forward passes per test */
    int elements;     /* elements of the test vector (C x H x W) */
    double offset;    /* testing.offset, logits */
    double sigma_ref; /* sigma_y of the fault-free chip on the reference draw, logits */
    double threshold; /* t = sigma_ref + offset, logits */
    struct scim_fewshot_chip *chips; /* [n_chips] (owned) */
    int n_chips;
    double baseline_accuracy;  /* fault-free accuracy on the run's images, fraction */
    double coverage;           /* eq. 6, fraction (NaN without chips) */
    double verifiable;         /* eq. 7, fraction (NaN without chips) */
    double degraded;           /* share of chips less accurate than the fault-free one */
    double fp_rate;            /* share of the chips' draws flagging the fault-free chip */
    int word_bits;             /* bits of one stored mu, logvar or t value */
    double storage_bits;       /* mu and logvar on the chip, bits (t: one more word) */
    double energy_dynamic_j;   /* dynamic energy of the N passes (fault-free events), J */
    double energy_static_j;    /* static power x latency, J (0 without include_static) */
    double latency_s;          /* first-order latency of the N passes, s */
    struct scim_counts events; /* hardware events of the fault-free reference test */
};

/* testing.test_vector on a model without a test vector is an error (in d). */
int scim_fewshot_check(const struct scim_config *cfg, const struct scim_model *m,
                       struct scim_diag *d);
/* N: testing.samples, or 1 for >= 100 classes and 10 otherwise. */
int scim_fewshot_samples(const struct scim_config *cfg, const struct scim_model *m);
/* Samples 0..n-1 of chip `chip`'s draw as 8-bit pixels, n x (C*H*W) bytes. */
void scim_fewshot_draw(const struct scim_model *m, uint64_t seed, uint64_t chip, int n,
                       uint8_t *pixels);
/* sigma_y of n rows of `classes` logits: the mean over rows of their population std. */
double scim_fewshot_sigma(const double *logits, int n, int classes);
/* sigma_y of chip model m (mapped as mp) on draw `chip`; the test's events into ev
 * (may be NULL). Returns 0 or < 0 (errors in d). */
int scim_fewshot_test(const struct scim_config *cfg, const struct scim_model *m,
                      const struct scim_mapping *mp, uint64_t chip,
                      const struct scim_engine_opts *opt, double *sigma, struct scim_counts *ev,
                      struct scim_diag *d);

/* When testing is on: test the fault-free chip (m, mp) with the reference draw: t and
 * the events and latency of the test. fs is zeroed first in any case. */
int scim_fewshot_begin(struct scim_fewshot *fs, const struct scim_config *cfg,
                       const struct scim_model *m, const struct scim_mapping *mp,
                       const struct scim_engine_opts *opt, struct scim_diag *d);
/* Test faulty chip instance `index` (0-based; model chip mapped as cmp, run with opt)
 * with its draw, and the fault-free chip (m, mp, run with opt_ff) with the same draw. */
int scim_fewshot_add_chip(struct scim_fewshot *fs, const struct scim_config *cfg,
                          const struct scim_model *m, const struct scim_mapping *mp,
                          const struct scim_model *chip, const struct scim_mapping *cmp, int index,
                          const struct scim_engine_opts *opt,
                          const struct scim_engine_opts *opt_ff, struct scim_diag *d);
/* Coverage, verifiable coverage, false positives and cost, from the run's fault-free
 * accuracy, the chips' accuracies and the chip's static power (0 when static energy is
 * not counted), W. */
void scim_fewshot_finish(struct scim_fewshot *fs, double accuracy, double static_power_w,
                         const double *chip_accuracy, int n_chips);
void scim_fewshot_free(struct scim_fewshot *fs);

/* The summary line, report.json's "few_shot" section (null when off), and the extra
 * columns of chips.csv (header when row < 0). */
void scim_fewshot_print(const struct scim_fewshot *fs, FILE *f);
void scim_fewshot_json(const struct scim_fewshot *fs, FILE *f);
void scim_fewshot_csv(const struct scim_fewshot *fs, int row, FILE *f);

#endif
