/*
 * node.c - the located document tree shared by the YAML and JSON readers
 * (node.h): nodes, documents, and reading a whole input file within the limits.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "node.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"

struct scim_node *scim_node_new(enum scim_node_kind kind, struct scim_loc loc)
{
    struct scim_node *n = calloc(1, sizeof(*n));
    if (n) {
        n->kind = kind;
        n->loc = loc;
    }
    return n;
}

void scim_node_free(struct scim_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++) {
        scim_node_free(n->items[i]);
        if (n->keys)
            free(n->keys[i]);
    }
    free(n->items);
    free(n->keys);
    free(n->key_locs);
    free(n->scalar);
    free(n);
}

struct scim_node *scim_scalar_new(const char *text, size_t len, struct scim_loc loc)
{
    struct scim_node *n = scim_node_new(SCIM_NODE_SCALAR, loc);
    if (!n)
        return NULL;
    n->scalar = malloc(len + 1);
    if (!n->scalar) {
        free(n);
        return NULL;
    }
    memcpy(n->scalar, text, len);
    n->scalar[len] = '\0';
    return n;
}

int scim_node_reserve(struct scim_node *n, size_t *cap)
{
    if (cap && n->n < *cap)
        return 0;
    size_t nc = cap ? (*cap ? *cap * 2 : 4) : n->n + 1;
    struct scim_node **items = realloc(n->items, nc * sizeof(*items));
    if (!items)
        return SCIM_ENOMEM;
    n->items = items;
    if (n->kind == SCIM_NODE_MAP) {
        char **keys = realloc(n->keys, nc * sizeof(*keys));
        if (!keys)
            return SCIM_ENOMEM;
        n->keys = keys;
        struct scim_loc *locs = realloc(n->key_locs, nc * sizeof(*locs));
        if (!locs)
            return SCIM_ENOMEM;
        n->key_locs = locs;
    }
    if (cap)
        *cap = nc;
    return 0;
}

struct scim_node *scim_node_get(const struct scim_node *map, const char *key)
{
    long i = scim_node_index(map, key);
    return i < 0 ? NULL : map->items[i];
}

long scim_node_index(const struct scim_node *map, const char *key)
{
    if (!map || map->kind != SCIM_NODE_MAP || !key)
        return -1;
    for (size_t i = 0; i < map->n; i++)
        if (!strcmp(map->keys[i], key))
            return (long)i;
    return -1;
}

/* ---- documents ---- */

char *scim_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    size_t n = (size_t)(slash - path);
    while (n > 0 && path[n - 1] == '/')
        n--;
    return n ? strndup(path, n) : strdup("/");
}

/* Read at most SCIM_DOC_MAX_BYTES + 1 bytes of f into *buf (hint: the expected size). */
static int read_all(FILE *f, size_t hint, char **buf, size_t *len)
{
    size_t cap = hint < SCIM_DOC_MAX_BYTES ? hint + 1 : SCIM_DOC_MAX_BYTES + 1, n = 0;
    if (cap < 4096)
        cap = 4096;
    char *p = malloc(cap);
    if (!p)
        return SCIM_ENOMEM;
    for (;;) {
        n += fread(p + n, 1, cap - n, f);
        if (n < cap || n > SCIM_DOC_MAX_BYTES)
            break;
        char *q = realloc(p, cap * 2);
        if (!q) {
            free(p);
            return SCIM_ENOMEM;
        }
        p = q;
        cap *= 2;
    }
    if (ferror(f)) {
        free(p);
        return SCIM_EIO;
    }
    *buf = p;
    *len = n;
    return 0;
}

int scim_doc_read_file(const char *path, char **text, size_t *len, struct scim_diag *d)
{
    struct stat st;
    *text = NULL, *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return scim_diag_file_error(d, path, SCIM_ENOENT, "cannot open: %s", strerror(errno));
    int fst = fstat(fileno(f), &st);
    if (fst == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return scim_diag_file_error(d, path, SCIM_ENOENT, "cannot open: %s", strerror(EISDIR));
    }
    if (fst == 0 && S_ISREG(st.st_mode) && (uintmax_t)st.st_size > SCIM_DOC_MAX_BYTES) {
        fclose(f);
        return scim_diag_file_error(d, path, SCIM_ECONFIG, "file is larger than 16 MiB");
    }
    size_t hint = fst == 0 && S_ISREG(st.st_mode) ? (size_t)st.st_size : 0;
    int rc = read_all(f, hint, text, len);
    int err = errno;
    fclose(f);
    if (rc == SCIM_EIO)
        return scim_diag_file_error(d, path, rc, "read error: %s", strerror(err));
    return rc;
}

int scim_doc_init(struct scim_doc *doc, const char *name, size_t len, struct scim_diag *d)
{
    memset(doc, 0, sizeof(*doc));
    doc->file = strdup(name);
    doc->dir = scim_dir_of(name);
    if (!doc->file || !doc->dir) {
        scim_doc_free(doc);
        return SCIM_ENOMEM;
    }
    if (len > SCIM_DOC_MAX_BYTES) {
        scim_doc_free(doc);
        return scim_diag_file_error(d, name, SCIM_ECONFIG, "file is larger than 16 MiB");
    }
    return 0;
}

void scim_doc_free(struct scim_doc *doc)
{
    if (!doc)
        return;
    scim_node_free(doc->root);
    free(doc->file);
    free(doc->dir);
    for (size_t i = 0; i < doc->n_extra; i++)
        free(doc->extra_files[i]);
    free(doc->extra_files);
    memset(doc, 0, sizeof(*doc));
}

int scim_doc_load_file_with(struct scim_doc *doc, const char *path, scim_doc_parse_fn parse,
                            struct scim_diag *d)
{
    char *text;
    size_t len;
    memset(doc, 0, sizeof(*doc));
    int rc = scim_doc_read_file(path, &text, &len, d);
    if (rc == 0)
        rc = parse(doc, text, len, path, d);
    free(text);
    return rc;
}
