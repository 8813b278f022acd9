/*
 * model_manifest.c - the schema of the manifest's top level, `input` and
 * `provenance` as parameter tables, and the format's rules the tables cannot say.
 *
 * param.c converts and checks each value and reports unknown keys with a "did you
 * mean" (the sections loaded elsewhere are skipped at the top level). Added here:
 * `format` and `version` name this format, strings are not empty, `dataset` may
 * name a synthetic set instead of one of its choices, and a metadata block
 * (provenance, the test vector's) may hold further single values. The helpers at
 * the end serve the other pieces of the loader (model_load.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_load.h"
#include "sim/base/error.h"

/* The top-level keys that are single values. */
struct top_keys {
    char *format;
    int64_t version;
    char *name;
    char *topology;
    int method; /* enum scim_method */
    int64_t classes;
    char *tensors;
    double bn_eps;
};

#define TOP(type, ...) ROW_##type(struct top_keys, __VA_ARGS__)
static const struct scim_param top_table[] = {
    TOP(STR, "format", format, NULL, "always spincim-model"),
    TOP(INT, "version", version, 1, MODEL_MAX_DIM, NULL, "version of the format: 1"),
    TOP(STR, "name", name, NULL, "model name, used in reports"),
    TOP(STR, "topology", topology, "", "lenet5, mlp4, ... (informational)"),
    TOP(ENUM, "method", method, "bnn|scale_dropout|spindrop|spatial_spindrop|affine_dropout|subset",
        NULL, "how the model is made Bayesian (docs/model-format.md)"),
    TOP(INT, "classes", classes, 1, MODEL_MAX_DIM, NULL, "number of output classes"),
    TOP(PATH, "tensors", tensors, "",
        "the safetensors file, relative to the manifest (or 'weights: random' instead)"),
    TOP(NUM, "bn_eps", bn_eps, SCIM_P_ABOVE_ZERO, INFINITY, "1e-5",
        "batch-norm epsilon (PyTorch's default)"),
    {0},
};
#undef TOP

/* Top-level keys loaded on their own. */
static const char *const top_sections[] = {"dataset",     "input",   "layers", "provenance",
                                           "test_vector", "weights", NULL};

/* `dataset` when it does not name a synthetic set (workloads/dataset.h). */
static const struct scim_param dataset_row = {.key = "dataset",
                                              .type = SCIM_P_ENUM,
                                              .doc = "dataset the model was trained on",
                                              .choices = "mnist|fashion-mnist"};

struct input_keys {
    int64_t channels, height, width;
    int encoding; /* enum scim_input_encoding - 1 */
};

#define INPUT(type, ...) ROW_##type(struct input_keys, __VA_ARGS__)
static const struct scim_param input_table[] = {
    INPUT(INT, "channels", channels, 1, MODEL_MAX_DIM, NULL, "input image channels"),
    INPUT(INT, "height", height, 1, MODEL_MAX_DIM, NULL, "input image height"),
    INPUT(INT, "width", width, 1, MODEL_MAX_DIM, NULL, "input image width"),
    INPUT(ENUM, "encoding", encoding, "bitserial8|binary", NULL,
          "first-layer input encoding the model was trained with"),
    {0},
};
#undef INPUT

/* Provenance: metadata, so no defaults; absent values stay as preset. */
struct provenance_keys {
    double mc_test_accuracy;
    char *command;
    char *dataset;
    int64_t epochs;
    double test_accuracy;
    char *torch_version;
    char *date;
};

#define PROV(type, ...) ROW_##type(struct provenance_keys, __VA_ARGS__)
static const struct scim_param provenance_table[] = {
    PROV(NUM, "mc_test_accuracy", mc_test_accuracy, 0, 1, "",
         "test accuracy with Monte Carlo dropout (fraction)"),
    PROV(STR, "command", command, "", "the command that trained the model"),
    PROV(STR, "dataset", dataset, "", "the training data"),
    PROV(INT, "epochs", epochs, 0, MODEL_MAX_DIM, "", "training epochs"),
    PROV(NUM, "test_accuracy", test_accuracy, 0, 1, "",
         "test accuracy (fraction, PyTorch eval mode, dropout off)"),
    PROV(STR, "torch_version", torch_version, "", "PyTorch version"),
    PROV(STR, "date", date, "", "date of training"),
    {0},
};
#undef PROV

/* ---- the top level ---- */

/* The text of an ENUM key whose value is one of its choices, or NULL. */
static const char *choice_text(const struct scim_param *row, const struct scim_node *map)
{
    const struct scim_node *v = scim_node_get(map, row->key);
    if (!v || v->kind != SCIM_NODE_SCALAR || scim_param_choice(row, v->scalar) < 0)
        return NULL;
    return v->scalar;
}

/* strdup of src into *dst (nothing for NULL); 0 or SCIM_ENOMEM. */
static int dup_str(char **dst, const char *src)
{
    if (!src)
        return 0;
    *dst = strdup(src);
    return *dst ? 0 : SCIM_ENOMEM;
}

/* The values only this format gives `format` and `version`. */
static void check_format(struct scim_manifest *M, const struct scim_node *root,
                         const struct top_keys *k)
{
    if (k->format && *k->format && strcmp(k->format, "spincim-model") != 0)
        scim_diag_error(M->d, &scim_node_get(root, "format")->loc,
                        "'format' must be 'spincim-model', got '%.60s'", k->format);
    if (k->version && k->version != 1)
        scim_diag_error(M->d, &scim_node_get(root, "version")->loc,
                        "unsupported 'version' %d (this spincim reads version 1)", (int)k->version);
}

