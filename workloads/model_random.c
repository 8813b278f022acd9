/*
 * model_random.c - a model described by its shapes alone: the manifest's
 * `weights: random` block (in place of `tensors`) and the weights drawn from it.
 *
 * The block gives a seed and p_plus, the probability of a +1 weight (each weight
 * is drawn on its own). Every other value a layer needs is what
 * tools/train/synth.py gives an untrained model: scales alpha = 1, no bias, batch
 * norm with its initial statistics (mean 0, variance 1, gamma 1, beta 0); for
 * affine_dropout gamma ~ N(1, 0.3^2) and beta ~ N(0, 0.3^2) * sqrt(fan-in); for
 * subset N scale samples ~ N(1, scale_sigma^2), quantized with their mean 1 on one
 * grid of 2^scale_bits levels per layer. Each layer draws from its own streams of
 * the counter-based generator (sim/base/rng.h), (seed, SCIM_STREAM_WEIGHTS, layer,
 * what is drawn): the same manifest gives the same weights on every machine, and a
 * layer's weights do not change when another layer does. The binary weights are
 * integer comparisons of the stream's words, so they are bit-identical anywhere.
 * docs/model-format.md ("Random weights") is the contract.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model_load.h"
#include "sim/base/error.h"
#include "sim/base/rng.h"

#define AFFINE_STD 0.3 /* bnn.py AFFINE_INIT_STD: gamma ~ N(1, 0.3^2), beta_unit ~ N(0, 0.3^2) */
#define SUBSET_BITS 4  /* bnn.py SUBSET_BITS: the grid when the manifest has no scale_bits */

/* What a layer's stream draws: the second index of its stream id. */
enum { DRAW_WEIGHT = 0, DRAW_GAMMA, DRAW_BETA, DRAW_SAMPLES };

struct random_keys {
    int64_t seed;
    double p_plus, scale_sigma;
};

#define RND(type, ...) ROW_##type(struct random_keys, __VA_ARGS__)
static const struct scim_param random_table[] = {
    RND(INT, "seed", seed, 0, 4.6e18, "1", "seed of the weights' random streams"),
    RND(NUM, "p_plus", p_plus, 0, 1, "0.5", "probability of a +1 weight"),
    RND(NUM, "scale_sigma", scale_sigma, SCIM_P_ABOVE_ZERO, INFINITY, "0.1",
        "subset: standard deviation of the stored scale samples around 1"),
    {0},
};
#undef RND

static const char *const weights_keys[] = {"random", NULL};

/* ---- the manifest's block ---- */

/* `random:` with no value (YAML's null) stands for the defaults. */
static int is_null(const struct scim_node *v)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    if (v->kind != SCIM_NODE_SCALAR || v->quoted)
        return 0;
    for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
        if (!strcmp(v->scalar, nulls[i]))
            return 1;
    return 0;
}

/* The distribution: random's mapping over the defaults (v NULL or null: the defaults). */
static int parse_random(struct scim_manifest *M, struct scim_node *v)
{
    struct random_keys k;
    int rc = 0;
    if (scim_params_defaults(random_table, &k) < 0)
        SCIM_PANIC("defaults of the manifest's 'weights.random' do not load");
    if (v && is_null(v))
        v->consumed = 1;
    else if (v)
        rc = scim_params_load(random_table, &k, v, "weights.random", NULL, NULL, M->d);
    M->random.on = 1;
    M->random.seed = (uint64_t)k.seed;
    M->random.p_plus = k.p_plus;
    M->random.scale_sigma = k.scale_sigma;
    return rc == SCIM_ENOMEM ? rc : 0;
}

