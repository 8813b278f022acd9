/*
 * yaml_dom.c - build a located node tree (yaml_dom.h) from libyaml events.
 *
 * The event API is used instead of libyaml's document loader so that hostile
 * input is refused while it is read: an alias is an error at its own mark
 * (no "billion laughs" expansion), nesting is bounded before the recursion
 * goes deeper, and duplicate or merge ("<<") keys are reported with the
 * location of the offending key. Semantic errors are collected and parsing
 * goes on, so a user sees all of them; a syntax error or a limit stops it.
 * On any error the tree is discarded and the doc is left empty.
 *
 * Command-line overrides reuse the same builder on the value text, with every
 * node placed at the override's location ("command line (-p #N)").
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "yaml_dom.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "error.h"

#define SCIM__MAX_DEPTH 64

/* State of one parse: the libyaml parser and where its findings go. */
struct builder {
    yaml_parser_t parser;
    struct scim_diag *d;
    const char *file;             /* location file of every node */
    const struct scim_loc *fixed; /* if set, every node gets this location (overrides) */
    const char *what;             /* the text being parsed, quoted in fixed-mode messages */
    const char *text;             /* the whole input, to place reader errors */
    size_t len;
    unsigned errors; /* semantic errors reported (parsing went on) */
};

/* Open-addressing set of the keys of the map being built, to find duplicates in
 * linear time even in a hostile file with millions of keys. Slots hold index + 1. */
struct keyset {
    size_t *slot;
    size_t size;
};

static int parse_node(struct builder *b, const yaml_event_t *ev, int depth, struct scim_node **out);

/* ---- diagnostics ---- */

static struct scim_loc mark_loc(const struct builder *b, yaml_mark_t m)
{
    if (b->fixed)
        return *b->fixed;
    struct scim_loc loc = {b->file, (unsigned)m.line + 1, (unsigned)m.column + 1};
    return loc;
}

static void sem_error(struct builder *b, const struct scim_loc *loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Report an error after which parsing can go on. */
static void sem_error(struct builder *b, const struct scim_loc *loc, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    scim_diag_error(b->d, loc, "%s", msg);
    b->errors++;
}

/* Report the parser's error: "file:line:col: error: problem (context)". */
static int syntax_error(struct builder *b)
{
    const yaml_parser_t *p = &b->parser;
    if (p->error == YAML_MEMORY_ERROR) {
        scim_diag_error(b->d, b->fixed, "out of memory while parsing YAML");
        return SCIM_ENOMEM;
    }
    const char *problem = p->problem ? p->problem : "invalid YAML";
    const char *ctx = p->context ? p->context : "";
    const char *open = p->context ? " (" : "", *close = p->context ? ")" : "";
    if (b->fixed) {
        scim_diag_error(b->d, b->fixed, "cannot parse value '%s': %s%s%s%s", b->what, problem, open,
                        ctx, close);
    } else if (p->error == YAML_READER_ERROR) {
        /* The reader reports a byte offset, not a mark: count the lines up to it. */
        struct scim_loc loc = {b->file, 1, 1};
        for (size_t i = 0; i < p->problem_offset && i < b->len; i++, loc.col++)
            if (b->text[i] == '\n')
                loc.line++, loc.col = 0;
        scim_diag_error(b->d, &loc, "%s", problem);
    } else {
        struct scim_loc loc = mark_loc(b, p->problem_mark);
        scim_diag_error(b->d, &loc, "%s%s%s%s", problem, open, ctx, close);
    }
    return SCIM_ECONFIG;
}

static int next_event(struct builder *b, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&b->parser, ev))
        return syntax_error(b);
    return 0;
}

/* ---- duplicate keys ---- */

static size_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (size_t)h;
}

static int keyset_grow(struct keyset *ks, char *const *keys, size_t count)
{
    size_t size = ks->size ? ks->size * 2 : 16;
    size_t *slot = calloc(size, sizeof(*slot));
    if (!slot)
        return SCIM_ENOMEM;
    for (size_t i = 0; i < count; i++) {
        size_t h = hash_str(keys[i]) & (size - 1);
        while (slot[h])
            h = (h + 1) & (size - 1);
        slot[h] = i + 1;
    }
    free(ks->slot);
    ks->slot = slot;
    ks->size = size;
    return 0;
}

