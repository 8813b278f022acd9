/*
 * model_layers.c - the manifest's list of layers: each layer's keys as the
 * parameter table of its kind, its pooling, its name; then the input and output
 * shape of every layer, chained from the model's input.
 *
 * A layer's `kind` decides which keys it may have, so it is read first: a key
 * of the other kind is reported as such ("does not apply to a linear layer"),
 * any other unknown key with a "did you mean" among the keys of its own kind.
 * A layer whose kind is missing or wrong still has its other keys checked.
 * Shapes are chained only when every key of the manifest is valid; a conv layer
 * gives (H + 2*padding - kernel) / stride + 1 outputs per axis, then
 * floor(H / size) after pooling; a linear layer reads the flattened activations.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_load.h"
#include "sim/base/error.h"

/* The keys of one layer (out_c is out_channels or out_features). */
struct layer_keys {
    char *name;
    int kind; /* enum scim_layer_kind - 1 */
    int64_t out_c, kernel, stride, padding;
    int activation; /* 0 sign, 1 none */
    double dropout_p;
    int norm; /* 0 batch, 1 layer */
    int64_t scale_samples, scale_bits;
    char *residual;
    double residual_gain;
};

#define LAYER(type, ...) ROW_##type(struct layer_keys, __VA_ARGS__)
#define LAYER_HEAD                                                                                 \
    LAYER(STR, "name", name, NULL, "layer name, also the prefix of its tensors"),                  \
        LAYER(ENUM, "kind", kind, "conv|linear", NULL, "layer kind")
#define LAYER_TAIL                                                                                 \
    LAYER(ENUM, "activation", activation, "sign|none", NULL,                                       \
          "sign for a hidden layer, none for the last (its outputs are the logits)"),              \
        LAYER(NUM, "dropout_p", dropout_p, 0, 1, "0",                                              \
              "dropout probability; its meaning depends on the method"),                           \
        LAYER(ENUM, "norm", norm, "batch|layer", "batch",                                          \
              "layer: inverted normalization (method affine_dropout)"),                            \
        LAYER(INT, "scale_samples", scale_samples, 0, 65536, "0",                                  \
              "stored scale vectors N (method subset)"),                                           \
        LAYER(INT, "scale_bits", scale_bits, 0, 32, "0", "bits of a stored scale (subset)"),       \
        LAYER(STR, "residual", residual, "", "earlier layer whose output this layer adds"),        \
        LAYER(NUM, "residual_gain", residual_gain, SCIM_P_ABOVE_ZERO, INFINITY, "1",               \
              "weight g of the residual connection")

static const struct scim_param conv_table[] = {
    LAYER_HEAD,
    LAYER(INT, "out_channels", out_c, 1, MODEL_MAX_DIM, NULL, "output channels"),
    LAYER(INT, "kernel", kernel, 1, MODEL_MAX_DIM, NULL, "kernel size K (K x K)"),
    LAYER(INT, "stride", stride, 1, MODEL_MAX_DIM, "1", "stride"),
    LAYER(INT, "padding", padding, 0, MODEL_MAX_DIM, "0", "zero padding on each side"),
    LAYER_TAIL,
    {0},
};
static const struct scim_param linear_table[] = {
    LAYER_HEAD,
    LAYER(INT, "out_features", out_c, 1, MODEL_MAX_DIM, NULL, "output features"),
    LAYER_TAIL,
    {0},
};
/* A layer whose kind is missing or wrong: the keys every kind has. */
static const struct scim_param any_table[] = {LAYER_HEAD, LAYER_TAIL, {0}};
#undef LAYER_HEAD
#undef LAYER_TAIL
#undef LAYER

struct pool_keys {
    int kind; /* enum scim_pool_kind - 1 */
    int64_t size;
};

static const struct scim_param pool_table[] = {
    ROW_ENUM(struct pool_keys, "kind", kind, "max|avg", NULL, "max or average pooling"),
    ROW_INT(struct pool_keys, "size", size, 1, MODEL_MAX_DIM, NULL, "pooling window = stride"),
    {0},
};

