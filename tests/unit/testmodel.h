/*
 * testmodel.h - small random models built in memory, and an independent
 * reference forward pass (plain integer loops, no bit packing, no ADC) for
 * the datapath tests.
 */
#ifndef SCIM_TESTMODEL_H
#define SCIM_TESTMODEL_H

#include <stdlib.h>
#include <string.h>

#include "arch/analog/analog.h"
#include "arch/datapath.h"
#include "arch/neuron.h"
#include "harness.h"
#include "arch/config.h"
#include "sim/base/rng.h"
#include "workloads/dataset.h"
#include "workloads/model.h"

struct tlayer_spec {
    enum scim_layer_kind kind;
    int out_c, kernel, stride, padding;
    enum scim_pool_kind pool;
    int pool_size;
};

static inline double *rnd_vec(struct scim_rng *r, int n, double lo, double hi)
{
    double *v = malloc((size_t)n * sizeof(double));
    for (int i = 0; i < n; i++)
        v[i] = lo + (hi - lo) * scim_rng_uniform(r);
    return v;
}

/* The built-in defaults with the model key filled and the n overrides ov applied. */
/* n random c x h x w images with random labels of 10 classes (a fixed stream). */
static inline void tm_dataset(struct scim_dataset *ds, int n, int c, int h, int w)
{
    struct scim_rng r;
    scim_rng_init(&r, 77, 1);
    memset(ds, 0, sizeof(*ds));
    ds->name = strdup("synthetic");
    ds->n = n, ds->c = c, ds->h = h, ds->w = w, ds->classes = 10;
    ds->pixels = malloc((size_t)n * c * h * w);
    ds->labels = malloc((size_t)n);
    for (size_t i = 0; i < (size_t)n * c * h * w; i++)
        ds->pixels[i] = (uint8_t)scim_rng_u32(&r);
    for (int i = 0; i < n; i++)
        ds->labels[i] = (uint8_t)(scim_rng_u32(&r) % 10);
}

static inline void tm_load_cfg(struct scim_config *cfg, const char *const *ov, size_t n)
{
    struct scim_diag d;
    scim_diag_init(&d, stderr);
    const char *all[32] = {"workload.model=unused.yaml"};
    for (size_t i = 0; i < n && i < 31; i++)
        all[i + 1] = ov[i];
    ASSERT_EQ(scim_config_load(cfg, NULL, all, n + 1, &d), 0);
    scim_diag_free(&d);
}

/* A small LeNet-like stack on a 12x12 input: conv (max pool), conv (average pool), two
 * linear layers. */
static const struct tlayer_spec tm_lenet[4] = {
    {SCIM_LAYER_CONV, 4, 3, 1, 1, SCIM_POOL_MAX, 2},
    {SCIM_LAYER_CONV, 6, 3, 1, 0, SCIM_POOL_AVG, 2},
    {SCIM_LAYER_LINEAR, 20, 0, 0, 0, SCIM_POOL_NONE, 1},
    {SCIM_LAYER_LINEAR, 10, 0, 0, 0, SCIM_POOL_NONE, 1},
};

