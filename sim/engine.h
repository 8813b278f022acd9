/*
 * engine.h - the functional engine: runs images through the mapped chip.
 *
 * For each image it runs T Monte Carlo forward passes (T = 1 when dropout is
 * off), draws each layer's dropout bit from the configured RNG device, and
 * averages the T softmax outputs. Every hardware event is counted per layer.
 *
 * The per-image work is sim/image.c, shared with the SystemC engine (MVMs are
 * reused across passes that share their input; the event counts are those of T
 * full passes). Results are identical for any thread
 * count: each image's random draws come from its own counter-based stream and
 * results are stored per image.
 */
#ifndef SCIM_ENGINE_H
#define SCIM_ENGINE_H

#include <stdint.h>

#include "../arch/events.h"
#include "../arch/mapping.h"
#include "../workloads/dataset.h"
#include "config.h"
#include "uncertainty.h"

struct scim_engine_opts {
    int threads;   /* worker threads; <= 0 = all online cores */
    int progress;  /* 1: progress bar on stderr */
    int no_reuse;  /* 1: recompute every MVM (for tests and benchmarks) */
    uint64_t chip; /* chip instance: seeds its RNG modules' device-to-device draws */
    const struct scim_analog *analog; /* the chip's analog read model (arch/analog.h), or NULL */
};

struct scim_run_result {
    int n_images;               /* images run */
    int first_image;            /* dataset index of the first */
    int classes;                /* output classes */
    int mc_samples;             /* passes per image actually run */
    int n_layers;               /* layers of the model */
    uint64_t correct;           /* images whose averaged prediction equals the label */
    uint8_t *label;             /* [n_images] */
    uint8_t *pred;              /* [n_images] predicted class */
    double *mean_prob;          /* [n_images][classes] softmax averaged over the passes */
    double *mean_logits;        /* [n_images][classes] logits averaged over the passes */
    struct scim_image_unc *unc; /* [n_images] uncertainty of each image */
    uint64_t *correct_at;       /* [mc_samples] images correct after 1..T passes */
    struct scim_counts *layer;  /* [n_layers] events of all images, per layer */
    struct scim_counts chip;    /* events of all images, chip total (layers + averaging) */
    uint64_t rng_bits;          /* random bits drawn (also in the layers' counts) */
    uint64_t mvm_computed;      /* layer MVMs computed on the host */
    uint64_t mvm_reused;        /* layer MVMs reused from an earlier pass */
    double wall_s;              /* host time of the run, s (not part of reports) */
    int threads;                /* threads used */
};

struct scim_image_ctx;
struct scim_analog;

/* Allocate res for n images starting at first, with passes per image. */
int scim_run_result_alloc(struct scim_run_result *res, const struct scim_model *m, int first,
                          int n, int passes);
/* Add an image context's counts (events, RNG bits, accuracy vs T) to res. */
void scim_run_result_add(struct scim_run_result *res, const struct scim_image_ctx *c);
/* After every image: chip totals, averaging events, correct predictions. */
void scim_run_result_finish(struct scim_run_result *res);
/* 1 if MVMs may be reused across passes (opt allows it, no read noise redraws every
 * read, and the results fit in memory). */
int scim_engine_reuse(const struct scim_engine_opts *opt, const struct scim_mapping *mp, int passes);

/* Run images [first, first + n) of ds. Returns 0 or < 0 (errors in d). */
int scim_engine_run(const struct scim_config *cfg, const struct scim_model *m,
                    const struct scim_mapping *mp, const struct scim_dataset *ds, int first, int n,
                    const struct scim_engine_opts *opt, struct scim_run_result *res,
                    struct scim_diag *d);
void scim_run_result_free(struct scim_run_result *res);

/* The dropout RNG modules of one chip instance, initialized (device-to-device
 * draws from the chip's own stream, calibration) before any image runs. */
struct scim_rng_bank {
    int modules;            /* modules on the chip */
    size_t state_size;      /* bytes per module state */
    size_t size;            /* bytes of all states */
    unsigned char *states;  /* modules x state_size */
    int *module_of;         /* [n_layers] module that draws layer l's bits */
    int8_t *stuck;          /* [modules] -1 working, else the stuck value 0 / 1 (faults) */
};

int scim_rng_bank_init(struct scim_rng_bank *b, const struct scim_config *cfg,
                       const struct scim_model *m, uint64_t chip);
void scim_rng_bank_free(struct scim_rng_bank *b);

/* Dropout modules one layer needs (Scale-Dropout Table VII): K*K*Cin for SpinDrop,
 * Cin for Spatial-SpinDrop, 1 for the scale/affine/subset methods, 0 if deterministic. */
int scim_layer_modules(const struct scim_model *m, const struct scim_layer *L);

/* Number of dropout RNG modules the config implies for this model. */
int scim_rng_modules(const struct scim_config *cfg, const struct scim_model *m);
/* Passes per image the config implies (1 when dropout is off or the model has none). */
int scim_mc_passes(const struct scim_config *cfg, const struct scim_model *m);

#endif