/* The keys of one layer kind only, and its sub-mappings. */
static const char *const kind_only_keys[] = {"out_channels", "kernel",       "stride", "padding",
                                             "pool",         "out_features", NULL};
static const char *const conv_sections[] = {"pool", NULL};

struct layer_kind {
    const char *name; /* "conv", "linear"; NULL: the kind is unknown */
    const struct scim_param *table;
    const char *const *skip; /* keys loaded apart (sub-mappings), or left alone */
};

/* In enum scim_layer_kind order. */
static const struct layer_kind kinds[] = {
    {"conv", conv_table, conv_sections},
    {"linear", linear_table, NULL},
};
static const struct layer_kind unknown_kind = {NULL, any_table, kind_only_keys};

/* ---- one layer ---- */

static int in_list(const char *word, const char *const *list)
{
    for (size_t i = 0; list && list[i]; i++)
        if (strcmp(word, list[i]) == 0)
            return 1;
    return 0;
}

static const struct layer_kind *kind_of(const struct scim_node *ln)
{
    const struct scim_node *kn = scim_node_get(ln, "kind");
    int k = kn && kn->kind == SCIM_NODE_SCALAR
                ? scim_param_choice(scim_param_find(any_table, "kind"), kn->scalar)
                : -1;
    return k >= 0 ? &kinds[k] : &unknown_kind;
}

/* Keys of the other kind are named as such (and so are not also unknown keys). */
static void other_kind_keys(struct scim_manifest *M, const struct scim_node *ln, const char *sec,
                            const struct layer_kind *k)
{
    for (size_t i = 0; k->name && i < ln->n; i++) {
        const char *key = ln->keys[i];
        if (!in_list(key, kind_only_keys) || scim_param_find(k->table, key) ||
            in_list(key, k->skip))
            continue;
        scim_diag_error(M->d, &ln->key_locs[i], "key '%s' in '%s' does not apply to a %s layer",
                        key, sec, k->name);
        ln->items[i]->consumed = 1;
    }
}

static int parse_pool(struct scim_manifest *M, const struct scim_node *ln, const char *sec,
                      struct scim_layer *ly)
{
    const struct scim_node *p = scim_node_get(ln, "pool");
    struct pool_keys k;
    char psec[48];
    if (!p)
        return 0;
    if (scim_params_defaults(pool_table, &k) < 0)
        SCIM_PANIC("defaults of a layer's 'pool' do not load");
    snprintf(psec, sizeof(psec), "%s.pool", sec);
    int rc = scim_params_load(pool_table, &k, p, psec, NULL, NULL, M->d);
    ly->pool = (enum scim_pool_kind)(k.kind + 1);
    ly->pool_size = (int)k.size;
    return rc == SCIM_ENOMEM ? rc : 0;
}

/* A layer name is a tensor prefix: 1-31 letters, digits, '_' or '-'. */
static void take_name(struct scim_manifest *M, const struct scim_node *ln, const char *sec,
                      const char *s, struct scim_layer *ly)
{
    if (!s || !*s) /* reported by the table, or as an empty string */
        return;
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
    if (s[n] || n >= sizeof(ly->name)) {
        scim_diag_error(M->d, &scim_node_get(ln, "name")->loc,
                        "'%s.name' must be 1 to %zu letters, digits, '_' or '-', got '%.60s'", sec,
                        sizeof(ly->name) - 1, s);
        return;
    }
    memcpy(ly->name, s, n + 1);
}

/* The keys' values into the layer (a linear layer is a 1x1 conv without pooling). */
static void take_keys(const struct layer_keys *k, const struct layer_kind *kind,
                      struct scim_layer *ly)
{
    if (kind->name)
        ly->kind = (enum scim_layer_kind)(kind - kinds + 1);
    ly->out_c = (int)k->out_c;
    ly->kernel = ly->stride = 1;
    ly->padding = 0;
    if (kind->table == conv_table) {
        ly->kernel = (int)k->kernel;
        ly->stride = (int)k->stride;
        ly->padding = (int)k->padding;
    }
    ly->sign_out = k->activation == 0;
    ly->dropout_p = k->dropout_p;
    ly->norm_layer = k->norm == 1;
    ly->n_scale_samples = (int)k->scale_samples;
    ly->scale_bits = (int)k->scale_bits;
    ly->pool = SCIM_POOL_NONE;
    ly->pool_size = 1;
    ly->residual_gain = k->residual_gain; /* `residual` is resolved once every layer is known */
    ly->residual = -1;
}

