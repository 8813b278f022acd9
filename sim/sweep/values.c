/*
 * values.c - an axis's values: the listed ones, or a linear / log range.
 */
#include "values.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/base/error.h"
#include "sim/base/fileio.h"
#include "sim/base/param.h"
#include "sim/base/units.h"

#define MAX_STEPS 100000

static const char *const range_keys[] = {"from", "to", "steps", NULL};

/* "key=\"text\"": a double-quoted YAML scalar reads back as exactly text. */
static char *assignment(const char *key, const char *text)
{
    size_t n = strlen(key) + 2 * strlen(text) + 4;
    char *s = malloc(n), *p = s;
    if (!s)
        return NULL;
    p += sprintf(p, "%s=\"", key);
    for (const char *t = text; *t; t++) {
        if (*t == '"' || *t == '\\')
            *p++ = '\\';
        *p++ = *t;
    }
    *p++ = '"';
    *p = '\0';
    return s;
}

static int set_value(struct scim_sweep_value *v, const char *key, const char *text, const char *dir,
                     const struct scim_loc *loc)
{
    int base = !strcmp(key, SCIM_SWEEP_BASE_KEY);
    v->assign = base ? scim_path_resolve(dir, text) : assignment(key, text);
    v->shown = strdup(text);
    v->loc = *loc;
    return v->assign && v->shown ? 0 : SCIM_ENOMEM;
}

int scim_sweep_value_scalar(struct scim_sweep_value *v, const char *key, const struct scim_node *n,
                            const char *dir, struct scim_diag *d)
{
    memset(v, 0, sizeof(*v));
    if (n->kind != SCIM_NODE_SCALAR)
        return scim_diag_error(d, &n->loc, "the value of '%s' must be a single value, not a %s",
                               key, n->kind == SCIM_NODE_SEQ ? "list" : "mapping");
    if (!strcmp(key, SCIM_SWEEP_BASE_KEY) && !n->scalar[0])
        return scim_diag_error(d, &n->loc, "a 'base' value is the path of a config file");
    return set_value(v, key, n->scalar, dir, &n->loc);
}

void scim_sweep_value_free(struct scim_sweep_value *v)
{
    free(v->assign);
    free(v->shown);
    memset(v, 0, sizeof(*v));
}

/* Value i of the list: item i itself (one key), or item i's element k (linked keys). */
static const struct scim_node *item_for(const struct scim_sweep_axis *ax,
                                        const struct scim_node *item, size_t k, struct scim_diag *d)
{
    if (ax->n_keys == 1)
        return item;
    if (item->kind != SCIM_NODE_SEQ || item->n != ax->n_keys) {
        if (k == 0)
            scim_diag_error(d, &item->loc,
                            "axis '%s' links %zu keys: each value is a list of %zu values",
                            ax->keys[0], ax->n_keys, ax->n_keys);
        return NULL;
    }
    return item->items[k];
}

int scim_sweep_values_list(struct scim_sweep_axis *ax, const struct scim_node *src, const char *dir,
                           struct scim_diag *d)
{
    if (src->kind != SCIM_NODE_SEQ || src->n == 0)
        return scim_diag_error(d, &src->loc, "axis '%s': 'values' expects a non-empty list",
                               ax->keys[0]);
    ax->values = calloc(src->n * ax->n_keys, sizeof(*ax->values));
    if (!ax->values)
        return SCIM_ENOMEM;
    ax->n_values = src->n;
    int rc = 0;
    for (size_t i = 0; i < src->n; i++)
        for (size_t k = 0; k < ax->n_keys; k++) {
            const struct scim_node *n = item_for(ax, src->items[i], k, d);
            int r =
                n ? scim_sweep_value_scalar(&ax->values[i * ax->n_keys + k], ax->keys[k], n, dir, d)
                  : SCIM_ECONFIG;
            if (r < 0 && rc != SCIM_ENOMEM)
                rc = r;
        }
    return rc;
}

/* ---- ranges ---- */

