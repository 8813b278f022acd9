/*
 * faults.h - one chip instance's faulty copy of a model's stored weights.
 *
 * A binary weight is a complementary pair of cells, A on row x (P when the weight
 * is +1) and B on row not-x (P when it is -1). Faults of a chip instance are drawn
 * once from its own stream (seed, chip) and applied to the stored weights:
 *  - bit flip: the pair holds the inverted weight;
 *  - stuck-at-P / stuck-at-AP: a cell keeps that state whatever was written.
 * The pair then reads as +1 (A in P, B in AP), -1 (A in AP, B in P), or, with both
 * cells in P, as a match whatever the input (code SCIM_W_MATCH), or with both in AP
 * as a mismatch whatever the input (code SCIM_W_MISMATCH).
 */
#ifndef SCIM_FAULTS_H
#define SCIM_FAULTS_H

#include <stdint.h>

#include "../sim/config.h"
#include "../workloads/model.h"

#define SCIM_W_MATCH 2     /* both cells in P: always a match */
#define SCIM_W_MISMATCH -2 /* both cells in AP: never a match */

/* What the faults of one chip changed. */
struct scim_fault_summary {
    uint64_t flipped;    /* weights inverted */
    uint64_t stuck;      /* cells stuck (in either state) */
    uint64_t always_match, never_match; /* pairs that no longer depend on the input */
    int faulty_layers;   /* layers that got faults */
};

/* 1 when cfg asks for faults. */
int scim_faults_enabled(const struct scim_config *cfg);
/* 1 when cfg asks for conductance variation (faults.d2d_*, faults.c2c_*; analog mode). */
int scim_variation_enabled(const struct scim_config *cfg);
/* Chip instances of the Monte Carlo (faults.chips; 100 when 0 and faults or variation
 * are set). */
int scim_fault_chips(const struct scim_config *cfg);

/* The layers of m that chip instance `index` has faults and variation in (faults.layers
 * and faults.layer_fraction, drawn from the chip's own stream): on[l] = 1 or 0. */
void scim_fault_layers(const struct scim_model *m, const struct scim_config *cfg, uint64_t index,
                       int *on);

/* chip = a copy of m whose weights carry the faults of chip instance `index`. */
int scim_faults_apply(struct scim_model *chip, const struct scim_model *m,
                      const struct scim_config *cfg, uint64_t index,
                      struct scim_fault_summary *sum);
/* Free what scim_faults_apply allocated (not the parts shared with m). */
void scim_faults_free(struct scim_model *chip);

#endif
