/*
 * spec.c - read a sweep file (spec.h): base, set, axes, combine, seeds,
 * engine. Every problem is reported at its place in the file and parsing goes on,
 * so one pass shows them all.
 */
#include "spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/base/error.h"
#include "sim/base/fileio.h"
#include "sim/base/param.h"
#include "values.h"

#define MAX_POINTS 1000000

static const char *const top_keys[] = {"base", "set", "axes", "combine", "seeds", "engine", NULL};
static const char *const axis_keys[] = {"key", "values", "range", "log", NULL};

/* The node of key in map, marked consumed, or NULL. */
static struct scim_node *take(const struct scim_node *map, const char *key)
{
    struct scim_node *n = map && map->kind == SCIM_NODE_MAP ? scim_node_get(map, key) : NULL;
    if (n)
        n->consumed = 1;
    return n;
}

static int read_base(struct scim_sweep_spec *sp, struct scim_diag *d)
{
    struct scim_node *n = take(sp->doc.root, "base");
    if (!n)
        return 0;
    sp->base_loc = n->loc;
    if (n->kind != SCIM_NODE_SCALAR || !n->scalar[0])
        return scim_diag_error(d, &n->loc, "'base' expects the path of a config file");
    sp->base = scim_path_resolve(sp->doc.dir, n->scalar);
    return sp->base ? 0 : SCIM_ENOMEM;
}

/* ---- set: ---- */

static int add_set(struct scim_sweep_spec *sp, const char *key, const struct scim_loc *kloc,
                   const struct scim_node *val, struct scim_diag *d)
{
    size_t n = sp->n_set + 1;
    char **k = realloc(sp->set_keys, n * sizeof(*k));
    if (k)
        sp->set_keys = k;
    struct scim_loc *l = realloc(sp->set_key_locs, n * sizeof(*l));
    if (l)
        sp->set_key_locs = l;
    struct scim_sweep_value *v = realloc(sp->set, n * sizeof(*v));
    if (v)
        sp->set = v;
    if (!k || !l || !v || !(k[sp->n_set] = strdup(key)))
        return SCIM_ENOMEM;
    l[sp->n_set] = *kloc;
    int rc = scim_sweep_value_scalar(&v[sp->n_set], key, val, sp->doc.dir, d);
    if (rc < 0) {
        free(k[sp->n_set]);
        return rc;
    }
    sp->n_set = n;
    return 0;
}

/* Every scalar under map, as a dotted key below prefix ("adc: {bits: 5}" = adc.bits). */
static int read_set_map(struct scim_sweep_spec *sp, const struct scim_node *map, const char *prefix,
                        struct scim_diag *d)
{
    for (size_t i = 0; i < map->n; i++) {
        char key[256];
        snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", map->keys[i]);
        const struct scim_node *v = map->items[i];
        int rc = v->kind == SCIM_NODE_MAP ? read_set_map(sp, v, key, d)
                                          : add_set(sp, key, &map->key_locs[i], v, d);
        if (rc == SCIM_ENOMEM)
            return rc;
    }
    return 0;
}

static int read_set(struct scim_sweep_spec *sp, struct scim_diag *d)
{
    struct scim_node *n = take(sp->doc.root, "set");
    if (!n)
        return 0;
    if (n->kind != SCIM_NODE_MAP)
        return scim_diag_error(d, &n->loc, "'set' expects a mapping of config keys to values");
    return read_set_map(sp, n, "", d);
}

/* ---- axes: ---- */

static int axis_keys_of(struct scim_sweep_axis *ax, const struct scim_node *kn, struct scim_diag *d)
{
    int list = kn->kind == SCIM_NODE_SEQ;
    size_t n = list ? kn->n : 1;
    if ((!list && kn->kind != SCIM_NODE_SCALAR) || n == 0)
        return scim_diag_error(d, &kn->loc, "an axis 'key' is a config key path or a list of them");
    ax->keys = calloc(n, sizeof(*ax->keys));
    ax->key_locs = calloc(n, sizeof(*ax->key_locs));
    if (!ax->keys || !ax->key_locs)
        return SCIM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct scim_node *k = list ? kn->items[i] : kn;
        if (k->kind != SCIM_NODE_SCALAR || !k->scalar[0])
            return scim_diag_error(d, &k->loc, "an axis key must be a config key path");
        if (!(ax->keys[i] = strdup(k->scalar)))
            return SCIM_ENOMEM;
        ax->key_locs[i] = k->loc;
        ax->n_keys = i + 1;
    }
    return 0;
}

/* The one of values / range / log the axis gives (error when none or several). */
static int axis_source(const struct scim_node *an, const char *name, struct scim_node **src,
                       int *kind, struct scim_diag *d)
{
    static const char *const kinds[] = {"values", "range", "log"};
    int found = 0;
    for (int k = 0; k < 3; k++) {
        struct scim_node *n = take(an, kinds[k]);
        if (n && found++ == 0)
            *src = n, *kind = k;
        else if (n)
            return scim_diag_error(d, &n->loc,
                                   "axis '%s': give one of 'values', 'range' or 'log', not "
                                   "several",
                                   name);
    }
    if (!found)
        return scim_diag_error(d, &an->loc, "axis '%s' needs 'values', 'range' or 'log'", name);
    return 0;
}

