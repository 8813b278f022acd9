/*
 * image.h - the functional work of one image on one chip instance: its Monte
 * Carlo passes through the mapped layers, step by step.
 *
 * Both engines drive this code: the functional engine calls the steps in a
 * loop on its worker threads; the SystemC engine calls them from its hardware
 * modules at the simulated time each step completes. The order rules are the
 * hardware's: passes start in order (scim_image_draw_pass), layer l of pass t
 * runs after layer l - 1 of pass t and after layer l of pass t - 1. With
 * per-pass activations (SystemC, passes overlapped) layer l of pass t + 1 may
 * run before layer l + 1 of pass t.
 *
 * A layer's MVM depends only on its input, i.e. on the random draws of the
 * layers before it; when a pass shares those draws with an earlier pass of the
 * same image, the MVM result (and its data-dependent events) is reused. The
 * chip still performs every read, so the event counts are those of T full
 * passes; only the host work is saved.
 */
#ifndef SCIM_IMAGE_H
#define SCIM_IMAGE_H

#include <stdint.h>

#include "datapath.h"
#include "events.h"
#include "mapping.h"
#include "config.h"
#include "uncertainty.h"

struct scim_rng_bank;
struct scim_analog;

struct scim_image_ctx {
    const struct scim_config *cfg;
    const struct scim_model *m;
    const struct scim_mapping *mp;
    const struct scim_rng_bank *bank; /* the chip's RNG modules as initialized */
    int passes;                 /* Monte Carlo passes T per image */
    int reuse;                  /* 1: reuse MVMs across passes that share their input */
    int act_sets;               /* activation sets: 1, or T (per-pass activations) */
    int img;                    /* dataset index of the current image */
    struct scim_act *act;       /* [act_sets * n_layers] inputs of each layer */
    int32_t **s;                /* [passes * n_layers] MVM results */
    struct scim_mvm_stats *st;  /* [passes * n_layers] */
    int *src;                   /* [passes * n_layers] pass whose MVM a layer used */
    uint8_t *drop;              /* [passes * n_layers] scale variant of each layer (neuron.h) */
    int *common, *from;         /* [passes] shared prefix length and the pass it is shared with */
    uint64_t **mask;            /* [passes * n_layers] rows kept (masking methods), or NULL */
    double *logits, *prob;      /* [passes * classes] */
    double *run_mean, *sort;    /* [classes] running mean, [passes] scratch */
    uint64_t *correct_at;       /* [passes] images correct after 1..T passes */
    uint64_t *scratch;
    unsigned char *rng_state;   /* this context's copy of the modules' states */
    struct scim_counts *counts; /* [n_layers] events of every image run so far */
    uint64_t rng_bits;          /* random bits drawn */
    uint64_t computed, reused;  /* MVMs computed on the host / reused */
    /* Set by the engine after scim_image_ctx_init (zero: the digital read): */
    const struct scim_analog *analog; /* the chip's analog read model, or NULL (digital) */
    void *analog_work;                /* work space of the analog reads (scim_analog_work_alloc) */
    uint64_t chip;                    /* chip instance (keys the read-noise streams) */
};

/* act_sets: 1 (layers run pass by pass) or the number of passes. Returns 0 or
 * SCIM_ENOMEM (free the context in both cases). */
int scim_image_ctx_init(struct scim_image_ctx *c, const struct scim_config *cfg,
                        const struct scim_model *m, const struct scim_mapping *mp,
                        const struct scim_rng_bank *bank, int reuse, int act_sets);
void scim_image_ctx_free(struct scim_image_ctx *c);

/* Start image img (dataset index) from its 8-bit pixels. */
void scim_image_begin(struct scim_image_ctx *c, int img, const uint8_t *pixels);
/* Draw the random bits of pass t (passes in order, 0 first). */
void scim_image_draw_pass(struct scim_image_ctx *c, int t);
/* Layer l of pass t: MVM (or its reuse) and post-processing, events counted. */
void scim_image_layer(struct scim_image_ctx *c, int t, int l);
/* After the last layer of pass t: the pass's softmax output. */
void scim_image_end_pass(struct scim_image_ctx *c, int t);
/* After every pass: average, prediction into *pred, mean softmax into mean[classes],
 * mean logits into logits[classes] (when not NULL), uncertainty into *unc, accuracy
 * vs T updated. */
void scim_image_finish(struct scim_image_ctx *c, int label, uint8_t *pred, double *mean,
                       double *logits, struct scim_image_unc *unc);

/* All steps of one image in order (the functional engine's loop). */
void scim_image_run(struct scim_image_ctx *c, int img, const uint8_t *pixels, int label,
                    uint8_t *pred, double *mean, double *logits, struct scim_image_unc *unc);

/* ---- the per-image results of a run of images (results.c) ---- */

struct scim_images {
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

/* Allocate res for n images starting at first, with passes per image. */
int scim_images_alloc(struct scim_images *res, const struct scim_model *m, int first,
                          int n, int passes);
/* Add an image context's counts (events, RNG bits, accuracy vs T) to res. */
void scim_images_add(struct scim_images *res, const struct scim_image_ctx *c);
/* After every image: chip totals, averaging events, correct predictions. */
void scim_images_finish(struct scim_images *res);
/* 1 if MVMs may be reused across passes (no_reuse is 0, no read noise of analog
 * redraws every read, and the results fit in memory). */
int scim_image_reuse(int no_reuse, const struct scim_analog *analog, const struct scim_mapping *mp,
                     int passes);
void scim_images_free(struct scim_images *res);

#endif