/* Index of key among keys[0..count), or -1. */
static long keyset_find(const struct keyset *ks, char *const *keys, const char *key)
{
    if (!ks->size)
        return -1;
    size_t h = hash_str(key) & (ks->size - 1);
    for (; ks->slot[h]; h = (h + 1) & (ks->size - 1))
        if (!strcmp(keys[ks->slot[h] - 1], key))
            return (long)ks->slot[h] - 1;
    return -1;
}

/* Record keys[count] (already stored in keys) in the set. */
static int keyset_add(struct keyset *ks, char *const *keys, size_t count)
{
    int rc;
    if ((count + 1) * 2 > ks->size && (rc = keyset_grow(ks, keys, count)) < 0)
        return rc;
    size_t h = hash_str(keys[count]) & (ks->size - 1);
    while (ks->slot[h])
        h = (h + 1) & (ks->size - 1);
    ks->slot[h] = count + 1;
    return 0;
}

/* ---- event tree ---- */

static int parse_seq(struct builder *b, struct scim_node *n, int depth)
{
    size_t cap = 0;
    for (;;) {
        yaml_event_t ev;
        struct scim_node *child;
        int rc = next_event(b, &ev);
        if (rc < 0)
            return rc;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return 0;
        }
        rc = parse_node(b, &ev, depth, &child);
        yaml_event_delete(&ev);
        if (rc < 0)
            return rc;
        if ((rc = scim_node_reserve(n, &cap)) < 0) {
            scim_node_free(child);
            return rc;
        }
        n->items[n->n++] = child;
    }
}

/* Read the key whose first event is ev. *key is the copied text, or NULL if the key
 * was refused (reported; its events are consumed so parsing can go on). */
static int read_key(struct builder *b, const yaml_event_t *ev, int depth, char **key)
{
    struct scim_loc loc = mark_loc(b, ev->start_mark);
    *key = NULL;
    if (ev->type == YAML_SCALAR_EVENT) {
        const char *v = (const char *)ev->data.scalar.value;
        if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !strcmp(v, "<<")) {
            sem_error(b, &loc, "merge keys ('<<') are not supported");
            return 0;
        }
        *key = malloc(ev->data.scalar.length + 1);
        if (!*key)
            return SCIM_ENOMEM;
        memcpy(*key, v, ev->data.scalar.length);
        (*key)[ev->data.scalar.length] = '\0';
        return 0;
    }
    if (ev->type != YAML_ALIAS_EVENT)
        sem_error(b, &loc, "mapping keys must be plain values, not a %s",
                  ev->type == YAML_MAPPING_START_EVENT ? "mapping" : "list");
    struct scim_node *tmp;
    int rc = parse_node(b, ev, depth, &tmp);
    if (rc == 0)
        scim_node_free(tmp);
    return rc;
}

/* Append key: val to the map n, or report a duplicate. Takes ownership of both. */
static int map_add(struct builder *b, struct scim_node *n, struct keyset *ks, size_t *cap,
                   char *key, struct scim_loc kloc, struct scim_node *val)
{
    long first = key ? keyset_find(ks, n->keys, key) : -1;
    int rc = 0;
    if (first >= 0) {
        if (b->fixed)
            sem_error(b, &kloc, "duplicate key '%s'", key);
        else
            sem_error(b, &kloc, "duplicate key '%s' (first defined at line %u)", key,
                      n->key_locs[first].line);
    }
    if (!key || first >= 0 || (rc = scim_node_reserve(n, cap)) < 0) {
        free(key);
        scim_node_free(val);
        return rc;
    }
    n->keys[n->n] = key;
    n->key_locs[n->n] = kloc;
    n->items[n->n] = val;
    if ((rc = keyset_add(ks, n->keys, n->n)) < 0) {
        free(key);
        scim_node_free(val);
        return rc;
    }
    n->n++;
    return 0;
}

static int parse_map(struct builder *b, struct scim_node *n, int depth)
{
    struct keyset ks = {NULL, 0};
    size_t cap = 0;
    int rc;
    for (;;) {
        yaml_event_t ev;
        char *key;
        struct scim_node *val;
        if ((rc = next_event(b, &ev)) < 0)
            break;
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        struct scim_loc kloc = mark_loc(b, ev.start_mark);
        rc = read_key(b, &ev, depth, &key);
        yaml_event_delete(&ev);
        if (rc < 0)
            break;
        if ((rc = next_event(b, &ev)) < 0) {
            free(key);
            break;
        }
        rc = parse_node(b, &ev, depth, &val);
        yaml_event_delete(&ev);
        if (rc < 0) {
            free(key);
            break;
        }
        if ((rc = map_add(b, n, &ks, &cap, key, kloc, val)) < 0)
            break;
    }
    free(ks.slot);
    return rc;
}

