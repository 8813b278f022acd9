/*
 * model.c - load a model manifest (YAML) and its safetensors, check and chain every shape.
 *
 * The manifest is validated key by key straight from the located YAML tree, so
 * each problem is reported at its own line:col and all of them are reported
 * in one go: wrong types, out-of-range numbers, unknown keys (with a "did you
 * mean"), missing required keys, layer shapes that do not chain. Only a clean
 * manifest goes on to the tensor file, which must hold exactly the tensors the
 * layers imply, with the implied dtypes and shapes; weights must be -1 or +1 and
 * real-valued parameters finite. docs/model-format.md is the contract.
 */
#include "model.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/base/error.h"
#include "sim/base/suggest.h"
#include "sim/base/yaml_dom.h"
#include "safetensors.h"

#define MODEL_MAX_DIM 1000000LL        /* any single layer dimension */
#define MODEL_MAX_PRODUCT (1ULL << 31) /* fan_in * outputs, and activations per layer */
#define MODEL_DEFAULT_BN_EPS 1e-5      /* PyTorch's BatchNorm default */

static const char *const top_keys[] = {"format",  "version",    "name",  "topology", "method",
                                       "classes", "dataset",    "input", "tensors",  "bn_eps",
                                       "layers",  "provenance", "test_vector", NULL};
static const char *const input_keys[] = {"channels", "height", "width", "encoding", NULL};
static const char *const conv_keys[] = {
    "name",          "kind",       "out_channels", "kernel",        "stride",
    "padding",       "pool",       "activation",   "dropout_p",     "norm",
    "scale_samples", "scale_bits", "residual",     "residual_gain", NULL};
static const char *const linear_keys[] = {
    "name",          "kind",       "out_features", "activation",    "dropout_p", "norm",
    "scale_samples", "scale_bits", "residual",     "residual_gain", NULL};
static const char *const layer_keys[] = {
    "name",       "kind",      "out_channels",  "out_features",
    "kernel",     "stride",    "padding",       "pool",
    "activation", "dropout_p", "norm",          "scale_samples",
    "scale_bits", "residual",  "residual_gain", NULL};
static const char *const norms[] = {"batch", "layer", NULL};
static const char *const pool_keys[] = {"kind", "size", NULL};

/* enum scim_method order */
static const char *const methods[] = {"bnn",    "scale_dropout",  "spindrop", "spatial_spindrop",
                                      "affine_dropout", "subset", NULL};
static const char *const datasets[] = {"mnist", "fashion-mnist", NULL};
static const char *const encodings[] = {"bitserial8", "binary", NULL}; /* enum order - 1 */
static const char *const kinds[] = {"conv", "linear", NULL};           /* enum order - 1 */
static const char *const pool_kinds[] = {"max", "avg", NULL};          /* enum order - 1 */
static const char *const activations[] = {"sign", "none", NULL};

/* ---- messages ---- */

static int in_list(const char *word, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(word, list[i]) == 0)
            return (int)i;
    return -1;
}

/* "a, b, c" into buf */
static const char *join_list(const char *const *list, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; list[i] && used < len; i++) {
        int k = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", list[i]);
        if (k < 0)
            break;
        used += (size_t)k;
    }
    return buf;
}

/* How a node looks in a message: 'text', a mapping or a list. */
static const char *describe(const struct scim_node *v, char *buf, size_t len)
{
    if (v->kind == SCIM_NODE_MAP)
        return "a mapping";
    if (v->kind == SCIM_NODE_SEQ)
        return "a list";
    snprintf(buf, len, "'%.60s%s'", v->scalar, strlen(v->scalar) > 60 ? "..." : "");
    return buf;
}

/* Qualified key name for messages: "key" or "section.key". */
static const char *qual(const char *section, const char *key, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s", section ? section : "", section ? "." : "", key);
    return buf;
}

/* ---- manifest fields ---- */

struct mload {
    struct scim_diag *d;
    struct scim_model *m;
    const struct scim_node **layer_nodes; /* n_layers of them */
    int *layer_ok;                        /* 1 if the layer's keys all parsed */
};

/* Report keys of map that are not in known (for a layer: keys of the other kind
 * are named as such). */
static void unknown_keys(struct mload *L, const struct scim_node *map, const char *section,
                         const char *const *known, const char *kind_name)
{
    for (size_t i = 0; i < map->n; i++) {
        const char *k = map->keys[i];
        if (in_list(k, known) >= 0)
            continue;
        if (kind_name && in_list(k, layer_keys) >= 0) {
            scim_diag_error(L->d, &map->key_locs[i], "key '%s' in %s does not apply to a %s layer",
                            k, section, kind_name);
            continue;
        }
        struct scim_suggest sg;
        scim_suggest_init(&sg, k);
        scim_suggest_add_list(&sg, known);
        scim_diag_error(L->d, &map->key_locs[i], "unknown key '%s'%s%s%s", k,
                        section ? " in " : "", section ? section : "", scim_suggest_hint(&sg));
    }
}

/* Value of key in map, marked consumed; NULL when absent (an error if required). */
static struct scim_node *field(struct mload *L, const struct scim_node *map, const char *section,
                               const char *key, int required)
{
    struct scim_node *v = scim_node_get(map, key);
    if (v)
        v->consumed = 1;
    else if (required)
        scim_diag_error(L->d, &map->loc, "missing required key '%s'%s%s", key,
                        section ? " in " : "", section ? section : "");
    return v;
}

/* A YAML scalar that is a plain decimal integer (huge values saturate). */
static int scalar_int(const struct scim_node *v, long long *out)
{
    if (v->kind != SCIM_NODE_SCALAR)
        return 0;
    const char *s = v->scalar;
    size_t start = (s[0] == '-' || s[0] == '+') ? 1 : 0, i = start;
    long long x = 0;
    for (; s[i] >= '0' && s[i] <= '9'; i++)
        x = x < LLONG_MAX / 10 ? x * 10 + (s[i] - '0') : LLONG_MAX;
    if (i == start || s[i])
        return 0;
    *out = s[0] == '-' ? -x : x;
    return 1;
}