/* `weights: random`, or the mapping `weights: {random: {...}}`. */
static int parse_weights(struct scim_manifest *M, struct scim_node *w)
{
    char got[80];
    w->consumed = 1;
    if (w->kind == SCIM_NODE_SCALAR && !strcmp(w->scalar, "random"))
        return parse_random(M, NULL);
    if (w->kind != SCIM_NODE_MAP) {
        scim_diag_error(M->d, &w->loc,
                        "'weights' must be 'random' or a mapping {random: {seed: N, p_plus: P}}, "
                        "got %s",
                        scim_manifest_describe(w, got, sizeof(got)));
        return 0;
    }
    struct scim_node *r = scim_node_get(w, "random");
    int rc = r ? parse_random(M, r) : 0;
    if (!scim_params_unknown(w, "weights", weights_keys, NULL, M->d) && !r)
        scim_diag_error(M->d, &w->loc, "missing required key 'random' in 'weights'");
    return rc;
}

/* Random weights have no tensor file: not with `tensors`, nor with a test vector. */
static void check_alone(struct scim_manifest *M, const struct scim_node *root)
{
    long tv = scim_node_index(root, "test_vector");
    if (scim_node_get(root, "tensors"))
        scim_diag_error(M->d, &M->random.loc,
                        "'weights' and 'tensors' exclude each other: random weights have no "
                        "tensor file (drop one of them)");
    if (tv >= 0)
        scim_diag_error(M->d, &root->key_locs[tv],
                        "'test_vector' needs its tensors, but a model with random weights "
                        "('weights') has no tensor file");
}

int scim_manifest_weights(struct scim_manifest *M, const struct scim_node *root)
{
    long at = scim_node_index(root, "weights");
    memset(&M->random, 0, sizeof(M->random));
    if (at < 0) {
        if (!scim_node_get(root, "tensors"))
            scim_diag_error(M->d, &root->loc,
                            "missing required key 'tensors' (the tensor file; a model described "
                            "by its shapes alone says 'weights: random' instead)");
        return 0;
    }
    M->random.loc = root->key_locs[at];
    check_alone(M, root);
    return parse_weights(M, root->items[at]);
}

/* Values per output channel besides the weights: scale, batch norm or the affine
 * transform, the stored scale samples. */
static uint64_t values_per_output(const struct scim_layer *ly)
{
    return 1u + (ly->norm_layer ? 2u : 4u) + (uint64_t)ly->n_scale_samples;
}

int scim_manifest_random_size(struct scim_manifest *M)
{
    const struct scim_model *m = M->m;
    uint64_t w = 0, v = 0;
    if (!M->random.on)
        return 0;
    for (int i = 0; i < m->n_layers; i++) {
        const struct scim_layer *ly = &m->layers[i];
        w += (uint64_t)ly->out_c * (uint64_t)ly->fan_in;
        v += (uint64_t)ly->out_c * values_per_output(ly);
    }
    if (w <= MODEL_RANDOM_MAX_WEIGHTS && v <= MODEL_RANDOM_MAX_VALUES)
        return 0;
    return scim_diag_error(M->d, &M->random.loc,
                           "random weights: the layers need %llu binary weights and %llu other "
                           "values; a model without a tensor file holds at most 2^27 weights and "
                           "2^24 other values",
                           (unsigned long long)w, (unsigned long long)v);
}

/* ---- drawing ---- */

static uint64_t stream(int layer, int what)
{
    return scim_stream_id(SCIM_STREAM_WEIGHTS, (uint64_t)layer, (uint64_t)what);
}

/* Each weight +1 when its stream word is below p_plus * 2^32, else -1. */
static int draw_weights(struct scim_layer *ly, int l, const struct scim_random_weights *rw)
{
    size_t n = (size_t)ly->out_c * (size_t)ly->fan_in;
    uint64_t below = (uint64_t)floor(ldexp(rw->p_plus, 32) + 0.5);
    struct scim_rng_batch b;
    if (!(ly->weight = malloc(n ? n : 1)))
        return SCIM_ENOMEM;
    scim_rng_batch_init(&b, rw->seed, stream(l, DRAW_WEIGHT), 0);
    for (size_t k = 0; k < n; k++)
        ly->weight[k] = (uint64_t)scim_rng_batch_u32(&b) < below ? 1 : -1;
    return 0;
}

/* n values equal to v, or NULL. */
static double *filled(size_t n, double v)
{
    double *a = malloc((n ? n : 1) * sizeof(*a));
    for (size_t k = 0; a && k < n; k++)
        a[k] = v;
    return a;
}