/* Build a model with random +-1 weights, scales and batch-norm on a c x h x w input. */
static inline void tm_build_method(struct scim_model *m, const struct tlayer_spec *spec, int n,
                                   int c, int h, int w, enum scim_input_encoding enc,
                                   uint64_t seed, enum scim_method method)
{
    struct scim_rng r;
    scim_rng_init(&r, seed, 7);
    memset(m, 0, sizeof(*m));
    m->method_id = method;
    m->name = strdup("test"), m->topology = strdup("t"), m->method = strdup("scale_dropout");
    m->dataset = strdup("mnist"), m->manifest_path = strdup("test.yaml");
    m->in_c = c, m->in_h = h, m->in_w = w, m->encoding = enc, m->n_layers = n;
    m->layers = calloc((size_t)n, sizeof(*m->layers));
    for (int i = 0; i < n; i++) {
        struct scim_layer *L = &m->layers[i];
        snprintf(L->name, sizeof(L->name), "l%d", i);
        L->kind = spec[i].kind;
        L->in_c = c, L->in_h = h, L->in_w = w;
        if (L->kind == SCIM_LAYER_LINEAR) {
            L->in_c = c * h * w, L->in_h = L->in_w = 1;
            L->kernel = 1, L->stride = 1, L->padding = 0, L->out_h = L->out_w = 1;
            L->fan_in = L->in_c;
        } else {
            L->kernel = spec[i].kernel, L->stride = spec[i].stride, L->padding = spec[i].padding;
            L->out_h = (h + 2 * L->padding - L->kernel) / L->stride + 1;
            L->out_w = (w + 2 * L->padding - L->kernel) / L->stride + 1;
            L->fan_in = c * L->kernel * L->kernel;
        }
        L->out_c = spec[i].out_c;
        L->pool = spec[i].pool;
        L->pool_size = L->pool ? spec[i].pool_size : 1;
        L->pooled_h = L->out_h / L->pool_size, L->pooled_w = L->out_w / L->pool_size;
        L->weight = malloc((size_t)L->out_c * (size_t)L->fan_in);
        for (int k = 0; k < L->out_c * L->fan_in; k++)
            L->weight[k] = (scim_rng_u32(&r) & 1) ? 1 : -1;
        L->scale = rnd_vec(&r, L->out_c, 0.5, 1.5);
        L->bn_eps = 1e-5;
        if (m->method_id == SCIM_METHOD_AFFINE_DROPOUT) {
            L->norm_layer = 1;
            for (int j = 0; j < L->out_c; j++)
                L->scale[j] = 1.0;
            L->affine_w = rnd_vec(&r, L->out_c, -1.5, 1.5);
            L->affine_b = rnd_vec(&r, L->out_c, -3, 3);
        } else {
            L->has_bn = 1;
            L->bn_mean = rnd_vec(&r, L->out_c, -2, 2), L->bn_var = rnd_vec(&r, L->out_c, 0.5, 4);
            L->bn_gamma = rnd_vec(&r, L->out_c, -1.5, 1.5);
            L->bn_beta = rnd_vec(&r, L->out_c, -1, 1);
        }
        if (m->method_id == SCIM_METHOD_SUBSET) {
            L->n_scale_samples = 4, L->scale_bits = 4;
            L->scale_samples = rnd_vec(&r, 4 * L->out_c, 0.2, 2.0);
        }
        L->sign_out = i < n - 1;
        L->dropout_p = 0.3;
        L->input_scale = (i == 0 && enc == SCIM_INPUT_BITSERIAL8) ? 1.0 / 255.0 : 1.0;
        L->residual = -1;
        L->residual_gain = 1.0;
        c = L->out_c, h = L->pooled_h, w = L->pooled_w;
    }
    m->classes = m->layers[n - 1].out_c;
}

static inline void tm_build(struct scim_model *m, const struct tlayer_spec *spec, int n, int c,
                            int h, int w, enum scim_input_encoding enc, uint64_t seed)
{
    tm_build_method(m, spec, n, c, h, w, enc, seed, SCIM_METHOD_SCALE_DROPOUT);
}

/* A small residual network on 3x8x8 inputs (model.h): identity, stride-2 with
 * zero-padded channels (into a layer pooled after the add), conv into linear and
 * linear into linear shortcuts, each with a random gain in [0.5, 8]. */
#define TM_RESNET_LAYERS 8
static inline void tm_resnet(struct scim_model *m, enum scim_input_encoding enc, uint64_t seed,
                             enum scim_method method)
{
    static const struct tlayer_spec spec[TM_RESNET_LAYERS] = {
        {SCIM_LAYER_CONV, 4, 3, 1, 1, SCIM_POOL_NONE, 1},
        {SCIM_LAYER_CONV, 4, 3, 1, 1, SCIM_POOL_NONE, 1},
        {SCIM_LAYER_CONV, 4, 3, 1, 1, SCIM_POOL_NONE, 1}, /* + l0 */
        {SCIM_LAYER_CONV, 8, 3, 2, 1, SCIM_POOL_NONE, 1},
        {SCIM_LAYER_CONV, 8, 3, 1, 1, SCIM_POOL_AVG, 2},     /* + l2, stride 2, 4 -> 8 channels */
        {SCIM_LAYER_LINEAR, 16, 0, 0, 0, SCIM_POOL_NONE, 1}, /* + l4 (8x2x2), stride 2 */
        {SCIM_LAYER_LINEAR, 16, 0, 0, 0, SCIM_POOL_NONE, 1}, /* + l5 */
        {SCIM_LAYER_LINEAR, 10, 0, 0, 0, SCIM_POOL_NONE, 1},
    };
    static const int source[TM_RESNET_LAYERS] = {-1, -1, 0, -1, 2, 4, 5, -1};
    struct scim_rng r;
    tm_build_method(m, spec, TM_RESNET_LAYERS, 3, 8, 8, enc, seed, method);
    scim_rng_init(&r, seed, 8);
    for (int l = 0; l < TM_RESNET_LAYERS; l++) {
        m->layers[l].residual = source[l];
        m->layers[l].residual_gain = 0.5 + 7.5 * scim_rng_uniform(&r);
    }
}