/* Integer key in [min, max]; absent optional keys take dflt. Returns 0 or -1. */
static int get_int(struct mload *L, const struct scim_node *map, const char *section,
                   const char *key, int required, long long dflt, long long min, long long max,
                   int *out)
{
    struct scim_node *v = field(L, map, section, key, required);
    char q[96], got[80];
    long long x = dflt;
    if (!v) {
        *out = (int)dflt;
        return required ? -1 : 0;
    }
    if (!scalar_int(v, &x) || x < min) {
        scim_diag_error(L->d, &v->loc, "'%s' must be a %s integer, got %s",
                        qual(section, key, q, sizeof(q)), min > 0 ? "positive" : "non-negative",
                        describe(v, got, sizeof(got)));
        return -1;
    }
    if (x > max) {
        scim_diag_error(L->d, &v->loc, "'%s' is %s, over the limit of %lld",
                        qual(section, key, q, sizeof(q)), v->scalar, max);
        return -1;
    }
    *out = (int)x;
    return 0;
}

/* Finite number key in [lo, hi] (lo excluded when lo_open). */
static int get_num(struct mload *L, const struct scim_node *map, const char *section,
                   const char *key, int required, double dflt, double lo, int lo_open, double hi,
                   double *out)
{
    struct scim_node *v = field(L, map, section, key, required);
    char q[96], got[80], *end = NULL;
    *out = dflt;
    if (!v)
        return required ? -1 : 0;
    double x = v->kind == SCIM_NODE_SCALAR && v->scalar[0] ? strtod(v->scalar, &end) : NAN;
    if (!end || *end || !isfinite(x) || x < lo || (lo_open && x == lo) || x > hi) {
        char range[64];
        if (lo_open && isinf(hi))
            snprintf(range, sizeof(range), "a positive number");
        else
            snprintf(range, sizeof(range), "a number in [%g, %g]", lo, hi);
        scim_diag_error(L->d, &v->loc, "'%s' must be %s, got %s", qual(section, key, q, sizeof(q)),
                        range, describe(v, got, sizeof(got)));
        return -1;
    }
    *out = x;
    return 0;
}

/* Non-empty string key; *out points into the document. */
static int get_str(struct mload *L, const struct scim_node *map, const char *section,
                   const char *key, int required, const char **out)
{
    struct scim_node *v = field(L, map, section, key, required);
    char q[96], got[80];
    *out = NULL;
    if (!v)
        return required ? -1 : 0;
    if (v->kind != SCIM_NODE_SCALAR || !v->scalar[0]) {
        scim_diag_error(L->d, &v->loc, "'%s' must be a non-empty string, got %s",
                        qual(section, key, q, sizeof(q)),
                        v->kind == SCIM_NODE_SCALAR ? "''" : describe(v, got, sizeof(got)));
        return -1;
    }
    *out = v->scalar;
    return 0;
}

/* One of choices; *idx is its index. */
static int get_enum(struct mload *L, const struct scim_node *map, const char *section,
                    const char *key, const char *const *choices, int *idx)
{
    const char *s;
    if (get_str(L, map, section, key, 1, &s))
        return -1;
    if ((*idx = in_list(s, choices)) >= 0)
        return 0;
    struct scim_node *v = scim_node_get(map, key);
    char q[96], list[160];
    struct scim_suggest sg;
    scim_suggest_init(&sg, s);
    scim_suggest_add_list(&sg, choices);
    scim_diag_error(L->d, &v->loc, "'%s' must be one of %s, got '%.60s'%s",
                    qual(section, key, q, sizeof(q)), join_list(choices, list, sizeof(list)), s,
                    scim_suggest_hint(&sg));
    return -1;
}

/* Optional enum key: *idx keeps its value when the key is absent. */
static int get_enum_opt(struct mload *L, const struct scim_node *map, const char *section,
                        const char *key, const char *const *choices, int *idx)
{
    if (!scim_node_get(map, key))
        return 0;
    return get_enum(L, map, section, key, choices, idx);
}

static int want_map(struct mload *L, const struct scim_node *v, const char *what)
{
    char got[80];
    if (v->kind == SCIM_NODE_MAP)
        return 0;
    scim_diag_error(L->d, &v->loc, "'%s' must be a mapping, got %s", what,
                    describe(v, got, sizeof(got)));
    return -1;
}

/* ---- manifest sections ---- */

static int dup_str(char **dst, const char *src)
{
    if (!src)
        return 0;
    *dst = strdup(src);
    return *dst ? 0 : SCIM_ENOMEM;
}

static int parse_header_keys(struct mload *L, const struct scim_node *root)
{
    struct scim_model *m = L->m;
    const char *s;
    int bad = 0, version = 0, idx = 0;
    if (!get_str(L, root, NULL, "format", 1, &s) && strcmp(s, "spincim-model") != 0) {
        scim_diag_error(L->d, &scim_node_get(root, "format")->loc,
                        "'format' must be 'spincim-model', got '%.60s'", s);
        bad = 1;
    }
    if (!get_int(L, root, NULL, "version", 1, 0, 1, MODEL_MAX_DIM, &version) && version != 1) {
        scim_diag_error(L->d, &scim_node_get(root, "version")->loc,
                        "unsupported 'version' %d (this spincim reads version 1)", version);
        bad = 1;
    }
    bad |= get_str(L, root, NULL, "name", 1, &s) || dup_str(&m->name, s);
    bad |= get_str(L, root, NULL, "topology", 0, &s) || dup_str(&m->topology, s ? s : "");
    bad |= get_enum(L, root, NULL, "method", methods, &idx) || dup_str(&m->method, methods[idx]);
    m->method_id = (enum scim_method)(idx > 0 ? idx : 0);
    /* A synthetic dataset (random inputs of a shape, for energy and timing studies) is
     * named as in workloads/dataset.h; the shape is checked against `input` at run time. */
    const struct scim_node *dn = scim_node_get(root, "dataset");
    if (dn && dn->kind == SCIM_NODE_SCALAR && !strncmp(dn->scalar, "synthetic:", 10)) {
        scim_node_get(root, "dataset")->consumed = 1;
        bad |= dup_str(&m->dataset, dn->scalar);
    } else {
        bad |= get_enum(L, root, NULL, "dataset", datasets, &idx) ||
               dup_str(&m->dataset, datasets[idx]);
    }
    bad |= get_int(L, root, NULL, "classes", 1, 0, 1, MODEL_MAX_DIM, &m->classes);
    return bad ? -1 : 0;
}