/* from/to of a range: a number with an optional unit. */
static int range_end(const struct scim_node *src, const char *key, const char *axis, double *v,
                     enum scim_dim *dim, struct scim_diag *d)
{
    struct scim_node *n = scim_node_get(src, key);
    char msg[256];
    if (n)
        n->consumed = 1;
    if (!n)
        return scim_diag_error(d, &src->loc, "axis '%s': a range needs 'from', 'to' and 'steps'",
                               axis);
    if (n->kind != SCIM_NODE_SCALAR || scim_unit_parse_any(n->scalar, v, dim, msg, sizeof(msg)) < 0)
        return scim_diag_error(d, &n->loc, "axis '%s': '%s': %s", axis, key,
                               n->kind == SCIM_NODE_SCALAR ? msg : "expected a number");
    return 0;
}

static int range_steps(const struct scim_node *src, const char *axis, long *steps,
                       struct scim_diag *d)
{
    struct scim_node *n = scim_node_get(src, "steps");
    if (n)
        n->consumed = 1;
    if (!n)
        return scim_diag_error(d, &src->loc, "axis '%s': a range needs 'from', 'to' and 'steps'",
                               axis);
    char *end = NULL;
    *steps = n->kind == SCIM_NODE_SCALAR ? strtol(n->scalar, &end, 10) : 0;
    if (!end || *end || end == n->scalar || *steps < 2 || *steps > MAX_STEPS)
        return scim_diag_error(d, &n->loc,
                               "axis '%s': 'steps' must be an integer from 2 to %d, got '%s'", axis,
                               MAX_STEPS, n->kind == SCIM_NODE_SCALAR ? n->scalar : "a list");
    return 0;
}

/* v with the unit of dim and 6 significant digits; whole plain numbers as integers. */
static void format_value(double v, enum scim_dim dim, char *buf, size_t len)
{
    if (dim != SCIM_DIM_NONE)
        scim_unit_format(v, dim, 6, buf, len);
    else if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, len, "%.0f", v);
    else
        snprintf(buf, len, "%.6g", v);
}

/* Value i of steps from a to b, the ends exact. */
static double range_at(double a, double b, long i, long steps, int log)
{
    if (i == 0)
        return a;
    if (i == steps - 1)
        return b;
    double f = (double)i / (double)(steps - 1);
    return log ? a * pow(b / a, f) : a + (b - a) * f;
}

static int range_fill(struct scim_sweep_axis *ax, const struct scim_node *src, double a, double b,
                      enum scim_dim dim, long steps, int log)
{
    ax->values = calloc((size_t)steps, sizeof(*ax->values));
    if (!ax->values)
        return SCIM_ENOMEM;
    ax->n_values = (size_t)steps;
    for (long i = 0; i < steps; i++) {
        char buf[64];
        format_value(range_at(a, b, i, steps, log), dim, buf, sizeof(buf));
        if (set_value(&ax->values[i], ax->keys[0], buf, NULL, &src->loc) < 0)
            return SCIM_ENOMEM;
    }
    return 0;
}

int scim_sweep_values_range(struct scim_sweep_axis *ax, const struct scim_node *src, int log,
                            struct scim_diag *d)
{
    const char *axis = ax->keys[0], *what = log ? "log" : "range";
    if (src->kind != SCIM_NODE_MAP)
        return scim_diag_error(d, &src->loc, "axis '%s': '%s' expects {from, to, steps}", axis,
                               what);
    unsigned before = d->errors;
    double a = 0, b = 0;
    enum scim_dim da = SCIM_DIM_NONE, db = SCIM_DIM_NONE;
    long steps = 0;
    int rc = range_end(src, "from", axis, &a, &da, d);
    rc |= range_end(src, "to", axis, &b, &db, d);
    rc |= range_steps(src, axis, &steps, d);
    scim_params_unknown(src, what, range_keys, NULL, d);
    if (rc == 0 && da != db)
        return scim_diag_error(d, &scim_node_get(src, "to")->loc,
                               "axis '%s': 'from' and 'to' have different units", axis);
    if (rc == 0 && log && (a <= 0 || b <= 0))
        return scim_diag_error(d, &src->loc, "axis '%s': a log range needs from > 0 and to > 0",
                               axis);
    if (rc != 0 || d->errors > before)
        return SCIM_ECONFIG;
    return range_fill(ax, src, a, b, da, steps, log);
}