/* Reference conv/linear MVM: s[pos][j] with explicit padding values. */
/* The contribution of a weight to the sum for input v (max = the largest |v|):
 * +-1 weights multiply; stuck pairs (faults.h codes +-2) give +-max whatever v is. */
static inline long ref_term(int8_t w, long v, long max)
{
    if (w == 2)
        return max;
    if (w == -2)
        return -max;
    return w * v;
}

/* keep: NULL, or one flag per weight row (0 = the row's input is dropped). */
static inline void ref_mvm(const struct scim_layer *L, const int *in, int pad_value,
                           const uint8_t *keep, long *s)
{
    if (L->kind == SCIM_LAYER_LINEAR) {
        for (int j = 0; j < L->out_c; j++) {
            long acc = 0;
            for (int i = 0; i < L->fan_in; i++)
                acc += (keep && !keep[i]) ? 0
                                          : ref_term(L->weight[(size_t)j * L->fan_in + i], in[i],
                                                     pad_value == -255 ? 255 : 1);
            s[j] = acc;
        }
        return;
    }
    for (int oy = 0; oy < L->out_h; oy++)
        for (int ox = 0; ox < L->out_w; ox++)
            for (int j = 0; j < L->out_c; j++) {
                long acc = 0;
                for (int c = 0; c < L->in_c; c++)
                    for (int kh = 0; kh < L->kernel; kh++)
                        for (int kw = 0; kw < L->kernel; kw++) {
                            int y = oy * L->stride + kh - L->padding;
                            int x = ox * L->stride + kw - L->padding;
                            int v = (y < 0 || x < 0 || y >= L->in_h || x >= L->in_w)
                                        ? pad_value
                                        : in[(c * L->in_h + y) * L->in_w + x];
                            int row = (c * L->kernel + kh) * L->kernel + kw;
                            if (!keep || keep[row])
                                acc += ref_term(L->weight[(size_t)j * L->fan_in + row], v,
                                                pad_value == -255 ? 255 : 1);
                        }
                s[(oy * L->out_w + ox) * L->out_c + j] = acc;
            }
}

/* y of every output of a layer (j-major, positions inner), plain formulas. */
static inline void ref_y(const struct scim_layer *L, const long *s, double isc, int variant,
                         double *y)
{
    int np = L->out_h * L->out_w, n = np * L->out_c;
    for (int j = 0; j < L->out_c; j++)
        for (int pos = 0; pos < np; pos++) {
            double sv = (double)s[pos * L->out_c + j];
            y[j * np + pos] = L->norm_layer ? scim_affine_v(L, j, sv, isc, variant)
                                            : scim_neuron_y(L, j, sv, isc, variant);
        }
    if (!L->norm_layer)
        return;
    double mean = 0, var = 0;
    for (int j = 0; j < L->out_c; j++) /* same summation order as the chip: j, then pos */
        for (int pos = 0; pos < np; pos++)
            mean += y[j * np + pos];
    mean /= n;
    for (int j = 0; j < L->out_c; j++)
        for (int pos = 0; pos < np; pos++)
            var += (y[j * np + pos] - mean) * (y[j * np + pos] - mean);
    var /= n;
    for (int k = 0; k < n; k++)
        y[k] = scim_layernorm_y(y[k], mean, var, L->bn_eps);
}

/* The shortcut r(j, y, x) of layer L (model.h) from the stored layer outputs: the
 * source's output subsampled by the stride, 0 on channels the source does not have. */
static inline int ref_shortcut(const struct scim_model *m, const struct scim_layer *L,
                               int *const *outs, int j, int y, int x)
{
    if (L->residual < 0)
        return 0;
    const struct scim_layer *S = &m->layers[L->residual];
    int st = S->pooled_h / L->out_h;
    if (j >= S->out_c)
        return 0;
    return outs[L->residual][(j * S->pooled_h + y * st) * S->pooled_w + x * st];
}

