/*
 * model_testvec.c - the Bayesian test vector of a model (docs/model-format.md,
 * "Test vector"): the manifest's `test_vector` block and the tensors
 * test_vector.mu and test_vector.logvar.
 *
 * The block is metadata written by tools/train/testvec.py: its checked keys are a
 * parameter table, any other key may hold a single value. The tensors must be
 * F32 of the model's input shape [C, H, W] with finite values; their problems are
 * reported at the block's line:col in the manifest, since the block asks for them.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_load.h"
#include "sim/base/error.h"

/* The block's checked keys: metadata, so no defaults (samples 0 = absent). */
struct tv_keys {
    int64_t samples, steps;
    double alpha, prior_std;
};

#define TV(type, ...) ROW_##type(struct tv_keys, __VA_ARGS__)
static const struct scim_param tv_table[] = {
    TV(INT, "samples", samples, 1, MODEL_MAX_DIM, "",
       "the N the vector was trained for and is evaluated with"),
    TV(INT, "steps", steps, 1, INT_MAX, "", "optimizer steps"),
    TV(NUM, "alpha", alpha, 0, INFINITY, "", "the KL weight of eq. 4"),
    TV(NUM, "prior_std", prior_std, SCIM_P_ABOVE_ZERO, INFINITY, "", "std of the prior"),
    {0},
};
#undef TV

int scim_manifest_test_vector(struct scim_manifest *M, const struct scim_node *root)
{
    const struct scim_node *t = scim_node_get(root, "test_vector");
    struct tv_keys k = {0, 0, 0, 0};
    if (!t)
        return 0;
    scim_manifest_metadata(M, tv_table, t, "test_vector");
    int rc = scim_params_load(tv_table, &k, t, "test_vector", NULL, NULL, M->d);
    M->m->tv_samples = (int)k.samples;
    return rc == SCIM_ENOMEM ? rc : 0;
}

/* ---- its tensors ---- */

/* Tensor test_vector.<suffix> if it is F32 of the model's input shape [C, H, W]; else
 * NULL, reported at the manifest's `test_vector` key (loc). */
static const struct scim_st_tensor *tv_tensor(struct scim_tensor_load *T, const char *name,
                                              const uint64_t *shape, const struct scim_loc *loc)
{
    char have[160], imply[160];
    const struct scim_st_tensor *t = scim_st_find(T->st, name);
    int same = t && t->ndim == 3 && !memcmp(t->shape, shape, 3 * sizeof(*shape));
    if (t)
        T->used[t - T->st->t] = 1;
    if (!t)
        scim_diag_error(T->d, loc,
                        "tensor '%s' is missing from %s (the manifest's 'test_vector' "
                        "needs it)",
                        name, T->st->path);
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
static int load_tv_tensor(struct scim_tensor_load *T, const struct scim_model *m,
                          const struct scim_loc *loc, const char *suffix, double **out)
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
            scim_tensor_index(t, k, at, sizeof(at));
            scim_diag_error(T->d, loc,
                            "tensor '%s' element %s (index %zu) is %g, expected a "
                            "finite number",
                            name, at, k, (*out)[k]);
            return T->bad = SCIM_EFORMAT, 0;
        }
    return 0;
}

int scim_tensors_test_vector(struct scim_tensor_load *T, struct scim_model *m,
                             const struct scim_loc *tv)
{
    if (!tv)
        return 0;
    int rc = load_tv_tensor(T, m, tv, "mu", &m->tv_mu);
    return rc ? rc : load_tv_tensor(T, m, tv, "logvar", &m->tv_logvar);
}
