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

#include "config.h"
#include "workloads/model.h"

#define SCIM_W_MATCH 2     /* both cells in P: always a match */
#define SCIM_W_MISMATCH -2 /* both cells in AP: never a match */

/* What the faults of one chip changed. */
struct scim_fault_summary {
    uint64_t flipped;    /* weights inverted */
    uint64_t stuck;      /* cells stuck (in either state) */
    uint64_t always_match, never_match; /* pairs that no longer depend on the input */
    uint64_t retention;  /* cells flipped by retention (faults.retention_time) */
    uint64_t disturbed;  /* AP cells switched to P by reads (faults.reads_since_write) */
    uint64_t scale_bits; /* scale-SRAM bits flipped */
    uint64_t scale_levels; /* scale-crossbar cells read one level off (added after mapping) */
    int rng_stuck;       /* dropout RNG modules stuck at 0 or 1 */
    int faulty_layers;   /* layers that got faults */
};

/* One layer's scale-crossbar grid and its level-flip draw (mapping.c calls it). */
struct scim_level_grid {
    double lo, hi;      /* the grid's first and last value */
    int bits;           /* bits of a stored value: 2^bits grid points */
    int levels;         /* levels of one multi-level cell */
    int cells;          /* cells in tandem per value */
    double p;           /* probability a cell reads one level off */
    uint64_t seed, stream; /* the chip's level-flip stream */
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
/* Scale-memory faults of chip instance `index` in its faulty layers on[]: bit flips of
 * the scale SRAM's words; for the scale crossbar, the layers' level-flip draws (applied
 * when the chip is mapped). Called by scim_faults_apply. */
int scim_faults_scales(struct scim_model *chip, const struct scim_config *cfg, uint64_t index,
                       const int *on, struct scim_fault_summary *sum);
/* Apply level flips to the n values v (on grid g); flips counted. */
void scim_faults_levels(double *v, size_t n, const struct scim_level_grid *g, uint64_t *flips);
/* Dropout RNG module `module` of chip instance `chip` (>= 1): -1 working, or its
 * stuck value 0 / 1 (faults.rng_stuck_0 / _1). The fault-free chip 0 has none. */
int scim_rng_stuck(const struct scim_config *cfg, uint64_t chip, int module);

/* Free what scim_faults_apply allocated (not the parts shared with m). */
void scim_faults_free(struct scim_model *chip);

#endif