/* Sign (with the residual add), then pooling, of a hidden layer's y into out. */
static inline void ref_sign_pool(const struct scim_model *m, const struct scim_layer *L,
                                 const double *yv, int *const *outs, int *out)
{
    int np = L->out_h * L->out_w, ps = L->pool_size;
    for (int j = 0; j < L->out_c; j++)
        for (int py = 0; py < L->pooled_h; py++)
            for (int px = 0; px < L->pooled_w; px++) {
                int mx = -1, sum = 0;
                for (int dy = 0; dy < ps; dy++)
                    for (int dx = 0; dx < ps; dx++) {
                        int y = py * ps + dy, x = px * ps + dx;
                        int r = ref_shortcut(m, L, outs, j, y, x);
                        int v = scim_residual_y(L, yv[j * np + y * L->out_w + x], r) >= 0 ? 1 : -1;
                        mx = v > mx ? v : mx;
                        sum += v;
                    }
                int v = L->pool == SCIM_POOL_AVG ? (sum >= 0 ? 1 : -1) : mx;
                out[(j * L->pooled_h + py) * L->pooled_w + px] = v;
            }
}

/* Reference forward pass of one image; variant[l] and keep[l] (NULL or per row)
 * per layer; logits out. Up to 16 layers. */
static inline void ref_forward_ex(const struct scim_model *m, const uint8_t *pix, int bitserial,
                                  const int *dropped, uint8_t *const *keep, double *logits)
{
    int n_in = m->in_c * m->in_h * m->in_w;
    int *pixels = malloc((size_t)n_in * sizeof(int)), *in = pixels, *outs[16] = {0};
    for (int i = 0; i < n_in; i++)
        in[i] = bitserial ? 2 * pix[i] - 255 : (pix[i] >= 128 ? 1 : -1);
    for (int l = 0; l < m->n_layers; l++) {
        const struct scim_layer *L = &m->layers[l];
        long *s = malloc((size_t)L->out_h * L->out_w * L->out_c * sizeof(long));
        ref_mvm(L, in, (l == 0 && bitserial) ? -255 : -1, keep ? keep[l] : NULL, s);
        double isc = (l == 0 && bitserial) ? 1.0 / 255.0 : 1.0;
        int np = L->out_h * L->out_w;
        double *yv = malloc((size_t)np * L->out_c * sizeof(double));
        ref_y(L, s, isc, dropped[l], yv);
        free(s);
        if (!L->sign_out) {
            for (int j = 0; j < L->out_c; j++)
                logits[j] = yv[j];
            free(yv);
            break;
        }
        outs[l] = malloc((size_t)L->out_c * L->pooled_h * L->pooled_w * sizeof(int));
        ref_sign_pool(m, L, yv, outs, outs[l]);
        free(yv);
        in = outs[l];
    }
    free(pixels);
    for (int l = 0; l < 16; l++)
        free(outs[l]);
}

static inline void ref_forward(const struct scim_model *m, const uint8_t *pix, int bitserial,
                               const int *dropped, double *logits)
{
    ref_forward_ex(m, pix, bitserial, dropped, NULL, logits);
}

/* The engine's chain for one pass: pixels -> layers -> logits, each layer's reads through
 * the chip's analog read model an (NULL: digital; work its work space, pass keys the read
 * noise); variant[l] is layer l's scale variant, masks[l] NULL or the packed rows kept by
 * input dropout; the events add up in st. */
static inline void tm_forward(const struct scim_mapping *mp, const struct scim_analog *an,
                              void *work, const uint8_t *pix, const int *variant,
                              uint64_t *const *masks, int pass, double *logits,
                              struct scim_mvm_stats *st)
{
    struct scim_act act[16];
    uint64_t scratch[64];
    ASSERT(mp->n_layers <= 16);
    for (int l = 0; l < mp->n_layers; l++)
        ASSERT_EQ(scim_act_alloc(&act[l], &mp->layers[l]), 0);
    scim_act_from_pixels(&act[0], &mp->layers[0], pix);
    for (int l = 0; l < mp->n_layers; l++) {
        const struct scim_layer_map *lm = &mp->layers[l];
        int32_t *s = malloc((size_t)lm->positions * (size_t)lm->layer->out_c * sizeof(int32_t));
        struct scim_mvm_stats one = {0};
        scim_analog_mvm(an, work, lm, &act[l], masks ? masks[l] : NULL, s, scratch, &one, 0, pass);
        st->cells_lrs += one.cells_lrs, st->clips += one.clips, st->misreads += one.misreads;
        st->wordlines_off += one.wordlines_off, st->cells_off += one.cells_off;
        int k = lm->layer->residual;
        scim_postprocess(lm, s, variant[l], k >= 0 ? &act[k + 1] : NULL,
                         l + 1 < mp->n_layers ? &act[l + 1] : NULL, logits);
        free(s);
    }
    for (int l = 0; l < mp->n_layers; l++)
        scim_act_free(&act[l]);
}

#endif
