/*
 * model_load.h - the model loader's private interface: what the pieces of
 * scim_model_load() (model_load.c) give each other. Not for use outside them.
 *
 * The manifest's single values are parameter tables (sim/base/param.h): param.c
 * converts and checks every value (type, bounds, choices), fills the defaults and
 * reports unknown keys with a "did you mean". The pieces add what a flat table
 * cannot say. model_manifest.c: the top level, `input`, `provenance` and the
 * helpers below; model_layers.c: the list of layers (per-kind keys, pooling) and
 * the chaining of their shapes; model_checks.c: rules over the whole model (roles
 * of the layers, the method's keys, classes); model_residual.c: residual
 * connections; model_testvec.c: the Bayesian test vector (its block and tensors);
 * model_tensors.c: the tensor file; model_random.c: `weights: random`, the seeded
 * weights of a model described by its shapes alone; model.c: freeing.
 */
#ifndef SCIM_MODEL_LOAD_H
#define SCIM_MODEL_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "safetensors.h"
#include "sim/base/diag.h"
#include "sim/base/param.h"
#include "sim/base/yaml_dom.h"

#define MODEL_MAX_DIM 1000000LL        /* any single layer dimension */
#define MODEL_MAX_PRODUCT (1ULL << 31) /* fan_in * outputs, and activations per layer */

/* Rows of the manifest's tables: a value of struct S (sim/base/param.h). A dflt of ""
 * on a number row marks metadata without a default (the caller presets the field). */
#define ROW_INT SCIM_PARAM_INT
#define ROW_NUM(S, key, field, lo, hi, dflt, doc)                                              \
    SCIM_PARAM_F64(S, key, field, SCIM_DIM_NONE, lo, hi, dflt, doc)
#define ROW_ENUM SCIM_PARAM_ENUM
#define ROW_STR SCIM_PARAM_STR
#define ROW_PATH SCIM_PARAM_PATH

/* Random weights (`weights: random`, model_random.c): at most this many binary weights
 * and this many other values (scales, batch norm, ...) in the whole model, so that a
 * manifest alone cannot ask for more memory than a real network needs. */
#define MODEL_RANDOM_MAX_WEIGHTS (1ULL << 27)
#define MODEL_RANDOM_MAX_VALUES (1ULL << 24)

/* `weights: {random: {...}}`: the distribution a model without a tensor file is drawn from. */
struct scim_random_weights {
    int on;              /* 1: the weights are drawn, there is no tensor file */
    uint64_t seed;       /* `seed`: every draw comes from the streams of this seed */
    double p_plus;       /* `p_plus`: probability of a +1 weight */
    double scale_sigma;  /* `scale_sigma`: subset's scale samples ~ N(1, scale_sigma^2) */
    struct scim_loc loc; /* where `weights` is written, for messages */
};

/* A manifest being checked. */
struct scim_manifest {
    struct scim_diag *d;
    struct scim_model *m;                 /* the model being built */
    const struct scim_node **layer_nodes; /* n_layers of them */
    int *layer_ok;                        /* 1 if the layer's keys all parsed */
    double bn_eps;                        /* `bn_eps` */
    char *tensors;                        /* `tensors`, resolved against the manifest's folder,
                                             or NULL (random weights) */
    struct scim_random_weights random;    /* `weights: random` */
};

/* ---- the manifest's keys (each returns 0 or SCIM_ENOMEM; problems go to M->d) ---- */

/* The top-level single values, `dataset` and `input` (model_manifest.c). */
int scim_manifest_header(struct scim_manifest *M, const struct scim_doc *doc);
int scim_manifest_provenance(struct scim_manifest *M, const struct scim_node *root);
/* `layers`: fills m->layers, M->layer_nodes and M->layer_ok (model_layers.c). */
int scim_manifest_layers(struct scim_manifest *M, const struct scim_node *root);
/* The `test_vector` block (model_testvec.c). */
int scim_manifest_test_vector(struct scim_manifest *M, const struct scim_node *root);
/* `weights` against `tensors`: exactly one of them (model_random.c). */
int scim_manifest_weights(struct scim_manifest *M, const struct scim_node *root);

/* ---- checks of the whole model, once every key is valid (0 or -1, reported) ---- */

/* Input and output shapes of every layer, chained from `input` (model_layers.c). */
int scim_manifest_chain(struct scim_manifest *M);
/* Layer roles, the method's per-layer keys, classes (model_checks.c). */
int scim_manifest_checks(struct scim_manifest *M);
/* `residual` resolved to an earlier layer whose output fits (model_residual.c). */
int scim_manifest_residuals(struct scim_manifest *M);
/* A model with random weights stays within MODEL_RANDOM_MAX_* (model_random.c). */
int scim_manifest_random_size(struct scim_manifest *M);

/* ---- helpers of the manifest pieces (model_manifest.c) ---- */

/* How a node looks in a message: 'text', a mapping or a list. */
const char *scim_manifest_describe(const struct scim_node *v, char *buf, size_t len);
/* Value of a top-level key the tables do not hold; NULL (reported) when missing. */
struct scim_node *scim_manifest_require(struct scim_manifest *M, const struct scim_node *root,
                                        const char *key);
/* Every string key of table present in map must not be empty. */
void scim_manifest_nonempty(struct scim_manifest *M, const struct scim_param *table,
                            const struct scim_node *map, const char *section);
/* A block of metadata written by tools: the keys table lacks may hold any single value. */
void scim_manifest_metadata(struct scim_manifest *M, const struct scim_param *table,
                            const struct scim_node *map, const char *section);

/* ---- the tensor file ---- */

struct scim_tensor_load {
    const struct scim_safetensors *st;
    struct scim_diag *d;
    unsigned char *used; /* per tensor of st */
    int bad;
};

/* Every tensor the layers imply, and the test vector's when tv (the manifest's
 * `test_vector` key) is not NULL (model_tensors.c). Returns 0 or < 0. */
int scim_model_tensors(struct scim_model *m, const struct scim_safetensors *st,
                       struct scim_diag *d, double bn_eps, const struct scim_loc *tv);
/* "[a, b, c, d]": the index of flat element k of t (model_tensors.c). */
void scim_tensor_index(const struct scim_st_tensor *t, uint64_t k, char *buf, size_t len);
/* test_vector.mu and .logvar into m, problems reported at tv (model_testvec.c). */
int scim_tensors_test_vector(struct scim_tensor_load *T, struct scim_model *m,
                             const struct scim_loc *tv);

/* ---- random weights ---- */

/* Every layer's weights and parameters drawn from rw, as tools/train/synth.py makes an
 * untrained model (model_random.c). Returns 0 or SCIM_ENOMEM. */
int scim_model_random(struct scim_model *m, const struct scim_random_weights *rw, double bn_eps);

#endif