static int read_axis(struct scim_sweep_spec *sp, struct scim_sweep_axis *ax,
                     const struct scim_node *an, const char *where, struct scim_diag *d)
{
    if (an->kind != SCIM_NODE_MAP)
        return scim_diag_error(d, &an->loc,
                               "an axis is a mapping with 'key' and 'values', "
                               "'range' or 'log'");
    struct scim_node *kn = take(an, "key");
    int rc = kn ? axis_keys_of(ax, kn, d)
                : scim_diag_error(d, &an->loc, "an axis needs a 'key' (a config key path)");
    struct scim_node *src = NULL;
    int kind = 0;
    if (rc == 0)
        rc = axis_source(an, ax->keys[0], &src, &kind, d);
    scim_params_unknown(an, where, axis_keys, NULL, d);
    if (rc < 0)
        return rc;
    if (kind == 0)
        return scim_sweep_values_list(ax, src, sp->doc.dir, d);
    if (ax->n_keys != 1)
        return scim_diag_error(d, &src->loc, "a %s axis has one key; linked keys take 'values'",
                               kind == 1 ? "range" : "log");
    return scim_sweep_values_range(ax, src, kind == 2, d);
}

/* A key given twice (in two axes, or linked twice) would make points collapse. */
static void check_repeats(const struct scim_sweep_spec *sp, struct scim_diag *d)
{
    for (size_t a = 0; a < sp->n_axes; a++)
        for (size_t k = 0; k < sp->axes[a].n_keys; k++)
            for (size_t b = 0; b <= a; b++)
                for (size_t j = 0; j < (b == a ? k : sp->axes[b].n_keys); j++)
                    if (!strcmp(sp->axes[a].keys[k], sp->axes[b].keys[j]))
                        scim_diag_error(d, &sp->axes[a].key_locs[k],
                                        "axis key '%s' is already an axis (line %u)",
                                        sp->axes[a].keys[k], sp->axes[b].key_locs[j].line);
}

static int read_axes(struct scim_sweep_spec *sp, struct scim_diag *d)
{
    struct scim_node *n = take(sp->doc.root, "axes");
    if (!n)
        return scim_diag_error(d, &sp->doc.root->loc, "a sweep needs 'axes' (a list of axes)");
    if (n->kind != SCIM_NODE_SEQ || n->n == 0)
        return scim_diag_error(d, &n->loc, "'axes' expects a non-empty list of axes");
    sp->axes = calloc(n->n, sizeof(*sp->axes));
    if (!sp->axes)
        return SCIM_ENOMEM;
    sp->n_axes = n->n;
    for (size_t i = 0; i < n->n; i++) {
        char where[32];
        snprintf(where, sizeof(where), "axes[%zu]", i);
        n->items[i]->consumed = 1;
        if (read_axis(sp, &sp->axes[i], n->items[i], where, d) == SCIM_ENOMEM)
            return SCIM_ENOMEM;
    }
    check_repeats(sp, d);
    return 0;
}

/* ---- combine, seeds, engine ---- */

static int read_choice(const struct scim_node *root, const char *key, const char *a, const char *b,
                       int *out, struct scim_diag *d)
{
    struct scim_node *n = take(root, key);
    *out = 0;
    if (!n)
        return 0;
    if (n->kind == SCIM_NODE_SCALAR && (!strcmp(n->scalar, a) || !strcmp(n->scalar, b))) {
        *out = !strcmp(n->scalar, b);
        return 0;
    }
    return scim_diag_error(d, &n->loc, "'%s' must be %s or %s, got '%s'", key, a, b,
                           n->kind == SCIM_NODE_SCALAR ? n->scalar : "a list or mapping");
}

static int read_seeds(struct scim_sweep_spec *sp, struct scim_diag *d)
{
    struct scim_node *n = take(sp->doc.root, "seeds");
    if (!n)
        return 0;
    if (n->kind != SCIM_NODE_SEQ || n->n == 0)
        return scim_diag_error(d, &n->loc, "'seeds' expects a non-empty list of seeds");
    sp->seeds = calloc(n->n, sizeof(*sp->seeds));
    sp->seed_locs = calloc(n->n, sizeof(*sp->seed_locs));
    if (!sp->seeds || !sp->seed_locs)
        return SCIM_ENOMEM;
    sp->n_seeds = n->n;
    for (size_t i = 0; i < n->n; i++) {
        const struct scim_node *s = n->items[i];
        char *end = NULL;
        long long v = s->kind == SCIM_NODE_SCALAR ? strtoll(s->scalar, &end, 10) : -1;
        sp->seed_locs[i] = s->loc;
        if (!end || *end || end == s->scalar || v < 0)
            scim_diag_error(d, &s->loc, "a seed is a non-negative integer, got '%s'",
                            s->kind == SCIM_NODE_SCALAR ? s->scalar : "a list or mapping");
        sp->seeds[i] = v;
    }
    return 0;
}

