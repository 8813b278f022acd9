/*
 * json.h - the one JSON reader of spincim: report.json, run-info.json, sweep
 * rows and jobs, validation runs. It builds the same located tree as the YAML
 * reader (node.h), so a loader reads either format with the same code and says
 * file:line:col about either.
 *
 * Strings become quoted SCALARs (escapes decoded to UTF-8, surrogate pairs
 * joined); numbers, true, false and null become unquoted SCALARs holding their
 * text as written. Hostile input is refused as it is read: nesting deeper than
 * 64 levels, inputs over 16 MiB, duplicate keys, control characters in
 * strings, NUL bytes, anything after the value.
 */
#ifndef SCIM_JSON_H
#define SCIM_JSON_H

#include <stddef.h>

#include "node.h"

/* Parse JSON text; name is the file name of every location. Errors go to d; returns 0
 * or < 0 (doc then empty; scim_doc_free is safe either way). */
int scim_json_load_string(struct scim_doc *doc, const char *text, size_t len, const char *name,
                          struct scim_diag *d);
int scim_json_load_file(struct scim_doc *doc, const char *path, struct scim_diag *d);

/* The text of map's key: NULL when absent or null (*found, when not NULL, tells which). */
const char *scim_json_text(const struct scim_node *map, const char *key, int *found);
/* The number at a dotted path ("energy_breakdown_j.adc") from root, NaN when absent or
 * not a number. */
double scim_json_number(const struct scim_node *root, const char *path);

#endif
