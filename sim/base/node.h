/*
 * node.h - a located document tree: what the YAML reader (yaml_dom.h) and the
 * JSON reader (json.h) build, so that every loader reads both the same way and
 * every message can name file:line:col. A node keeps its 1-based line and
 * column and a `consumed` flag (a loader marks what it used; a mapping key
 * nobody used is an unknown key).
 */
#ifndef SCIM_NODE_H
#define SCIM_NODE_H

#include <stddef.h>

#include "diag.h"

/* Inputs larger than this are refused before they are parsed. */
#define SCIM_DOC_MAX_BYTES ((size_t)16 << 20)

enum scim_node_kind { SCIM_NODE_SCALAR = 1, SCIM_NODE_MAP, SCIM_NODE_SEQ };

struct scim_node {
    enum scim_node_kind kind;
    char *scalar;             /* SCALAR: the text (owned); NULL otherwise */
    int quoted;               /* SCALAR: 1 if written with quotes */
    char **keys;              /* MAP: keys (owned), n of them */
    struct scim_node **items; /* MAP: values, SEQ: elements; n of them (owned) */
    struct scim_loc *key_locs; /* MAP: location of each key */
    size_t n;                 /* number of keys/elements */
    struct scim_loc loc;      /* where the node starts; loc.file is owned by the doc */
    int consumed;             /* set by loaders that used this node */
};

struct scim_doc {
    struct scim_node *root; /* NULL for an empty document */
    char *file;             /* file name as given (owned); all locs point here */
    char *dir;              /* directory of the file, for relative paths (owned) */
    char **extra_files;     /* other strings locs may point to ("command line (-p #2)") */
    size_t n_extra;
};

/* Value of key in a MAP node, or NULL. Does not mark it consumed. */
struct scim_node *scim_node_get(const struct scim_node *map, const char *key);
/* Index of key in map, or -1. */
long scim_node_index(const struct scim_node *map, const char *key);

/* A new node of kind at loc / a SCALAR holding text[0..len) (NULL when out of memory). */
struct scim_node *scim_node_new(enum scim_node_kind kind, struct scim_loc loc);
struct scim_node *scim_scalar_new(const char *text, size_t len, struct scim_loc loc);
/* Make room for one more entry in a MAP or SEQ; cap is the caller's record of the
 * allocated size (NULL: exactly n + 1). Returns 0 or SCIM_ENOMEM. */
int scim_node_reserve(struct scim_node *n, size_t *cap);
void scim_node_free(struct scim_node *n);

/* Start an empty doc for input `name` of len bytes (error when over the limit). */
int scim_doc_init(struct scim_doc *doc, const char *name, size_t len, struct scim_diag *d);
void scim_doc_free(struct scim_doc *doc);
/* The whole file (at most SCIM_DOC_MAX_BYTES; free *text): 0 or < 0 (message in d). */
int scim_doc_read_file(const char *path, char **text, size_t *len, struct scim_diag *d);
/* Parse a whole file (at most SCIM_DOC_MAX_BYTES) with parse, a reader's load_string. */
typedef int (*scim_doc_parse_fn)(struct scim_doc *doc, const char *text, size_t len,
                                 const char *name, struct scim_diag *d);
int scim_doc_load_file_with(struct scim_doc *doc, const char *path, scim_doc_parse_fn parse,
                            struct scim_diag *d);
/* Folder of path ("." when it has none), a new string. */
char *scim_dir_of(const char *path);

#endif