static int parse_input(struct mload *L, const struct scim_node *root)
{
    struct scim_model *m = L->m;
    const struct scim_node *in = field(L, root, NULL, "input", 1);
    int bad = 0, enc = 0;
    if (!in || want_map(L, in, "input"))
        return -1;
    unknown_keys(L, in, "input", input_keys, NULL);
    bad |= get_int(L, in, "input", "channels", 1, 0, 1, MODEL_MAX_DIM, &m->in_c);
    bad |= get_int(L, in, "input", "height", 1, 0, 1, MODEL_MAX_DIM, &m->in_h);
    bad |= get_int(L, in, "input", "width", 1, 0, 1, MODEL_MAX_DIM, &m->in_w);
    bad |= get_enum(L, in, "input", "encoding", encodings, &enc);
    m->encoding = (enum scim_input_encoding)(enc + 1);
    return bad ? -1 : 0;
}

/* A block of metadata written by tools: every key must hold a single value (the
 * known keys are checked by the caller, any other may be a note or a version). */
static int scalar_items(struct mload *L, const struct scim_node *p, const char *section)
{
    int bad = 0;
    for (size_t i = 0; i < p->n; i++)
        if (p->items[i]->kind != SCIM_NODE_SCALAR)
            bad |= scim_diag_error(L->d, &p->items[i]->loc, "'%s.%s' must be a single value",
                                   section, p->keys[i]) != 0;
    return bad;
}

static int parse_provenance(struct mload *L, const struct scim_node *root)
{
    struct scim_model *m = L->m;
    const struct scim_node *p = field(L, root, NULL, "provenance", 0);
    const char *s;
    int bad = 0, epochs;
    double mc_acc;
    m->reported_accuracy = -1;
    if (!p)
        return 0;
    if (want_map(L, p, "provenance"))
        return -1;
    bad |= scalar_items(L, p, "provenance");
    bad |= get_num(L, p, "provenance", "mc_test_accuracy", 0, -1, 0, 0, 1, &mc_acc);
    bad |= get_str(L, p, "provenance", "command", 0, &s) || dup_str(&m->provenance_command, s);
    bad |= get_str(L, p, "provenance", "dataset", 0, &s);
    bad |= get_int(L, p, "provenance", "epochs", 0, 0, 0, MODEL_MAX_DIM, &epochs);
    bad |= get_num(L, p, "provenance", "test_accuracy", 0, -1, 0, 0, 1, &m->reported_accuracy);
    bad |= get_str(L, p, "provenance", "torch_version", 0, &s);
    bad |= get_str(L, p, "provenance", "date", 0, &s);
    return bad ? -1 : 0;
}

/* The Bayesian test vector's hyperparameters and provenance (tools/train/testvec.py);
 * its tensors are loaded with the others. */
static int parse_test_vector(struct mload *L, const struct scim_node *root)
{
    const struct scim_node *t = field(L, root, NULL, "test_vector", 0);
    const char *sec = "test_vector";
    double x;
    int bad = 0, k;
    if (!t)
        return 0;
    if (want_map(L, t, sec))
        return -1;
    bad |= scalar_items(L, t, sec);
    bad |= get_int(L, t, sec, "samples", 0, 0, 1, MODEL_MAX_DIM, &L->m->tv_samples);
    bad |= get_int(L, t, sec, "steps", 0, 0, 1, INT_MAX, &k);
    bad |= get_num(L, t, sec, "alpha", 0, 0, 0, 0, INFINITY, &x);
    bad |= get_num(L, t, sec, "prior_std", 0, 1, 0, 1, INFINITY, &x);
    return bad ? -1 : 0;
}

/* A layer name is a tensor prefix: 1-31 letters, digits, '_' or '-'. */
static int parse_layer_name(struct mload *L, const struct scim_node *ln, const char *sec,
                            struct scim_layer *ly)
{
    const char *s;
    if (get_str(L, ln, sec, "name", 1, &s))
        return -1;
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
    if (s[n] || n >= sizeof(ly->name)) {
        scim_diag_error(L->d, &scim_node_get(ln, "name")->loc,
                        "'%s.name' must be 1 to %zu letters, digits, '_' or '-', got '%.60s'", sec,
                        sizeof(ly->name) - 1, s);
        return -1;
    }
    memcpy(ly->name, s, n + 1);
    return 0;
}

static int parse_pool(struct mload *L, const struct scim_node *ln, const char *sec,
                      struct scim_layer *ly)
{
    const struct scim_node *p = field(L, ln, sec, "pool", 0);
    char psec[48];
    int kind = 0, bad = 0;
    ly->pool = SCIM_POOL_NONE;
    ly->pool_size = 1;
    if (!p)
        return 0;
    snprintf(psec, sizeof(psec), "%s.pool", sec);
    if (want_map(L, p, psec))
        return -1;
    unknown_keys(L, p, psec, pool_keys, NULL);
    bad |= get_enum(L, p, psec, "kind", pool_kinds, &kind);
    bad |= get_int(L, p, psec, "size", 1, 0, 1, MODEL_MAX_DIM, &ly->pool_size);
    ly->pool = (enum scim_pool_kind)(kind + 1);
    return bad ? -1 : 0;
}

static int parse_geometry(struct mload *L, const struct scim_node *ln, const char *sec,
                          struct scim_layer *ly)
{
    int bad = 0;
    if (ly->kind == SCIM_LAYER_CONV) {
        bad |= get_int(L, ln, sec, "out_channels", 1, 0, 1, MODEL_MAX_DIM, &ly->out_c);
        bad |= get_int(L, ln, sec, "kernel", 1, 0, 1, MODEL_MAX_DIM, &ly->kernel);
        bad |= get_int(L, ln, sec, "stride", 0, 1, 1, MODEL_MAX_DIM, &ly->stride);
        bad |= get_int(L, ln, sec, "padding", 0, 0, 0, MODEL_MAX_DIM, &ly->padding);
        bad |= parse_pool(L, ln, sec, ly);
    } else {
        bad |= get_int(L, ln, sec, "out_features", 1, 0, 1, MODEL_MAX_DIM, &ly->out_c);
        ly->kernel = ly->stride = 1;
        ly->padding = 0;
        ly->pool = SCIM_POOL_NONE;
        ly->pool_size = 1;
    }
    return bad;
}

