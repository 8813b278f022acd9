/*
 * param.h - load, check, print and document values described by a parameter table.
 *
 * One struct scim_param table (devices/scim_device.h) describes a config
 * section: the loader validates a YAML mapping against it (type, unit, range,
 * unknown keys with a "did you mean"), fills defaults, and the same table
 * prints the resolved values back as YAML and documents every key for
 * `spincim config --defaults` and `spincim devices --describe`.
 */
#ifndef SCIM_PARAM_H
#define SCIM_PARAM_H

#include <float.h>
#include <stdio.h>

#include "devices/scim_device.h"
#include "diag.h"
#include "yaml_dom.h"

/* min of an F64 row whose values must be above 0: the smallest positive double, so every
 * positive value passes and 0 does not; messages and --defaults print the range (0, max]. */
#define SCIM_P_ABOVE_ZERO DBL_TRUE_MIN

/* Fill dst with every default of table (required keys are left zero/NULL; strings
 * already in dst are not freed). Returns 0 or SCIM_EINTERNAL if a default does not
 * parse or is out of bounds (a bug in the table). */
int scim_params_defaults(const struct scim_param *table, void *dst);

/*
 * Load the MAP node `map` into dst (which already holds defaults) following
 * table. Every key of map that is in table is converted, checked and marked
 * consumed; keys listed in `skip` (NULL-terminated, may be NULL) are left for
 * the caller; any other key is an "unknown key 'x' in section (did you mean 'y'?)"
 * error (keys the caller already marked consumed are not). A required key (dflt
 * NULL) that is missing is an error at the map's location; an optional key that is
 * absent leaves dst as it was (only the defaults' pass reads dflt, so a table of
 * optional values without defaults, dflt "", may skip it and preset dst itself).
 * A word that is not one of an ENUM row's choices gets a "did you mean" too.
 * `section` is the dotted path for messages ("crossbar.cell").
 * Relative SCIM_P_PATH values are resolved against base_dir (may be NULL).
 * All errors go to d; returns 0 or SCIM_ECONFIG.
 */
int scim_params_load(const struct scim_param *table, void *dst, const struct scim_node *map,
                     const char *section, const char *const *skip, const char *base_dir,
                     struct scim_diag *d);

/* The row of table whose key is key, or NULL. */
const struct scim_param *scim_param_find(const struct scim_param *table, const char *key);

/* Index of text among the choices of an ENUM row ("a|b|c"), or -1. */
int scim_param_choice(const struct scim_param *p, const char *text);

/* Convert one scalar node for one table row into dst; errors go to d. */
int scim_param_set(const struct scim_param *p, void *dst, const struct scim_node *val,
                   const char *section, const char *base_dir, struct scim_diag *d);

/* Report every key of map not consumed (and not in skip) as unknown, suggesting the
 * nearest of the `known` names (NULL-terminated). Reported values are then marked
 * consumed, so no key is reported twice. Returns the number of errors. */
unsigned scim_params_unknown(const struct scim_node *map, const char *section,
                             const char *const *known, const char *const *skip,
                             struct scim_diag *d);

/* Write "key: value  # doc" lines for every row, indented by indent spaces, with
 * values that parse back exactly. */
void scim_params_emit(const struct scim_param *table, const void *src, FILE *f, int indent);

/* Write one row per key: key, type/unit, default, bounds, doc (for --defaults). */
void scim_params_describe(const struct scim_param *table, const char *section, FILE *f);

/* Free the strings (SCIM_P_STR, SCIM_P_PATH) owned by dst. */
void scim_params_free(const struct scim_param *table, void *dst);

/* Copy src to dst (deep-copying strings). */
int scim_params_copy(const struct scim_param *table, size_t size, void *dst, const void *src);

#endif
