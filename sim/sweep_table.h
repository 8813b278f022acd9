/*
 * sweep_table.h - the files of a sweep folder: rows (flat JSON objects) read back,
 * the results tables rebuilt from them, and small file helpers.
 */
#ifndef SCIM_SWEEP_TABLE_H
#define SCIM_SWEEP_TABLE_H

#include <stddef.h>

#include "diag.h"

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

/* The whole file, NUL-terminated (free it), or NULL when it cannot be read. */
char *scim_read_text(const char *path);
/* Create path and its parents; 0 or -1 (errno set). */
int scim_mkdirs(const char *path);
/* Write text to path atomically (scim_write_atomic). */
int scim_write_text(const char *path, const char *text, struct scim_diag *d);
/* dir + "/" + name into buf; -1 when it does not fit. */
int scim_path_join(char *buf, size_t len, const char *dir, const char *name);

#endif
