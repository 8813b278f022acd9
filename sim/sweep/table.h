/*
 * table.h - the files of a sweep folder: rows (flat JSON objects) read back,
 * the results tables rebuilt from them, and small file helpers.
 */
#ifndef SCIM_SWEEP_TABLE_H
#define SCIM_SWEEP_TABLE_H

#include <stddef.h>

#include "sim/base/diag.h"
#include "sim/base/fileio.h"

/* One key of a flat JSON object. */
struct scim_flat_field {
    char *key; /* (owned) */
    char *val; /* strings unescaped, numbers/true/false as written, NULL for null (owned) */
    int str;   /* 1: the value was a string */
};

/* A flat JSON object: {"k": "v", "n": 1.5, "x": null}, no nesting. */
struct scim_flat {
    struct scim_flat_field *f; /* n of them, in the order written (owned) */
    size_t n;
};

/* Parse one object; returns 0 or SCIM_EFORMAT (anything else than a flat object). */
int scim_flat_parse(const char *text, struct scim_flat *o);
/* The value of key (NULL when absent or null); *found tells which, when not NULL. */
const char *scim_flat_get(const struct scim_flat *o, const char *key, int *found);
void scim_flat_free(struct scim_flat *o);

/* Write dir/results.jsonl (the rows, one per line) and dir/results.csv (one column per
 * key any row has, in the order they first appear) atomically; rows[i] NULL are
 * skipped. Returns 0 or < 0 (message in d). */
int scim_sweep_tables_write(const char *dir, char *const *rows, size_t n, struct scim_diag *d);

#endif