/* Move the top-level values into the model. */
static int take_top(struct scim_manifest *M, const struct scim_node *root, struct top_keys *k)
{
    struct scim_model *m = M->m;
    m->name = k->name;
    m->topology = k->topology;
    k->name = k->topology = NULL;
    if (k->tensors && *k->tensors) { /* "": absent (scim_manifest_weights says which is missing) */
        M->tensors = k->tensors;
        k->tensors = NULL;
    }
    M->bn_eps = k->bn_eps;
    m->classes = (int)k->classes;
    m->method_id = (enum scim_method)k->method;
    return dup_str(&m->method, choice_text(scim_param_find(top_table, "method"), root));
}

/* A synthetic dataset (random inputs of a shape, for energy and timing studies) is
 * named as in workloads/dataset.h; the shape is checked against `input` at run time. */
static int parse_dataset(struct scim_manifest *M, const struct scim_node *root)
{
    struct scim_node *v = scim_manifest_require(M, root, "dataset");
    int idx = 0;
    if (!v)
        return 0;
    if (v->kind == SCIM_NODE_SCALAR && !strncmp(v->scalar, "synthetic:", 10))
        return v->consumed = 1, dup_str(&M->m->dataset, v->scalar);
    if (scim_param_set(&dataset_row, &idx, v, "", NULL, M->d) == SCIM_ENOMEM)
        return SCIM_ENOMEM;
    return dup_str(&M->m->dataset, choice_text(&dataset_row, root));
}

static int parse_input(struct scim_manifest *M, const struct scim_node *root)
{
    struct scim_model *m = M->m;
    const struct scim_node *in = scim_manifest_require(M, root, "input");
    struct input_keys k;
    if (!in)
        return 0;
    if (scim_params_defaults(input_table, &k) < 0)
        SCIM_PANIC("defaults of the manifest's 'input' do not load");
    int rc = scim_params_load(input_table, &k, in, "input", NULL, NULL, M->d);
    m->in_c = (int)k.channels;
    m->in_h = (int)k.height;
    m->in_w = (int)k.width;
    m->encoding = (enum scim_input_encoding)(k.encoding + 1);
    return rc == SCIM_ENOMEM ? rc : 0;
}

int scim_manifest_header(struct scim_manifest *M, const struct scim_doc *doc)
{
    const struct scim_node *root = doc->root;
    struct top_keys k;
    if (scim_params_defaults(top_table, &k) < 0)
        SCIM_PANIC("defaults of the manifest's top level do not load");
    int rc = scim_params_load(top_table, &k, root, "", top_sections, doc->dir, M->d);
    scim_manifest_nonempty(M, top_table, root, NULL);
    check_format(M, root, &k);
    if (rc != SCIM_ENOMEM)
        rc = take_top(M, root, &k);
    scim_params_free(top_table, &k);
    if (!rc)
        rc = parse_dataset(M, root);
    return rc ? rc : parse_input(M, root);
}

int scim_manifest_provenance(struct scim_manifest *M, const struct scim_node *root)
{
    const struct scim_node *p = scim_node_get(root, "provenance");
    struct provenance_keys k = {.mc_test_accuracy = -1, .test_accuracy = -1};
    M->m->reported_accuracy = -1;
    if (!p)
        return 0;
    scim_manifest_metadata(M, provenance_table, p, "provenance");
    int rc = scim_params_load(provenance_table, &k, p, "provenance", NULL, NULL, M->d);
    scim_manifest_nonempty(M, provenance_table, p, "provenance");
    M->m->reported_accuracy = k.test_accuracy;
    M->m->provenance_command = k.command;
    k.command = NULL;
    scim_params_free(provenance_table, &k);
    return rc == SCIM_ENOMEM ? rc : 0;
}

/* ---- helpers of the manifest pieces ---- */

const char *scim_manifest_describe(const struct scim_node *v, char *buf, size_t len)
{
    if (v->kind == SCIM_NODE_MAP)
        return "a mapping";
    if (v->kind == SCIM_NODE_SEQ)
        return "a list";
    snprintf(buf, len, "'%.60s%s'", v->scalar, strlen(v->scalar) > 60 ? "..." : "");
    return buf;
}

struct scim_node *scim_manifest_require(struct scim_manifest *M, const struct scim_node *root,
                                        const char *key)
{
    struct scim_node *v = scim_node_get(root, key);
    if (!v)
        scim_diag_error(M->d, &root->loc, "missing required key '%s'", key);
    return v;
}

void scim_manifest_nonempty(struct scim_manifest *M, const struct scim_param *table,
                            const struct scim_node *map, const char *section)
{
    for (const struct scim_param *p = table; p->key; p++) {
        const struct scim_node *v = scim_node_get(map, p->key);
        if ((p->type == SCIM_P_STR || p->type == SCIM_P_PATH) && v && v->kind == SCIM_NODE_SCALAR &&
            !v->scalar[0])
            scim_diag_error(M->d, &v->loc, "'%s%s%s' must be a non-empty string, got ''",
                            section ? section : "", section ? "." : "", p->key);
    }
}

void scim_manifest_metadata(struct scim_manifest *M, const struct scim_param *table,
                            const struct scim_node *map, const char *section)
{
    for (size_t i = 0; map->kind == SCIM_NODE_MAP && i < map->n; i++) {
        if (scim_param_find(table, map->keys[i]))
            continue;
        map->items[i]->consumed = 1; /* a note or a version: not an unknown key */
        if (map->items[i]->kind != SCIM_NODE_SCALAR)
            scim_diag_error(M->d, &map->items[i]->loc, "'%s.%s' must be a single value", section,
                            map->keys[i]);
    }
}