static int parse_layer(struct mload *L, const struct scim_node *ln, int i, struct scim_layer *ly)
{
    char sec[32];
    int bad = 0, kind = -1, act = 0;
    snprintf(sec, sizeof(sec), "layers[%d]", i);
    if (want_map(L, ln, sec))
        return -1;
    /* the kind decides which keys are valid, so read it first */
    const struct scim_node *kn = scim_node_get(ln, "kind");
    if (!kn || kn->kind != SCIM_NODE_SCALAR || in_list(kn->scalar, kinds) < 0)
        unknown_keys(L, ln, sec, layer_keys, NULL);
    else
        unknown_keys(L, ln, sec, in_list(kn->scalar, kinds) == 0 ? conv_keys : linear_keys,
                     kn->scalar);
    bad |= parse_layer_name(L, ln, sec, ly);
    if (get_enum(L, ln, sec, "kind", kinds, &kind))
        bad = 1;
    else
        ly->kind = (enum scim_layer_kind)(kind + 1);
    if (kind >= 0)
        bad |= parse_geometry(L, ln, sec, ly);
    bad |= get_enum(L, ln, sec, "activation", activations, &act);
    ly->sign_out = act == 0;
    bad |= get_num(L, ln, sec, "dropout_p", 0, 0, 0, 0, 1, &ly->dropout_p);
    int norm = 0;
    bad |= get_enum_opt(L, ln, sec, "norm", norms, &norm);
    ly->norm_layer = norm == 1;
    bad |= get_int(L, ln, sec, "scale_samples", 0, 0, 0, 1 << 16, &ly->n_scale_samples);
    bad |= get_int(L, ln, sec, "scale_bits", 0, 0, 0, 32, &ly->scale_bits);
    const char *res; /* resolved by check_residual once every layer is known */
    bad |= get_str(L, ln, sec, "residual", 0, &res);
    bad |= get_num(L, ln, sec, "residual_gain", 0, 1.0, 0, 1, INFINITY, &ly->residual_gain);
    ly->residual = -1;
    return bad ? -1 : 0;
}

static int parse_layers(struct mload *L, const struct scim_node *root)
{
    struct scim_model *m = L->m;
    const struct scim_node *ls = field(L, root, NULL, "layers", 1);
    char got[80];
    int bad = 0;
    if (!ls)
        return -1;
    if (ls->kind != SCIM_NODE_SEQ || ls->n == 0 || ls->n > 4096) {
        scim_diag_error(L->d, &ls->loc, "'layers' must be a list of 1 to 4096 layers, got %s",
                        ls->kind == SCIM_NODE_SEQ ? "an empty list"
                                                  : describe(ls, got, sizeof(got)));
        return -1;
    }
    m->layers = calloc(ls->n, sizeof(*m->layers));
    L->layer_nodes = calloc(ls->n, sizeof(*L->layer_nodes));
    L->layer_ok = calloc(ls->n, sizeof(*L->layer_ok));
    if (!m->layers || !L->layer_nodes || !L->layer_ok)
        return SCIM_ENOMEM;
    m->n_layers = (int)ls->n;
    for (int i = 0; i < m->n_layers; i++) {
        L->layer_nodes[i] = ls->items[i];
        ls->items[i]->consumed = 1;
        L->layer_ok[i] = parse_layer(L, ls->items[i], i, &m->layers[i]) == 0;
        bad |= !L->layer_ok[i];
        for (int j = 0; j < i && L->layer_ok[i]; j++)
            if (L->layer_ok[j] && strcmp(m->layers[j].name, m->layers[i].name) == 0) {
                scim_diag_error(L->d, &scim_node_get(ls->items[i], "name")->loc,
                                "layer name '%s' is already used by layers[%d]", m->layers[i].name,
                                j);
                bad = 1;
            }
    }
    return bad ? -1 : 0;
}

/* ---- shape chaining ---- */

/* Conv geometry: output and pooled size of one spatial axis. */
static int conv_axis(struct mload *L, int i, const char *axis, int in, int *out, int *pooled)
{
    const struct scim_layer *ly = &L->m->layers[i];
    long long span = (long long)in + 2LL * ly->padding - ly->kernel;
    if (span < 0) {
        scim_diag_error(L->d, &L->layer_nodes[i]->loc,
                        "layer '%s': kernel %d does not fit the input %s %d with padding %d",
                        ly->name, ly->kernel, axis, in, ly->padding);
        return -1;
    }
    long long o = span / ly->stride + 1;
    if (o > MODEL_MAX_DIM || o / ly->pool_size < 1) {
        scim_diag_error(L->d, &L->layer_nodes[i]->loc, "layer '%s': output %s %lld %s", ly->name,
                        axis, o,
                        o > MODEL_MAX_DIM ? "is over the limit of 1000000"
                                          : "is smaller than the pooling size");
        return -1;
    }
    *out = (int)o;
    *pooled = (int)(o / ly->pool_size);
    return 0;
}

/* Fill the input/output shapes of layer i from the shape (c, h, w) before it. */
static int chain_layer(struct mload *L, int i, int c, int h, int w, int after_linear)
{
    struct scim_layer *ly = &L->m->layers[i];
    const struct scim_loc *loc = &L->layer_nodes[i]->loc;
    uint64_t feats = (uint64_t)c * (uint64_t)h * (uint64_t)w;
    if (ly->kind == SCIM_LAYER_CONV) {
        if (after_linear)
            return scim_diag_error(
                L->d, loc, "layer '%s': a conv layer cannot follow a linear layer", ly->name);
        ly->in_c = c;
        ly->in_h = h;
        ly->in_w = w;
        if (conv_axis(L, i, "height", h, &ly->out_h, &ly->pooled_h) ||
            conv_axis(L, i, "width", w, &ly->out_w, &ly->pooled_w))
            return -1;
        feats = (uint64_t)c * (uint64_t)ly->kernel * (uint64_t)ly->kernel;
    } else {
        if (feats > (uint64_t)MODEL_MAX_DIM)
            return scim_diag_error(L->d, loc,
                                   "layer '%s': %llu input features are over the limit of 1000000",
                                   ly->name, (unsigned long long)feats);
        ly->in_c = (int)feats;
        ly->in_h = ly->in_w = 1;
        ly->out_h = ly->out_w = ly->pooled_h = ly->pooled_w = 1;
    }
    uint64_t outs = (uint64_t)ly->out_c * (uint64_t)ly->out_h * (uint64_t)ly->out_w;
    if (feats > MODEL_MAX_PRODUCT || feats * (uint64_t)ly->out_c > MODEL_MAX_PRODUCT)
        return scim_diag_error(L->d, loc,
                               "layer '%s' is too large: fan-in %llu times %d outputs is over "
                               "the limit of 2^31 weights",
                               ly->name, (unsigned long long)feats, ly->out_c);
    if (outs > MODEL_MAX_PRODUCT)
        return scim_diag_error(L->d, loc,
                               "layer '%s' is too large: %llu outputs are over the limit of 2^31",
                               ly->name, (unsigned long long)outs);
    ly->fan_in = (int)feats;
    return 0;
}

