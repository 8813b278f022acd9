/*
 * sweep_table.c - rows read back (a flat JSON parser) and the results tables.
 */
#include "table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/base/error.h"
#include "sim/base/fileio.h"
#include "sim/report.h"

/* ---- flat JSON ---- */

static const char *ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

/* UTF-8 of code point c (BMP) into out; returns the bytes written. */
static int utf8(unsigned c, char *out)
{
    if (c < 0x80)
        return out[0] = (char)c, 1;
    if (c < 0x800)
        return out[0] = (char)(0xc0 | c >> 6), out[1] = (char)(0x80 | (c & 0x3f)), 2;
    out[0] = (char)(0xe0 | c >> 12), out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
    out[2] = (char)(0x80 | (c & 0x3f));
    return 3;
}

static int escape(const char **pp, char *out)
{
    const char *p = *pp;
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *k = *p ? strchr(from, *p) : NULL;
    if (k) {
        *pp = p + 1;
        *out = to[k - from];
        return 1;
    }
    unsigned c;
    if (*p != 'u' || sscanf(p + 1, "%4x", &c) != 1)
        return -1;
    *pp = p + 5;
    return utf8(c, out);
}

/* A string at *pp (at its opening quote) into a new buffer. */
static char *string(const char **pp)
{
    const char *p = *pp + 1;
    char *s = malloc(3 * strlen(p) + 1), *o = s;
    while (s && *p && *p != '"') {
        int n = *p == '\\' ? (p++, escape(&p, o)) : (*o = *p++, 1);
        if (n < 0)
            break;
        o += n;
    }
    if (!s || *p != '"') {
        free(s);
        return NULL;
    }
    *o = '\0';
    *pp = p + 1;
    return s;
}

/* A number or literal: everything up to , } or blank. */
static char *token(const char **pp)
{
    size_t n = strcspn(*pp, ",} \t\r\n");
    char *s = n ? strndup(*pp, n) : NULL;
    *pp += n;
    return s;
}

static int field(const char **pp, struct scim_flat *o)
{
    struct scim_flat_field *f = realloc(o->f, (o->n + 1) * sizeof(*f));
    if (!f)
        return SCIM_ENOMEM;
    o->f = f;
    f = &o->f[o->n];
    memset(f, 0, sizeof(*f));
    const char *p = ws(*pp);
    if (*p != '"' || !(f->key = string(&p)))
        return SCIM_EFORMAT;
    o->n++;
    p = ws(p);
    if (*p++ != ':')
        return SCIM_EFORMAT;
    p = ws(p);
    f->str = *p == '"';
    f->val = f->str ? string(&p) : token(&p);
    if (!f->val)
        return SCIM_EFORMAT;
    if (!f->str && !strcmp(f->val, "null")) {
        free(f->val);
        f->val = NULL;
    }
    *pp = ws(p);
    return 0;
}

int scim_flat_parse(const char *text, struct scim_flat *o)
{
    memset(o, 0, sizeof(*o));
    const char *p = ws(text);
    int rc = *p++ == '{' ? 0 : SCIM_EFORMAT;
    if (rc == 0 && *ws(p) == '}')
        p = ws(p) + 1;
    else
        while (rc == 0) {
            rc = field(&p, o);
            if (rc == 0 && *p == '}') {
                p++;
                break;
            }
            if (rc == 0 && *p++ != ',')
                rc = SCIM_EFORMAT;
        }
    if (rc == 0 && *ws(p))
        rc = SCIM_EFORMAT;
    if (rc < 0)
        scim_flat_free(o);
    return rc;
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