/* n draws of N(mean, std^2) from stream (seed, layer l, what), or NULL. */
static double *normals(size_t n, const struct scim_random_weights *rw, int l, int what,
                       double mean, double std)
{
    struct scim_rng r;
    double *a = malloc((n ? n : 1) * sizeof(*a));
    scim_rng_init(&r, rw->seed, stream(l, what));
    for (size_t k = 0; a && k < n; k++)
        a[k] = mean + std * scim_rng_normal(&r);
    return a;
}

/* An untrained layer's scale (1) and batch norm (PyTorch's initial running statistics). */
static int initial_bn(struct scim_layer *ly)
{
    size_t n = (size_t)ly->out_c;
    ly->scale = filled(n, 1.0);
    ly->bn_mean = filled(n, 0.0);
    ly->bn_var = filled(n, 1.0);
    ly->bn_gamma = filled(n, 1.0);
    ly->bn_beta = filled(n, 0.0);
    ly->has_bn = ly->scale && ly->bn_mean && ly->bn_var && ly->bn_gamma && ly->bn_beta;
    return ly->has_bn ? 0 : SCIM_ENOMEM;
}

/* Inverted normalization at its initialization; beta is trained per unit and exported
 * times sqrt(fan-in) (tools/train/bnn.py), so that is its scale here too. */
static int draw_affine(struct scim_layer *ly, int l, const struct scim_random_weights *rw)
{
    size_t n = (size_t)ly->out_c;
    ly->affine_w = normals(n, rw, l, DRAW_GAMMA, 1.0, AFFINE_STD);
    ly->affine_b = normals(n, rw, l, DRAW_BETA, 0.0, AFFINE_STD * sqrt((double)ly->fan_in));
    ly->scale = filled(n, 1.0);
    return ly->affine_w && ly->affine_b && ly->scale ? 0 : SCIM_ENOMEM;
}

/* v on the grid of levels + 1 values from lo to hi (ties up), as bnn.quantize_uniform. */
static double on_grid(double v, double lo, double hi, double levels)
{
    if (hi <= lo)
        return lo;
    return lo + floor((v - lo) / (hi - lo) * levels + 0.5) * (hi - lo) / levels;
}

/* Subset: N samples around the mean scale 1, then samples and mean on one grid between
 * their minimum and maximum (bnn.py freeze_subset). */
static int draw_subset(struct scim_layer *ly, int l, const struct scim_random_weights *rw)
{
    size_t n = (size_t)ly->n_scale_samples * (size_t)ly->out_c;
    double lo = 1.0, hi = 1.0;
    if (!ly->scale_bits)
        ly->scale_bits = SUBSET_BITS;
    double levels = ldexp(1.0, ly->scale_bits) - 1.0;
    if (!(ly->scale_samples = normals(n, rw, l, DRAW_SAMPLES, 1.0, rw->scale_sigma)))
        return SCIM_ENOMEM;
    for (size_t k = 0; k < n; k++)
        lo = fmin(lo, ly->scale_samples[k]), hi = fmax(hi, ly->scale_samples[k]);
    for (size_t k = 0; k < n; k++)
        ly->scale_samples[k] = on_grid(ly->scale_samples[k], lo, hi, levels);
    for (int j = 0; j < ly->out_c; j++)
        ly->scale[j] = on_grid(1.0, lo, hi, levels);
    return 0;
}

static int random_layer(struct scim_layer *ly, int l, const struct scim_random_weights *rw)
{
    int rc = draw_weights(ly, l, rw);
    if (!rc)
        rc = ly->norm_layer ? draw_affine(ly, l, rw) : initial_bn(ly);
    if (!rc && ly->n_scale_samples)
        rc = draw_subset(ly, l, rw);
    return rc;
}

int scim_model_random(struct scim_model *m, const struct scim_random_weights *rw, double bn_eps)
{
    for (int l = 0; l < m->n_layers; l++) {
        m->layers[l].bn_eps = bn_eps;
        int rc = random_layer(&m->layers[l], l, rw);
        if (rc)
            return rc;
    }
    return 0;
}