static int parse_layer(struct scim_manifest *M, const struct scim_node *ln, int i,
                       struct scim_layer *ly)
{
    const struct layer_kind *kind = kind_of(ln);
    struct layer_keys k;
    char sec[32];
    snprintf(sec, sizeof(sec), "layers[%d]", i);
    memset(&k, 0, sizeof(k));
    if (scim_params_defaults(kind->table, &k) < 0)
        SCIM_PANIC("defaults of a manifest layer do not load");
    if (ln->kind == SCIM_NODE_MAP)
        other_kind_keys(M, ln, sec, kind);
    int rc = scim_params_load(kind->table, &k, ln, sec, kind->skip, NULL, M->d);
    scim_manifest_nonempty(M, kind->table, ln, sec);
    take_name(M, ln, sec, k.name, ly);
    take_keys(&k, kind, ly);
    scim_params_free(kind->table, &k);
    if (rc != SCIM_ENOMEM && kind->table == conv_table)
        rc = parse_pool(M, ln, sec, ly);
    return rc == SCIM_ENOMEM ? rc : 0;
}

/* Layer i's name must not be one of an earlier layer's. */
static void check_unique(struct scim_manifest *M, int i)
{
    const struct scim_layer *ly = M->m->layers;
    for (int j = 0; j < i && M->layer_ok[i]; j++)
        if (M->layer_ok[j] && strcmp(ly[j].name, ly[i].name) == 0) {
            scim_diag_error(M->d, &scim_node_get(M->layer_nodes[i], "name")->loc,
                            "layer name '%s' is already used by layers[%d]", ly[i].name, j);
            return;
        }
}

static int alloc_layers(struct scim_manifest *M, size_t n)
{
    M->m->layers = calloc(n, sizeof(*M->m->layers));
    M->layer_nodes = calloc(n, sizeof(*M->layer_nodes));
    M->layer_ok = calloc(n, sizeof(*M->layer_ok));
    if (!M->m->layers || !M->layer_nodes || !M->layer_ok)
        return SCIM_ENOMEM;
    M->m->n_layers = (int)n;
    return 0;
}

int scim_manifest_layers(struct scim_manifest *M, const struct scim_node *root)
{
    struct scim_model *m = M->m;
    struct scim_node *ls = scim_manifest_require(M, root, "layers");
    char got[80];
    if (!ls)
        return 0;
    ls->consumed = 1;
    if (ls->kind != SCIM_NODE_SEQ || ls->n == 0 || ls->n > 4096) {
        scim_diag_error(M->d, &ls->loc, "'layers' must be a list of 1 to 4096 layers, got %s",
                        ls->kind == SCIM_NODE_SEQ ? "an empty list"
                                                  : scim_manifest_describe(ls, got, sizeof(got)));
        return 0;
    }
    if (alloc_layers(M, ls->n))
        return SCIM_ENOMEM;
    for (int i = 0; i < m->n_layers; i++) {
        unsigned before = M->d->errors;
        M->layer_nodes[i] = ls->items[i];
        if (parse_layer(M, ls->items[i], i, &m->layers[i]) == SCIM_ENOMEM)
            return SCIM_ENOMEM;
        M->layer_ok[i] = M->d->errors == before;
        check_unique(M, i);
    }
    return 0;
}

/* ---- shape chaining ---- */