/* Points the axes make: the product of their lengths, or their common length (zip). */
static void count_points(struct scim_sweep_spec *sp, struct scim_diag *d)
{
    size_t n = 1;
    for (size_t a = 0; a < sp->n_axes; a++) {
        size_t len = sp->axes[a].n_values;
        if (sp->zip && a > 0 && len != sp->axes[0].n_values)
            scim_diag_error(d, &sp->axes[a].key_locs[0],
                            "combine: zip needs axes of one length; '%s' has %zu values, '%s' "
                            "has %zu",
                            sp->axes[a].keys[0], len, sp->axes[0].keys[0], sp->axes[0].n_values);
        else if (!sp->zip && len && n > MAX_POINTS / len)
            n = MAX_POINTS + 1;
        else if (!sp->zip)
            n *= len;
        else
            n = len;
    }
    if (n > MAX_POINTS)
        scim_diag_error(d, &sp->doc.root->loc, "the axes make more than %d points", MAX_POINTS);
    sp->n_points = n;
}

static int check_base(const struct scim_sweep_spec *sp, struct scim_diag *d)
{
    for (size_t a = 0; a < sp->n_axes; a++)
        for (size_t k = 0; k < sp->axes[a].n_keys; k++)
            if (!strcmp(sp->axes[a].keys[k], SCIM_SWEEP_BASE_KEY))
                return 0;
    if (!sp->base)
        return scim_diag_error(d, &sp->doc.root->loc,
                               "a sweep needs 'base' (its config) or an axis over 'base'");
    return 0;
}

static int read_all(struct scim_sweep_spec *sp, struct scim_diag *d)
{
    int rc = read_base(sp, d);
    if (rc != SCIM_ENOMEM)
        rc = read_set(sp, d);
    if (rc != SCIM_ENOMEM)
        rc = read_axes(sp, d);
    if (rc != SCIM_ENOMEM)
        rc = read_choice(sp->doc.root, "combine", "product", "zip", &sp->zip, d);
    if (rc != SCIM_ENOMEM)
        rc = read_seeds(sp, d);
    if (rc != SCIM_ENOMEM)
        rc = read_choice(sp->doc.root, "engine", "functional", "systemc", &sp->systemc, d);
    if (rc == SCIM_ENOMEM)
        return rc;
    scim_params_unknown(sp->doc.root, "", top_keys, NULL, d);
    count_points(sp, d);
    return check_base(sp, d);
}

int scim_sweep_spec_load(struct scim_sweep_spec *sp, const char *path, struct scim_diag *d)
{
    memset(sp, 0, sizeof(*sp));
    unsigned before = d->errors;
    int rc = scim_doc_load_file(&sp->doc, path, d);
    if (rc == 0 && (!sp->doc.root || sp->doc.root->kind != SCIM_NODE_MAP))
        rc = scim_diag_error(d, sp->doc.root ? &sp->doc.root->loc : &(struct scim_loc){path, 0, 0},
                             "a sweep is a mapping with 'base' and 'axes'");
    if (rc == 0)
        rc = read_all(sp, d);
    if (rc == 0 && d->errors > before)
        rc = SCIM_ECONFIG;
    if (rc < 0)
        scim_sweep_spec_free(sp);
    return rc;
}

void scim_sweep_spec_free(struct scim_sweep_spec *sp)
{
    for (size_t a = 0; a < sp->n_axes; a++) {
        struct scim_sweep_axis *ax = &sp->axes[a];
        for (size_t v = 0; v < ax->n_values * ax->n_keys; v++)
            scim_sweep_value_free(&ax->values[v]);
        for (size_t k = 0; k < ax->n_keys; k++)
            free(ax->keys[k]);
        free(ax->values);
        free(ax->keys);
        free(ax->key_locs);
    }
    for (size_t i = 0; i < sp->n_set; i++) {
        scim_sweep_value_free(&sp->set[i]);
        free(sp->set_keys[i]);
    }
    free(sp->axes);
    free(sp->set);
    free(sp->set_keys);
    free(sp->set_key_locs);
    free(sp->seeds);
    free(sp->seed_locs);
    free(sp->base);
    scim_doc_free(&sp->doc);
    memset(sp, 0, sizeof(*sp));
}

size_t scim_sweep_value_index(const struct scim_sweep_spec *sp, size_t a, size_t p)
{
    if (sp->zip)
        return p;
    size_t stride = 1;
    for (size_t b = a + 1; b < sp->n_axes; b++)
        stride *= sp->axes[b].n_values;
    return (p / stride) % sp->axes[a].n_values;
}