static int chain_shapes(struct mload *L)
{
    struct scim_model *m = L->m;
    int c = m->in_c, h = m->in_h, w = m->in_w;
    for (int i = 0; i < m->n_layers; i++) {
        struct scim_layer *ly = &m->layers[i];
        if (!L->layer_ok[i] ||
            chain_layer(L, i, c, h, w, i > 0 && m->layers[i - 1].kind == SCIM_LAYER_LINEAR))
            return -1;
        c = ly->out_c;
        h = ly->pooled_h;
        w = ly->pooled_w;
    }
    return 0;
}

/* Hidden layers end in sign, the last one in logits matching classes. */
static int check_roles(struct mload *L)
{
    struct scim_model *m = L->m;
    int bad = 0, last = m->n_layers - 1;
    for (int i = 0; i < m->n_layers; i++) {
        struct scim_layer *ly = &m->layers[i];
        const struct scim_loc *loc = &L->layer_nodes[i]->loc;
        if (!L->layer_ok[i])
            continue;
        if (i < last && !ly->sign_out)
            bad = scim_diag_error(L->d, loc,
                                  "layer '%s': only the last layer may have "
                                  "activation 'none'",
                                  ly->name);
        if (i == last && ly->sign_out)
            bad = scim_diag_error(L->d, loc,
                                  "the last layer '%s' must have activation 'none' "
                                  "(its outputs are the logits)",
                                  ly->name);
        if (i == last && ly->pool != SCIM_POOL_NONE)
            bad = scim_diag_error(L->d, loc, "the last layer '%s' cannot have pooling", ly->name);
        ly->input_scale = i == 0 && m->encoding == SCIM_INPUT_BITSERIAL8 ? 1.0 / 255.0 : 1.0;
    }
    return bad ? -1 : 0;
}

/* The per-layer keys a method needs: inverted normalization for affine dropout,
 * N >= 2 stored scale vectors (a power of two: log2 N random bits pick one) for
 * subset-parameter inference, neither for the others. */
static int check_method(struct mload *L)
{
    struct scim_model *m = L->m;
    int affine = m->method_id == SCIM_METHOD_AFFINE_DROPOUT;
    int subset = m->method_id == SCIM_METHOD_SUBSET, bad = 0;
    for (int i = 0; i < m->n_layers; i++) {
        struct scim_layer *ly = &m->layers[i];
        const struct scim_loc *loc = &L->layer_nodes[i]->loc;
        int n = ly->n_scale_samples;
        if (ly->norm_layer != affine)
            bad = scim_diag_error(L->d, loc, "layer '%s': method '%s' %s 'norm: layer'", ly->name,
                                  m->method, affine ? "needs" : "does not use");
        if (subset && (n < 2 || (n & (n - 1))))
            bad = scim_diag_error(L->d, loc,
                                  "layer '%s': method 'subset' needs 'scale_samples' = a power of "
                                  "two >= 2, got %d",
                                  ly->name, n);
        if (!subset && n)
            bad = scim_diag_error(L->d, loc, "layer '%s': 'scale_samples' is only for method "
                                  "'subset'", ly->name);
    }
    return bad ? -1 : 0;
}

/* A residual connection names an earlier layer whose output fits the layer's MVM
 * outputs: the same height and width divided by one integer stride, no more channels
 * (model.h); only hidden layers have one. */
static int check_residual(struct mload *L, int i)
{
    struct scim_model *m = L->m;
    struct scim_layer *ly = &m->layers[i];
    const struct scim_node *rn = scim_node_get(L->layer_nodes[i], "residual");
    const struct scim_node *gn = scim_node_get(L->layer_nodes[i], "residual_gain");
    if (!rn)
        return gn ? scim_diag_error(L->d, &gn->loc, "layer '%s': 'residual_gain' needs 'residual'",
                                    ly->name)
                  : 0;
    if (i == m->n_layers - 1)
        return scim_diag_error(L->d, &rn->loc,
                               "the last layer '%s' cannot have a residual connection (its "
                               "outputs are the logits)",
                               ly->name);
    int k = 0;
    while (k < m->n_layers && strcmp(m->layers[k].name, rn->scalar) != 0)
        k++;
    if (k == m->n_layers)
        return scim_diag_error(L->d, &rn->loc,
                               "layer '%s': residual source '%.60s' is not a layer "
                               "of the model",
                               ly->name, rn->scalar);
    if (k >= i)
        return scim_diag_error(L->d, &rn->loc,
                               "layer '%s': residual source '%s' must be an earlier layer",
                               ly->name, rn->scalar);
    const struct scim_layer *src = &m->layers[k];
    int st = src->pooled_h / ly->out_h;
    if (src->pooled_h != st * ly->out_h || src->pooled_w != st * ly->out_w)
        return scim_diag_error(L->d, &rn->loc,
                               "layer '%s': the output of residual source '%s' is %dx%d, not "
                               "this layer's %dx%d outputs times one integer stride",
                               ly->name, src->name, src->pooled_h, src->pooled_w, ly->out_h,
                               ly->out_w);
    if (src->out_c > ly->out_c)
        return scim_diag_error(L->d, &rn->loc,
                               "layer '%s': residual source '%s' has %d channels, more than "
                               "this layer's %d",
                               ly->name, src->name, src->out_c, ly->out_c);
    ly->residual = k;
    return 0;
}

