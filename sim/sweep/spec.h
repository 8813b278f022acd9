/*
 * spec.h - a sweep file: a base config, overrides for every point, and axes.
 *
 *   base: ../default.yaml            # config, relative to the sweep file
 *   set: {workload.images: 2000}     # overrides applied to every point (optional)
 *   axes:                            # each one of values / range / log
 *     - {key: adc.bits, values: [3, 4, 5, 6]}
 *     - {key: crossbar.rows_per_read, range: {from: 8, to: 64, steps: 8}}
 *     - {key: chip.clock, log: {from: 100MHz, to: 1GHz, steps: 3}}
 *     - {key: [crossbar.cell.model, crossbar.cell.r_p], values: [[sot_mram, 331kohm],
 *                                                                [stt_mram, 6kohm]]}
 *     - {key: base, values: [../methods/bnn.yaml, ../methods/spindrop.yaml]}
 *   combine: product                 # or zip (all axes the same length)
 *   seeds: [1, 2, 3]                 # optional: each point runs with each seed
 *   engine: functional               # or systemc (each run in its own process)
 *
 * Parsing checks the sweep file's own structure (every error at file:line:col);
 * whether the keys and values load into a config is the plan's check (sweep.h).
 * docs/sweeps.md is the reference.
 */
#ifndef SCIM_SWEEP_SPEC_H
#define SCIM_SWEEP_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "sim/base/diag.h"
#include "sim/base/yaml_dom.h"
#include "values.h"

struct scim_sweep_spec {
    struct scim_doc doc;      /* the sweep file (every location points into it) */
    char *base;               /* base config path, relative to the working folder (owned) */
    struct scim_loc base_loc; /* where it was written */
    char **set_keys;          /* `set:` keys (owned), n_set of them */
    struct scim_loc *set_key_locs;
    struct scim_sweep_value *set; /* their values */
    size_t n_set;
    struct scim_sweep_axis *axes; /* n_axes of them */
    size_t n_axes;
    int zip;        /* 1: combine zip, 0: product */
    int64_t *seeds; /* `seeds:` (owned), or NULL when absent */
    struct scim_loc *seed_locs;
    size_t n_seeds;
    int systemc;     /* engine: systemc */
    size_t n_points; /* points the axes make */
};

/* Parse and check the sweep file at path; errors go to d. Returns 0 or < 0 (spec is
 * then freed). */
int scim_sweep_spec_load(struct scim_sweep_spec *sp, const char *path, struct scim_diag *d);
void scim_sweep_spec_free(struct scim_sweep_spec *sp);

/* Index of axis a's value at point p (p < n_points). */
size_t scim_sweep_value_index(const struct scim_sweep_spec *sp, size_t a, size_t p);

#endif
