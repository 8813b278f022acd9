/*
 * yaml_dom.h - a small YAML document tree that remembers where each node came from.
 *
 * libyaml parses the file; this module copies it into a tree of scim_node
 * whose every node keeps its 1-based line and column, so later semantic checks
 * can say "file:line:col: error: ...". Each node also has a `consumed` flag: a
 * loader marks the nodes it used, and any mapping key nobody consumed is an
 * unknown key. Command-line overrides (-p a.b.c=value) are applied to the tree
 * before validation, with the location "command line (-p #N)".
 *
 * Limits (hostile input): aliases are refused, nesting deeper than 64 levels
 * and files over 16 MiB are errors, duplicate keys are errors.
 */
#ifndef SCIM_YAML_DOM_H
#define SCIM_YAML_DOM_H

#include <stddef.h>

#include "diag.h"
#include "node.h"

/* Parse a YAML file. Syntax and limit errors go to d; returns 0 or < 0. doc need not
 * be initialized; on error it is left empty (scim_doc_free() is still safe). */
int scim_doc_load_file(struct scim_doc *doc, const char *path, struct scim_diag *d);
/* Parse YAML text; name is used as the file name in locations. */
int scim_doc_load_string(struct scim_doc *doc, const char *text, size_t len, const char *name,
                         struct scim_diag *d);


/*
 * Apply one override "dotted.path=value" (index is the 1-based -p number, for
 * the location). Missing intermediate maps are created; the value is parsed as
 * YAML flow text ("[1, 2]" gives a SEQ). An override that names a path through
 * a scalar, or has no '=', is an error in d. Returns 0 or < 0.
 */
int scim_doc_override(struct scim_doc *doc, const char *assignment, unsigned index,
                      struct scim_diag *d);
/* The same with explicit locations: the key (and any section it creates) at key_loc,
 * every node of the value at val_loc (a sweep file's value, say). The file names are
 * copied into the doc. */
int scim_doc_override_at(struct scim_doc *doc, const char *assignment,
                         const struct scim_loc *key_loc, const struct scim_loc *val_loc,
                         struct scim_diag *d);


#endif
