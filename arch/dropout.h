/*
 * dropout.h - the dropout hardware of a chip: module counts per layer and per
 * chip (Scale-Dropout Table VII), Monte Carlo passes, and the RNG module bank of
 * one chip instance.
 */
#ifndef SCIM_DROPOUT_H
#define SCIM_DROPOUT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "workloads/model.h"

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

/* 1 when the model's method drops rows (SpinDrop, Spatial-SpinDrop) rather than scales. */
int scim_masks_rows(const struct scim_model *m);

/* Number of dropout RNG modules the config implies for this model. */
int scim_rng_modules(const struct scim_config *cfg, const struct scim_model *m);
/* Passes per image the config implies (1 when dropout is off or the model has none). */
int scim_mc_passes(const struct scim_config *cfg, const struct scim_model *m);

#endif