static int check_residuals(struct mload *L)
{
    int bad = 0;
    for (int i = 0; i < L->m->n_layers; i++)
        bad |= check_residual(L, i) != 0;
    return bad ? -1 : 0;
}

static int check_classes(struct mload *L)
{
    struct scim_model *m = L->m;
    const struct scim_layer *ly = &m->layers[m->n_layers - 1];
    long long outs = (long long)ly->out_c * ly->pooled_h * ly->pooled_w;
    if (outs == m->classes)
        return 0;
    return scim_diag_error(L->d, &L->layer_nodes[m->n_layers - 1]->loc,
                           "the last layer '%s' has %lld outputs, but 'classes' is %d", ly->name,
                           outs, m->classes);
}

static int parse_manifest(struct mload *L, const struct scim_doc *doc, double *bn_eps,
                          const char **tensors)
{
    const struct scim_node *root = doc->root;
    char got[80];
    if (!root || root->kind != SCIM_NODE_MAP) {
        struct scim_loc loc = {doc->file, root ? root->loc.line : 0, root ? root->loc.col : 0};
        return scim_diag_error(L->d, &loc, "a model manifest must be a mapping, got %s",
                               root ? describe(root, got, sizeof(got)) : "an empty file");
    }
    unsigned before = L->d->errors;
    unknown_keys(L, root, NULL, top_keys, NULL);
    parse_header_keys(L, root);
    parse_input(L, root);
    get_str(L, root, NULL, "tensors", 1, tensors);
    get_num(L, root, NULL, "bn_eps", 0, MODEL_DEFAULT_BN_EPS, 0, 1, INFINITY, bn_eps);
    int rc = parse_layers(L, root);
    if (rc == SCIM_ENOMEM)
        return rc;
    parse_provenance(L, root);
    parse_test_vector(L, root);
    if (L->d->errors == before && !chain_shapes(L)) {
        check_roles(L);
        check_method(L);
        check_classes(L);
        check_residuals(L);
    }
    return L->d->errors == before ? 0 : SCIM_ECONFIG;
}

/* ---- tensors ---- */

struct tload {
    const struct scim_safetensors *st;
    struct scim_diag *d;
    unsigned char *used; /* per tensor of st */
    int bad;
};

/* Tensor "<layer>.<suffix>" with the implied dtype and shape, or NULL (reported
 * unless optional and absent). */
static const struct scim_st_tensor *want(struct tload *T, const struct scim_layer *ly,
                                         const char *suffix, enum scim_st_dtype dtype, int ndim,
                                         const uint64_t *shape, int required)
{
    char name[64], have[160], imply[160];
    snprintf(name, sizeof(name), "%s.%s", ly->name, suffix);
    const struct scim_st_tensor *t = scim_st_find(T->st, name);
    if (!t) {
        if (required)
            T->bad = scim_diag_file_error(T->d, T->st->path, SCIM_EFORMAT,
                                          "tensor '%s' is missing (layer '%s' needs it)", name,
                                          ly->name);
        return NULL;
    }
    T->used[t - T->st->t] = 1;
    if (t->dtype != dtype) {
        T->bad = scim_diag_file_error(T->d, T->st->path, SCIM_EFORMAT,
                                      "tensor '%s' has dtype %s, expected %s", name,
                                      scim_st_dtype_name(t->dtype), scim_st_dtype_name(dtype));
        return NULL;
    }
    int same = t->ndim == ndim;
    for (int i = 0; same && i < ndim; i++)
        same = t->shape[i] == shape[i];
    if (!same) {
        T->bad = scim_diag_file_error(T->d, T->st->path, SCIM_EFORMAT,
                                      "tensor '%s' has shape %s, the manifest implies %s", name,
                                      scim_st_format_shape(t->ndim, t->shape, have, sizeof(have)),
                                      scim_st_format_shape(ndim, shape, imply, sizeof(imply)));
        return NULL;
    }
    return t;
}

/* "[a, b, c, d]" index of flat element k of a tensor. */
static void unflatten(const struct scim_st_tensor *t, uint64_t k, char *buf, size_t len)
{
    uint64_t idx[SCIM_ST_MAX_DIMS];
    for (int i = t->ndim - 1; i >= 0; i--) {
        idx[i] = t->shape[i] ? k % t->shape[i] : 0;
        k = t->shape[i] ? k / t->shape[i] : 0;
    }
    scim_st_format_shape(t->ndim, idx, buf, len);
}

static int load_weight(struct tload *T, struct scim_layer *ly)
{
    uint64_t shape[4] = {(uint64_t)ly->out_c, (uint64_t)ly->in_c, (uint64_t)ly->kernel,
                         (uint64_t)ly->kernel};
    if (ly->kind == SCIM_LAYER_LINEAR)
        shape[1] = (uint64_t)ly->fan_in;
    const struct scim_st_tensor *t =
        want(T, ly, "weight", SCIM_ST_I8, ly->kind == SCIM_LAYER_CONV ? 4 : 2, shape, 1);
    if (!t)
        return 0;
    size_t n = (size_t)ly->out_c * (size_t)ly->fan_in;
    if (!(ly->weight = malloc(n ? n : 1)))
        return SCIM_ENOMEM;
    if (scim_st_read_i8(T->st, t, t->ndim, t->shape, ly->weight, T->d)) {
        T->bad = SCIM_EFORMAT;
        return 0;
    }
    for (size_t k = 0; k < n; k++) {
        if (ly->weight[k] == 1 || ly->weight[k] == -1)
            continue;
        char at[160];
        unflatten(t, k, at, sizeof(at));
        T->bad = scim_diag_file_error(T->d, T->st->path, SCIM_EFORMAT,
                                      "tensor '%s' element %s (index %zu) is %d, expected -1 or +1",
                                      t->name, at, k, ly->weight[k]);
        break;
    }
    return 0;
}