/* Build the node whose first event is ev; depth = number of enclosing collections. */
static int parse_node(struct builder *b, const yaml_event_t *ev, int depth, struct scim_node **out)
{
    struct scim_loc loc = mark_loc(b, ev->start_mark);
    struct scim_node *n;
    int rc;
    *out = NULL;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        n = scim_scalar_new((const char *)ev->data.scalar.value, ev->data.scalar.length, loc);
        if (!n)
            return SCIM_ENOMEM;
        n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                    ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        *out = n;
        return 0;
    case YAML_ALIAS_EVENT:
        /* Refused, but a placeholder keeps the tree shape so parsing can go on. */
        sem_error(b, &loc, "aliases are not supported");
        *out = scim_scalar_new("", 0, loc);
        return *out ? 0 : SCIM_ENOMEM;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        if (depth >= SCIM__MAX_DEPTH)
            return scim_diag_error(b->d, &loc, "nesting deeper than %d levels is not supported",
                                   SCIM__MAX_DEPTH);
        n = scim_node_new(ev->type == YAML_MAPPING_START_EVENT ? SCIM_NODE_MAP : SCIM_NODE_SEQ, loc);
        if (!n)
            return SCIM_ENOMEM;
        rc = n->kind == SCIM_NODE_MAP ? parse_map(b, n, depth + 1) : parse_seq(b, n, depth + 1);
        if (rc < 0) {
            scim_node_free(n);
            return rc;
        }
        *out = n;
        return 0;
    default:
        return scim_diag_error(b->d, &loc, "unexpected YAML event %d", (int)ev->type);
    }
}

/* The stream: at most one document, whose node becomes *root (NULL if empty). */
static int parse_stream(struct builder *b, struct scim_node **root)
{
    int docs = 0;
    for (;;) {
        yaml_event_t ev;
        int rc = next_event(b, &ev);
        if (rc < 0)
            return rc;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            yaml_event_delete(&ev);
            return 0;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                struct scim_loc loc = mark_loc(b, ev.start_mark);
                yaml_event_delete(&ev);
                return scim_diag_error(b->d, &loc, "only one YAML document is supported");
            }
            break;
        case YAML_SCALAR_EVENT:
        case YAML_ALIAS_EVENT:
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            rc = parse_node(b, &ev, 0, root);
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (rc < 0)
            return rc;
    }
}

/* Parse text into *root with the builder's settings; on error *root is NULL. */
static int build(struct builder *b, const char *text, size_t len, struct scim_node **root)
{
    *root = NULL;
    b->text = text;
    b->len = len;
    if (!yaml_parser_initialize(&b->parser))
        return SCIM_ENOMEM;
    yaml_parser_set_input_string(&b->parser, (const unsigned char *)text, len);
    int rc = parse_stream(b, root);
    yaml_parser_delete(&b->parser);
    if (rc == 0 && b->errors)
        rc = SCIM_ECONFIG;
    if (rc < 0) {
        scim_node_free(*root);
        *root = NULL;
    }
    return rc;
}

/* ---- documents ---- */

int scim_doc_load_string(struct scim_doc *doc, const char *text, size_t len, const char *name,
                         struct scim_diag *d)
{
    memset(doc, 0, sizeof(*doc));
    if (!name)
        name = "<string>";
    if (!text && len)
        return SCIM_EINVAL;
    int rc = scim_doc_init(doc, name, len, d);
    if (rc < 0)
        return rc;
    struct builder b = {.d = d, .file = doc->file};
    rc = build(&b, text ? text : "", len, &doc->root);
    if (rc < 0)
        scim_doc_free(doc);
    return rc;
}

int scim_doc_load_file(struct scim_doc *doc, const char *path, struct scim_diag *d)
{
    return scim_doc_load_file_with(doc, path, scim_doc_load_string, d);
}

/* ---- overrides ---- */

/* Keep a location string alive as long as the doc. */
static const char *doc_keep(struct scim_doc *doc, const char *s)
{
    char **v = realloc(doc->extra_files, (doc->n_extra + 1) * sizeof(*v));
    if (!v)
        return NULL;
    doc->extra_files = v;
    if (!(v[doc->n_extra] = strdup(s)))
        return NULL;
    return v[doc->n_extra++];
}