/* Conv geometry: output and pooled size of one spatial axis. */
static int conv_axis(struct scim_manifest *M, int i, const char *axis, int in, int *out,
                     int *pooled)
{
    const struct scim_layer *ly = &M->m->layers[i];
    long long span = (long long)in + 2LL * ly->padding - ly->kernel;
    if (span < 0) {
        scim_diag_error(M->d, &M->layer_nodes[i]->loc,
                        "layer '%s': kernel %d does not fit the input %s %d with padding %d",
                        ly->name, ly->kernel, axis, in, ly->padding);
        return -1;
    }
    long long o = span / ly->stride + 1;
    if (o > MODEL_MAX_DIM || o / ly->pool_size < 1) {
        scim_diag_error(M->d, &M->layer_nodes[i]->loc, "layer '%s': output %s %lld %s", ly->name,
                        axis, o,
                        o > MODEL_MAX_DIM ? "is over the limit of 1000000"
                                          : "is smaller than the pooling size");
        return -1;
    }
    *out = (int)o;
    *pooled = (int)(o / ly->pool_size);
    return 0;
}

/* The weights (fan-in times outputs) and the outputs of a layer must stay below 2^31. */
static int check_size(struct scim_manifest *M, int i, uint64_t feats)
{
    const struct scim_layer *ly = &M->m->layers[i];
    const struct scim_loc *loc = &M->layer_nodes[i]->loc;
    uint64_t outs = (uint64_t)ly->out_c * (uint64_t)ly->out_h * (uint64_t)ly->out_w;
    if (feats > MODEL_MAX_PRODUCT || feats * (uint64_t)ly->out_c > MODEL_MAX_PRODUCT)
        return scim_diag_error(M->d, loc,
                               "layer '%s' is too large: fan-in %llu times %d outputs is over "
                               "the limit of 2^31 weights",
                               ly->name, (unsigned long long)feats, ly->out_c);
    if (outs > MODEL_MAX_PRODUCT)
        return scim_diag_error(M->d, loc,
                               "layer '%s' is too large: %llu outputs are over the limit of 2^31",
                               ly->name, (unsigned long long)outs);
    return 0;
}

/* Fill the input/output shapes of layer i from the shape (c, h, w) before it. */
static int chain_layer(struct scim_manifest *M, int i, int c, int h, int w, int after_linear)
{
    struct scim_layer *ly = &M->m->layers[i];
    const struct scim_loc *loc = &M->layer_nodes[i]->loc;
    uint64_t feats = (uint64_t)c * (uint64_t)h * (uint64_t)w;
    if (ly->kind == SCIM_LAYER_CONV) {
        if (after_linear)
            return scim_diag_error(
                M->d, loc, "layer '%s': a conv layer cannot follow a linear layer", ly->name);
        ly->in_c = c;
        ly->in_h = h;
        ly->in_w = w;
        if (conv_axis(M, i, "height", h, &ly->out_h, &ly->pooled_h) ||
            conv_axis(M, i, "width", w, &ly->out_w, &ly->pooled_w))
            return -1;
        feats = (uint64_t)c * (uint64_t)ly->kernel * (uint64_t)ly->kernel;
    } else {
        if (feats > (uint64_t)MODEL_MAX_DIM)
            return scim_diag_error(M->d, loc,
                                   "layer '%s': %llu input features are over the limit of 1000000",
                                   ly->name, (unsigned long long)feats);
        ly->in_c = (int)feats;
        ly->in_h = ly->in_w = 1;
        ly->out_h = ly->out_w = ly->pooled_h = ly->pooled_w = 1;
    }
    if (check_size(M, i, feats))
        return -1;
    ly->fan_in = (int)feats;
    return 0;
}

int scim_manifest_chain(struct scim_manifest *M)
{
    struct scim_model *m = M->m;
    int c = m->in_c, h = m->in_h, w = m->in_w;
    for (int i = 0; i < m->n_layers; i++) {
        struct scim_layer *ly = &m->layers[i];
        if (!M->layer_ok[i] ||
            chain_layer(M, i, c, h, w, i > 0 && m->layers[i - 1].kind == SCIM_LAYER_LINEAR))
            return -1;
        c = ly->out_c;
        h = ly->pooled_h;
        w = ly->pooled_w;
    }
    return 0;
}
