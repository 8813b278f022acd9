/*
 * model_tensors.c - the tensor file of a checked manifest: exactly the tensors
 * the layers imply, with the implied dtypes and shapes (docs/model-format.md,
 * "Tensors").
 *
 * Weights must be -1 or +1, real-valued parameters finite and variances not
 * negative; batch norm comes with all four of its tensors or none; a subset
 * model's layers carry their stored scale vectors, an affine-dropout model's the
 * affine transform instead of batch norm. A tensor no layer (and no test vector)
 * needs is an error too: it usually means a manifest and a tensor file that do
 * not belong together. Every problem is reported against the tensor file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_load.h"
#include "sim/base/error.h"

/* Tensor t has the implied dtype and shape (reported otherwise). */
static int has_type(struct scim_tensor_load *T, const struct scim_st_tensor *t,
                    enum scim_st_dtype dtype, int ndim, const uint64_t *shape)
{
    char have[160], imply[160];
    if (t->dtype != dtype) {
        T->bad = scim_diag_file_error(T->d, T->st->path, SCIM_EFORMAT,
                                      "tensor '%s' has dtype %s, expected %s", t->name,
                                      scim_st_dtype_name(t->dtype), scim_st_dtype_name(dtype));
        return 0;
    }
    int same = t->ndim == ndim;
    for (int i = 0; same && i < ndim; i++)
        same = t->shape[i] == shape[i];
    if (!same)
        T->bad = scim_diag_file_error(T->d, T->st->path, SCIM_EFORMAT,
                                      "tensor '%s' has shape %s, the manifest implies %s", t->name,
                                      scim_st_format_shape(t->ndim, t->shape, have, sizeof(have)),
                                      scim_st_format_shape(ndim, shape, imply, sizeof(imply)));
    return same;
}

/* Tensor "<layer>.<suffix>" with the implied dtype and shape, or NULL (reported
 * unless optional and absent). */
static const struct scim_st_tensor *want(struct scim_tensor_load *T, const struct scim_layer *ly,
                                         const char *suffix, enum scim_st_dtype dtype, int ndim,
                                         const uint64_t *shape, int required)
{
    char name[64];
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
    return has_type(T, t, dtype, ndim, shape) ? t : NULL;
}

void scim_tensor_index(const struct scim_st_tensor *t, uint64_t k, char *buf, size_t len)
{
    uint64_t idx[SCIM_ST_MAX_DIMS];
    for (int i = t->ndim - 1; i >= 0; i--) {
        idx[i] = t->shape[i] ? k % t->shape[i] : 0;
        k = t->shape[i] ? k / t->shape[i] : 0;
    }
    scim_st_format_shape(t->ndim, idx, buf, len);
}

/* Every weight is -1 or +1 (the first that is not is reported). */
static void check_binary(struct scim_tensor_load *T, const struct scim_st_tensor *t,
                         const int8_t *w, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (w[k] == 1 || w[k] == -1)
            continue;
        char at[160];
        scim_tensor_index(t, k, at, sizeof(at));
        T->bad = scim_diag_file_error(T->d, T->st->path, SCIM_EFORMAT,
                                      "tensor '%s' element %s (index %zu) is %d, expected -1 or +1",
                                      t->name, at, k, w[k]);
        return;
    }
}

static int load_weight(struct scim_tensor_load *T, struct scim_layer *ly)
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
    if (scim_st_read_i8(T->st, t, t->ndim, t->shape, ly->weight, T->d))
        T->bad = SCIM_EFORMAT;
    else
        check_binary(T, t, ly->weight, n);
    return 0;
}

/* Every value is finite, and not negative for a variance (the first that is not is
 * reported); 1 if they all are. */
static int check_values(struct scim_tensor_load *T, const struct scim_st_tensor *t, const double *v,
                        int n, int variance)
{
    for (int k = 0; k < n; k++) {
        if (isfinite(v[k]) && !(variance && v[k] < 0))
            continue;
        T->bad = scim_diag_file_error(
            T->d, T->st->path, SCIM_EFORMAT, "tensor '%s' element %d is %g, %s", t->name, k, v[k],
            isfinite(v[k]) ? "a variance cannot be negative" : "expected a finite number");
        return 0;
    }
    return 1;
}