/* A per-channel F32 vector; *out stays NULL when absent or broken. */
static int load_vec(struct tload *T, const struct scim_layer *ly, const char *suffix, int required,
                    double **out)
{
    const uint64_t shape[1] = {(uint64_t)ly->out_c};
    const struct scim_st_tensor *t = want(T, ly, suffix, SCIM_ST_F32, 1, shape, required);
    if (!t)
        return 0;
    double *v = malloc((size_t)ly->out_c * sizeof(*v));
    if (!v)
        return SCIM_ENOMEM;
    if (scim_st_read_f64(T->st, t, 1, shape, v, T->d)) {
        free(v);
        T->bad = SCIM_EFORMAT;
        return 0;
    }
    for (int k = 0; k < ly->out_c; k++) {
        if (isfinite(v[k]) && !(strcmp(suffix, "bn.var") == 0 && v[k] < 0))
            continue;
        T->bad = scim_diag_file_error(
            T->d, T->st->path, SCIM_EFORMAT, "tensor '%s' element %d is %g, %s", t->name, k, v[k],
            isfinite(v[k]) ? "a variance cannot be negative" : "expected a finite number");
        free(v);
        return 0;
    }
    *out = v;
    return 0;
}

/* Batch norm: all four tensors or none. */
static int load_bn(struct tload *T, struct scim_layer *ly)
{
    static const char *const sfx[4] = {"bn.mean", "bn.var", "bn.weight", "bn.bias"};
    double **dst[4] = {&ly->bn_mean, &ly->bn_var, &ly->bn_gamma, &ly->bn_beta};
    char name[64], missing[160] = "";
    int present = 0;
    for (int k = 0; k < 4; k++) {
        snprintf(name, sizeof(name), "%s.%s", ly->name, sfx[k]);
        if (scim_st_find(T->st, name))
            present++;
        else
            snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s'%s'",
                     missing[0] ? ", " : "", name);
    }
    if (present == 0)
        return 0;
    if (present < 4) {
        T->bad = scim_diag_file_error(T->d, T->st->path, SCIM_EFORMAT,
                                      "layer '%s' has %d of the 4 batch-norm tensors, %s missing "
                                      "(all four or none)",
                                      ly->name, present, missing);
        for (int k = 0; k < 4; k++) { /* mark them used: they are reported here */
            snprintf(name, sizeof(name), "%s.%s", ly->name, sfx[k]);
            const struct scim_st_tensor *t = scim_st_find(T->st, name);
            if (t)
                T->used[t - T->st->t] = 1;
        }
        return 0;
    }
    for (int k = 0; k < 4; k++) {
        int rc = load_vec(T, ly, sfx[k], 1, dst[k]);
        if (rc)
            return rc;
    }
    ly->has_bn = ly->bn_mean && ly->bn_var && ly->bn_gamma && ly->bn_beta;
    return 0;
}

/* Subset-parameter inference: the N stored scale vectors, [N][out_c]. */
static int load_scale_samples(struct tload *T, struct scim_layer *ly)
{
    const uint64_t shape[2] = {(uint64_t)ly->n_scale_samples, (uint64_t)ly->out_c};
    const struct scim_st_tensor *t = want(T, ly, "scale_samples", SCIM_ST_F32, 2, shape, 1);
    if (!t)
        return 0;
    size_t n = (size_t)ly->n_scale_samples * (size_t)ly->out_c;
    ly->scale_samples = malloc(n * sizeof(double));
    if (!ly->scale_samples)
        return SCIM_ENOMEM;
    if (scim_st_read_f64(T->st, t, 2, shape, ly->scale_samples, T->d)) {
        free(ly->scale_samples);
        ly->scale_samples = NULL;
        T->bad = SCIM_EFORMAT;
    }
    return 0;
}

/* Inverted normalization: gamma and beta of the affine transform; the layer has no
 * learned scale (alpha = 1) and no batch norm. */
static int load_affine(struct tload *T, struct scim_layer *ly)
{
    int rc = load_vec(T, ly, "affine.weight", 1, &ly->affine_w);
    if (!rc)
        rc = load_vec(T, ly, "affine.bias", 1, &ly->affine_b);
    if (rc || ly->scale)
        return rc;
    ly->scale = malloc((size_t)ly->out_c * sizeof(double));
    if (!ly->scale)
        return SCIM_ENOMEM;
    for (int j = 0; j < ly->out_c; j++)
        ly->scale[j] = 1.0;
    return 0;
}

static int load_layer_tensors(struct tload *T, struct scim_layer *ly)
{
    int rc = load_weight(T, ly);
    if (!rc)
        rc = load_vec(T, ly, "scale", !ly->norm_layer, &ly->scale);
    if (!rc)
        rc = load_vec(T, ly, "bias", 0, &ly->bias);
    if (!rc && ly->norm_layer)
        rc = load_affine(T, ly);
    else if (!rc)
        rc = load_bn(T, ly);
    if (!rc && ly->n_scale_samples)
        rc = load_scale_samples(T, ly);
    return rc;
}

/* Tensor test_vector.<suffix> if it is F32 of the model's input shape [C, H, W]; else
 * NULL, reported at the manifest's `test_vector` key (loc). */
static const struct scim_st_tensor *tv_tensor(struct tload *T, const char *name,
                                              const uint64_t *shape, const struct scim_loc *loc)
{
    char have[160], imply[160];
    const struct scim_st_tensor *t = scim_st_find(T->st, name);
    int same = t && t->ndim == 3 && !memcmp(t->shape, shape, 3 * sizeof(*shape));
    if (t)
        T->used[t - T->st->t] = 1;
    if (!t)
        scim_diag_error(T->d, loc, "tensor '%s' is missing from %s (the manifest's 'test_vector' "
                        "needs it)", name, T->st->path);
    else if (t->dtype != SCIM_ST_F32)
        scim_diag_error(T->d, loc, "tensor '%s' has dtype %s, expected F32", name,
                        scim_st_dtype_name(t->dtype));
    else if (!same)
        scim_diag_error(T->d, loc, "tensor '%s' has shape %s, the model input is %s", name,
                        scim_st_format_shape(t->ndim, t->shape, have, sizeof(have)),
                        scim_st_format_shape(3, shape, imply, sizeof(imply)));
    if (!t || t->dtype != SCIM_ST_F32 || !same)
        return T->bad = SCIM_EFORMAT, NULL;
    return t;
}

