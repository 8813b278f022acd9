/*
 * values.h - the values of a sweep axis: listed, or generated from a linear
 * or logarithmic range with units ("from: 1ns, to: 100ns, steps: 5").
 */
#ifndef SCIM_SWEEP_VALUES_H
#define SCIM_SWEEP_VALUES_H

#include <stddef.h>

#include "sim/base/diag.h"
#include "sim/base/yaml_dom.h"

/* The `key:` of an axis that names the base config instead of a config key. */
#define SCIM_SWEEP_BASE_KEY "base"

/* One value an axis key takes (or one `set:` entry). */
struct scim_sweep_value {
    char *assign; /* "key=value" as an override reads it (owned); for base: the path */
    char *shown;  /* the value as written, for the results ("10ns", "../bnn.yaml") (owned) */
    struct scim_loc
        loc; /* the value in the sweep file (the range/log mapping for generated ones) */
};

/* One axis: one key or several linked keys, and the values they take together. */
struct scim_sweep_axis {
    char **keys;               /* config key paths, or "base" (owned), n_keys of them */
    struct scim_loc *key_locs; /* where each key was written */
    size_t n_keys;
    struct scim_sweep_value *values; /* n_values x n_keys, value v of key k at [v * n_keys + k] */
    size_t n_values;
};


/* v = key's value from the scalar node n (an error at n when it is not a scalar).
 * For the key "base" the value is a config path, resolved against dir. */
int scim_sweep_value_scalar(struct scim_sweep_value *v, const char *key, const struct scim_node *n,
                            const char *dir, struct scim_diag *d);
void scim_sweep_value_free(struct scim_sweep_value *v);

/* ax's values from the list node src: scalars, or lists of ax->n_keys scalars when
 * the axis links several keys. Paths of "base" are resolved against dir. */
int scim_sweep_values_list(struct scim_sweep_axis *ax, const struct scim_node *src, const char *dir,
                           struct scim_diag *d);

/* ax's values from the mapping {from, to, steps}: linear, or logarithmic (log = 1).
 * Values keep the unit of from/to, with 6 significant digits ("55ns"). */
int scim_sweep_values_range(struct scim_sweep_axis *ax, const struct scim_node *src, int log,
                            struct scim_diag *d);


#endif