/* A dotted path: non-empty components, at most SCIM__MAX_DEPTH of them. */
static int path_ok(const char *s, size_t len)
{
    size_t parts = 1;
    if (!len || s[0] == '.' || s[len - 1] == '.')
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '.' && (s[i + 1] == '.' || ++parts > SCIM__MAX_DEPTH))
            return 0;
    return 1;
}

/* Set key of map to val (replacing an old value). Takes ownership of val. */
static int map_put(struct scim_node *map, const char *key, size_t klen, struct scim_loc loc,
                   struct scim_node *val)
{
    for (size_t i = 0; i < map->n; i++) {
        if (strlen(map->keys[i]) == klen && !memcmp(map->keys[i], key, klen)) {
            scim_node_free(map->items[i]);
            map->items[i] = val;
            return 0;
        }
    }
    char *k = strndup(key, klen);
    if (!k || scim_node_reserve(map, NULL) < 0) {
        free(k);
        scim_node_free(val);
        return SCIM_ENOMEM;
    }
    map->keys[map->n] = k;
    map->key_locs[map->n] = loc;
    map->items[map->n++] = val;
    return 0;
}

/* The MAP for the component key[0..len) of map, created if missing. */
static struct scim_node *section_of(struct scim_node *map, const char *key, size_t len,
                                    struct scim_loc loc, int *rc)
{
    for (size_t i = 0; i < map->n; i++)
        if (strlen(map->keys[i]) == len && !memcmp(map->keys[i], key, len))
            return map->items[i];
    struct scim_node *n = scim_node_new(SCIM_NODE_MAP, loc);
    if (!n || (*rc = map_put(map, key, len, loc, n)) < 0) {
        *rc = SCIM_ENOMEM;
        return NULL;
    }
    return n;
}

/* Walk path (length plen) from the root, creating sections, and set its last key. */
static int set_path(struct scim_doc *doc, const char *path, size_t plen, struct scim_node *val,
                    struct scim_loc loc, struct scim_diag *d)
{
    int rc = 0;
    if (!doc->root && !(doc->root = scim_node_new(SCIM_NODE_MAP, loc)))
        rc = SCIM_ENOMEM;
    else if (doc->root->kind != SCIM_NODE_MAP)
        rc = scim_diag_error(d, &loc, "the document is not a mapping, cannot set '%.*s'", (int)plen,
                             path);
    struct scim_node *cur = doc->root;
    const char *p = path, *end = path + plen;
    while (rc == 0) {
        const char *dot = memchr(p, '.', (size_t)(end - p));
        if (!dot)
            return map_put(cur, p, (size_t)(end - p), loc, val);
        cur = section_of(cur, p, (size_t)(dot - p), loc, &rc);
        if (cur && cur->kind != SCIM_NODE_MAP)
            rc = scim_diag_error(d, &loc, "'%.*s' is not a section, cannot set '%.*s'",
                                 (int)(dot - path), path, (int)plen, path);
        p = dot + 1;
    }
    scim_node_free(val);
    return rc;
}

int scim_doc_override(struct scim_doc *doc, const char *assignment, unsigned index,
                      struct scim_diag *d)
{
    char name[64];
    snprintf(name, sizeof(name), "command line (-p #%u)", index);
    struct scim_loc loc = {name, 0, 0};
    return scim_doc_override_at(doc, assignment, &loc, &loc, d);
}

int scim_doc_override_at(struct scim_doc *doc, const char *assignment,
                         const struct scim_loc *key_loc, const struct scim_loc *val_loc,
                         struct scim_diag *d)
{
    struct scim_loc kloc = *key_loc, vloc = *val_loc;
    if (!(kloc.file = doc_keep(doc, key_loc->file ? key_loc->file : "<input>")) ||
        !(vloc.file = doc_keep(doc, val_loc->file ? val_loc->file : "<input>")))
        return SCIM_ENOMEM;
    const char *text = assignment ? assignment : "";
    const char *eq = strchr(text, '=');
    if (!eq || !path_ok(text, (size_t)(eq - text)))
        return scim_diag_error(d, &kloc, "-p expects key.path=value, got '%s'", text);
    struct builder b = {.d = d, .file = vloc.file, .fixed = &vloc, .what = eq + 1};
    struct scim_node *val;
    int rc = build(&b, eq + 1, strlen(eq + 1), &val);
    if (rc < 0)
        return rc;
    if (!val && !(val = scim_scalar_new("", 0, vloc)))
        return SCIM_ENOMEM;
    return set_path(doc, text, (size_t)(eq - text), val, kloc, d);
}