/* A per-channel F32 vector; *out stays NULL when absent or broken. */
static int load_vec(struct scim_tensor_load *T, const struct scim_layer *ly, const char *suffix,
                    int required, double **out)
{
    const uint64_t shape[1] = {(uint64_t)ly->out_c};
    const struct scim_st_tensor *t = want(T, ly, suffix, SCIM_ST_F32, 1, shape, required);
    if (!t)
        return 0;
    double *v = malloc((size_t)ly->out_c * sizeof(*v));
    if (!v)
        return SCIM_ENOMEM;
    if (scim_st_read_f64(T->st, t, 1, shape, v, T->d))
        T->bad = SCIM_EFORMAT;
    else if (check_values(T, t, v, ly->out_c, strcmp(suffix, "bn.var") == 0))
        return *out = v, 0;
    free(v);
    return 0;
}

static const char *const bn_suffix[4] = {"bn.mean", "bn.var", "bn.weight", "bn.bias"};

/* How many of the layer's batch-norm tensors the file has; the names of the others,
 * quoted, into missing. Those present are marked used. */
static int bn_present(struct scim_tensor_load *T, const struct scim_layer *ly, char *missing,
                      size_t len)
{
    char name[64];
    int present = 0;
    missing[0] = '\0';
    for (int k = 0; k < 4; k++) {
        snprintf(name, sizeof(name), "%s.%s", ly->name, bn_suffix[k]);
        const struct scim_st_tensor *t = scim_st_find(T->st, name);
        if (t) {
            present++;
            T->used[t - T->st->t] = 1;
        } else {
            snprintf(missing + strlen(missing), len - strlen(missing), "%s'%s'",
                     missing[0] ? ", " : "", name);
        }
    }
    return present;
}

/* Batch norm: all four tensors or none. */
static int load_bn(struct scim_tensor_load *T, struct scim_layer *ly)
{
    double **dst[4] = {&ly->bn_mean, &ly->bn_var, &ly->bn_gamma, &ly->bn_beta};
    char missing[160];
    int present = bn_present(T, ly, missing, sizeof(missing));
    if (present > 0 && present < 4)
        T->bad = scim_diag_file_error(T->d, T->st->path, SCIM_EFORMAT,
                                      "layer '%s' has %d of the 4 batch-norm tensors, %s missing "
                                      "(all four or none)",
                                      ly->name, present, missing);
    if (present < 4)
        return 0;
    for (int k = 0; k < 4; k++) {
        int rc = load_vec(T, ly, bn_suffix[k], 1, dst[k]);
        if (rc)
            return rc;
    }
    ly->has_bn = ly->bn_mean && ly->bn_var && ly->bn_gamma && ly->bn_beta;
    return 0;
}

/* Subset-parameter inference: the N stored scale vectors, [N][out_c]. */
static int load_scale_samples(struct scim_tensor_load *T, struct scim_layer *ly)
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
static int load_affine(struct scim_tensor_load *T, struct scim_layer *ly)
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

static int load_layer_tensors(struct scim_tensor_load *T, struct scim_layer *ly)
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

/* Tensors nothing asked for: a manifest and a tensor file that do not belong together. */
static void report_unused(struct scim_tensor_load *T)
{
    const struct scim_safetensors *st = T->st;
    for (size_t k = 0; k < st->n; k++)
        if (!T->used[k] && !strncmp(st->t[k].name, "test_vector.", 12))
            T->bad = scim_diag_file_error(T->d, st->path, SCIM_EFORMAT,
                                          "tensor '%s' needs a 'test_vector' block in the manifest",
                                          st->t[k].name);
        else if (!T->used[k])
            T->bad = scim_diag_file_error(
                T->d, st->path, SCIM_EFORMAT,
                "tensor '%s' does not belong to any layer of the manifest", st->t[k].name);
}

int scim_model_tensors(struct scim_model *m, const struct scim_safetensors *st, struct scim_diag *d,
                       double bn_eps, const struct scim_loc *tv)
{
    struct scim_tensor_load T = {st, d, calloc(st->n ? st->n : 1, 1), 0};
    int rc = T.used ? 0 : SCIM_ENOMEM;
    for (int i = 0; i < m->n_layers && !rc; i++) {
        struct scim_layer *ly = &m->layers[i];
        ly->bn_eps = bn_eps;
        rc = load_layer_tensors(&T, ly);
    }
    if (!rc)
        rc = scim_tensors_test_vector(&T, m, tv);
    if (!rc)
        report_unused(&T);
    free(T.used);
    return rc ? rc : T.bad ? SCIM_EFORMAT : 0;
}