/* test_vector.<suffix> into *out (finite values; problems reported at loc). */
static int load_tv_tensor(struct tload *T, const struct scim_model *m, const struct scim_loc *loc,
                          const char *suffix, double **out)
{
    const uint64_t shape[3] = {(uint64_t)m->in_c, (uint64_t)m->in_h, (uint64_t)m->in_w};
    char name[32], at[160];
    snprintf(name, sizeof(name), "test_vector.%s", suffix);
    const struct scim_st_tensor *t = tv_tensor(T, name, shape, loc);
    size_t n = (size_t)shape[0] * (size_t)shape[1] * (size_t)shape[2];
    if (!t)
        return 0;
    if (!(*out = malloc(n * sizeof(double))))
        return SCIM_ENOMEM;
    if (scim_st_read_f64(T->st, t, 3, shape, *out, T->d))
        return T->bad = SCIM_EFORMAT, 0;
    for (size_t k = 0; k < n; k++)
        if (!isfinite((*out)[k])) {
            unflatten(t, k, at, sizeof(at));
            scim_diag_error(T->d, loc, "tensor '%s' element %s (index %zu) is %g, expected a "
                            "finite number", name, at, k, (*out)[k]);
            return T->bad = SCIM_EFORMAT, 0;
        }
    return 0;
}

/* The test vector's mean and log variance, when the manifest has `test_vector` (at tv). */
static int load_test_vector(struct tload *T, struct scim_model *m, const struct scim_loc *tv)
{
    if (!tv)
        return 0;
    int rc = load_tv_tensor(T, m, tv, "mu", &m->tv_mu);
    return rc ? rc : load_tv_tensor(T, m, tv, "logvar", &m->tv_logvar);
}

static int load_tensors(struct scim_model *m, const struct scim_safetensors *st,
                        struct scim_diag *d, double bn_eps, const struct scim_loc *tv)
{
    struct tload T = {st, d, calloc(st->n ? st->n : 1, 1), 0};
    int rc = T.used ? 0 : SCIM_ENOMEM;
    for (int i = 0; i < m->n_layers && !rc; i++) {
        struct scim_layer *ly = &m->layers[i];
        ly->bn_eps = bn_eps;
        rc = load_layer_tensors(&T, ly);
    }
    if (!rc)
        rc = load_test_vector(&T, m, tv);
    for (size_t k = 0; k < st->n && !rc; k++)
        if (!T.used[k] && !strncmp(st->t[k].name, "test_vector.", 12))
            T.bad = scim_diag_file_error(d, st->path, SCIM_EFORMAT,
                                         "tensor '%s' needs a 'test_vector' block in the manifest",
                                         st->t[k].name);
        else if (!T.used[k])
            T.bad = scim_diag_file_error(d, st->path, SCIM_EFORMAT,
                                         "tensor '%s' does not belong to any layer of the manifest",
                                         st->t[k].name);
    free(T.used);
    return rc ? rc : T.bad ? SCIM_EFORMAT : 0;
}

/* ---- entry points ---- */

static char *resolve(const char *dir, const char *rel)
{
    if (rel[0] == '/' || !dir || !dir[0] || strcmp(dir, ".") == 0)
        return strdup(rel);
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, rel);
    return p;
}

static int load_all(struct scim_model *m, struct scim_doc *doc, const char *path,
                    struct scim_diag *d)
{
    struct mload L = {d, m, NULL, NULL};
    double bn_eps = MODEL_DEFAULT_BN_EPS;
    const char *tensors = NULL;
    struct scim_safetensors st;
    memset(&st, 0, sizeof(st));
    int rc = parse_manifest(&L, doc, &bn_eps, &tensors);
    free(L.layer_nodes);
    free(L.layer_ok);
    if (rc)
        return rc;
    if (!(m->manifest_path = strdup(path)) || !(m->tensors_path = resolve(doc->dir, tensors)))
        return scim_diag_file_error(d, path, SCIM_ENOMEM, "out of memory");
    long tv = scim_node_index(doc->root, "test_vector");
    rc = scim_st_open(&st, m->tensors_path, d);
    if (!rc)
        rc = load_tensors(m, &st, d, bn_eps, tv >= 0 ? &doc->root->key_locs[tv] : NULL);
    if (rc == SCIM_ENOMEM)
        scim_diag_file_error(d, m->tensors_path, rc, "out of memory");
    scim_st_close(&st);
    return rc;
}

int scim_model_load(struct scim_model *m, const char *manifest_path, struct scim_diag *d)
{
    struct scim_doc doc;
    memset(m, 0, sizeof(*m));
    m->reported_accuracy = -1;
    unsigned before = d->errors;
    int rc = scim_doc_load_file(&doc, manifest_path, d);
    if (rc) {
        if (d->errors == before)
            scim_diag_file_error(d, manifest_path, rc, "cannot load the manifest: %s",
                                 scim_strerror(rc));
        return rc;
    }
    rc = load_all(m, &doc, manifest_path, d);
    if (rc == SCIM_ENOMEM && d->errors == before)
        scim_diag_file_error(d, manifest_path, rc, "out of memory");
    scim_doc_free(&doc);
    if (rc)
        scim_model_free(m);
    return rc;
}

void scim_model_free(struct scim_model *m)
{
    for (int i = 0; m->layers && i < m->n_layers; i++) {
        struct scim_layer *ly = &m->layers[i];
        free(ly->weight);
        free(ly->scale);
        free(ly->bias);
        free(ly->bn_mean);
        free(ly->bn_var);
        free(ly->bn_gamma);
        free(ly->bn_beta);
        free(ly->affine_w);
        free(ly->affine_b);
        free(ly->scale_samples);
    }
    free(m->tv_mu);
    free(m->tv_logvar);
    free(m->layers);
    free(m->name);
    free(m->topology);
    free(m->method);
    free(m->dataset);
    free(m->provenance_command);
    free(m->manifest_path);
    free(m->tensors_path);
    memset(m, 0, sizeof(*m));
    m->reported_accuracy = -1;
}

uint64_t scim_model_weight_count(const struct scim_model *m)
{
    uint64_t n = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const struct scim_layer *ly = &m->layers[i];
        uint64_t c = (uint64_t)ly->out_c;
        n += c * (uint64_t)ly->fan_in + c; /* weights and scale */
        if (ly->bias)
            n += c;
        if (ly->has_bn)
            n += 4 * c;
    }
    return n;
}
