/*
 * table.c - rows read back (flat JSON objects, by the JSON reader) and the results
 * tables.
 */
#include "table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/base/error.h"
#include "sim/base/fileio.h"
#include "sim/base/json.h"
#include "sim/report.h"

/* ---- flat JSON objects, read by the JSON reader ---- */

/* The fields of a parsed object whose values are all scalars, in the order written. */
static int flatten(const struct scim_node *root, struct scim_flat *o)
{
    if (!root || root->kind != SCIM_NODE_MAP)
        return SCIM_EFORMAT;
    if (!root->n)
        return 0;
    o->f = calloc(root->n, sizeof(*o->f));
    if (!o->f)
        return SCIM_ENOMEM;
    for (size_t i = 0; i < root->n; i++) {
        const struct scim_node *v = root->items[i];
        if (v->kind != SCIM_NODE_SCALAR)
            return SCIM_EFORMAT;
        struct scim_flat_field *f = &o->f[o->n++];
        f->str = v->quoted;
        f->key = strdup(root->keys[i]);
        f->val = !v->quoted && !strcmp(v->scalar, "null") ? NULL : strdup(v->scalar);
        if (!f->key || (!f->val && (v->quoted || strcmp(v->scalar, "null"))))
            return SCIM_ENOMEM;
    }
    return 0;
}

int scim_flat_parse(const char *text, struct scim_flat *o)
{
    struct scim_doc doc;
    struct scim_diag quiet;
    memset(o, 0, sizeof(*o));
    scim_diag_init(&quiet, NULL);
    int rc = scim_json_load_string(&doc, text, strlen(text), "<row>", &quiet);
    if (rc == 0)
        rc = flatten(doc.root, o);
    scim_doc_free(&doc);
    scim_diag_free(&quiet);
    if (rc < 0)
        scim_flat_free(o);
    return rc < 0 && rc != SCIM_ENOMEM ? SCIM_EFORMAT : rc;
}

const char *scim_flat_get(const struct scim_flat *o, const char *key, int *found)
{
    for (size_t i = 0; i < o->n; i++)
        if (!strcmp(o->f[i].key, key)) {
            if (found)
                *found = 1;
            return o->f[i].val;
        }
    if (found)
        *found = 0;
    return NULL;
}

void scim_flat_free(struct scim_flat *o)
{
    for (size_t i = 0; i < o->n; i++) {
        free(o->f[i].key);
        free(o->f[i].val);
    }
    free(o->f);
    memset(o, 0, sizeof(*o));
}

/* ---- tables ---- */

/* Columns: every key of the rows, in the order they first appear. */
struct columns {
    char **name;
    size_t n, cap;
};

static int column_add(struct columns *c, const char *key)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->name[i], key))
            return 0;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        char **v = realloc(c->name, cap * sizeof(*v));
        if (!v)
            return SCIM_ENOMEM;
        c->name = v, c->cap = cap;
    }
    return (c->name[c->n++] = strdup(key)) ? 0 : SCIM_ENOMEM;
}

static void csv_cell(FILE *f, const char *v)
{
    if (!v)
        return;
    size_t n = strlen(v);
    if (!strpbrk(v, ",\"\r\n") && !(n && (v[0] == ' ' || v[n - 1] == ' '))) {
        fputs(v, f);
        return;
    }
    fputc('"', f);
    for (; *v; v++)
        fputs(*v == '"' ? "\"\"" : (char[2]){*v, 0}, f);
    fputc('"', f);
}

/* Row cells in column order; the field at the same position is tried first. */
static void csv_row(FILE *f, const struct columns *c, const struct scim_flat *o)
{
    for (size_t i = 0; i < c->n; i++) {
        if (i)
            fputc(',', f);
        if (i < o->n && !strcmp(o->f[i].key, c->name[i]))
            csv_cell(f, o->f[i].val);
        else
            csv_cell(f, scim_flat_get(o, c->name[i], NULL));
    }
    fputc('\n', f);
}

/* What the CSV writer needs: the parsed rows and their columns. */
struct table {
    struct scim_flat *rows;
    size_t n;
    struct columns cols;
};

static void w_csv(const void *tv, FILE *f)
{
    const struct table *t = tv;
    if (!t->cols.n)
        return; /* no rows yet: an empty file */
    for (size_t i = 0; i < t->cols.n; i++) {
        if (i)
            fputc(',', f);
        csv_cell(f, t->cols.name[i]);
    }
    fputc('\n', f);
    for (size_t i = 0; i < t->n; i++)
        csv_row(f, &t->cols, &t->rows[i]);
}

/* The rows and their count, for the JSON-lines writer. */
struct lines {
    char *const *rows;
    size_t n;
};

static void w_jsonl(const void *lv, FILE *f)
{
    const struct lines *l = lv;
    for (size_t i = 0; i < l->n; i++)
        if (l->rows[i])
            fprintf(f, "%s\n", l->rows[i]);
}

static int table_build(struct table *t, char *const *rows, size_t n)
{
    memset(t, 0, sizeof(*t));
    t->rows = calloc(n ? n : 1, sizeof(*t->rows));
    if (!t->rows)
        return SCIM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!rows[i] || scim_flat_parse(rows[i], &t->rows[t->n]) < 0)
            continue;
        const struct scim_flat *o = &t->rows[t->n++];
        for (size_t k = 0; k < o->n; k++)
            if (column_add(&t->cols, o->f[k].key) < 0)
                return SCIM_ENOMEM;
    }
    return 0;
}

static void table_free(struct table *t)
{
    for (size_t i = 0; i < t->n; i++)
        scim_flat_free(&t->rows[i]);
    for (size_t i = 0; i < t->cols.n; i++)
        free(t->cols.name[i]);
    free(t->cols.name);
    free(t->rows);
}

int scim_sweep_tables_write(const char *dir, char *const *rows, size_t n, struct scim_diag *d)
{
    char path[4200];
    struct lines l = {rows, n};
    struct table t;
    memset(&t, 0, sizeof(t));
    int rc = scim_path_join(path, sizeof(path), dir, "results.jsonl") < 0 ? SCIM_EINVAL : 0;
    if (rc == 0)
        rc = scim_write_atomic(path, w_jsonl, &l, d);
    if (rc == 0)
        rc = table_build(&t, rows, n);
    if (rc == 0 && scim_path_join(path, sizeof(path), dir, "results.csv") == 0)
        rc = scim_write_atomic(path, w_csv, &t, d);
    table_free(&t);
    return rc;
}
