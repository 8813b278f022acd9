/*
 * test_shapes.c - models described by their shapes alone (`weights: random`,
 * workloads/model_random.c): the weights are the same for the same manifest and
 * pinned to known values (the streams must not move between machines or
 * versions), a layer's weights do not depend on the other layers, p_plus is the
 * fraction of +1 weights, every other value is synth.py's untrained model (scale
 * 1, initial batch norm, affine gamma/beta around 1/0, subset samples on a 4-bit
 * grid); wrong blocks are refused at their file:line:col; a residual network and
 * the shipped manifests of workloads/shapes/ load.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/base/diag.h"
#include "sim/base/error.h"
#include "tests/harness.h"
#include "workloads/model.h"

static char tmpdir[512], path[600];

/* Write text as the test's manifest and return its path. */
static const char *manifest(const char *text)
{
    snprintf(path, sizeof(path), "%s/m.yaml", tmpdir);
    FILE *f = fopen(path, "wb");
    ASSERT(f && fputs(text, f) >= 0 && fclose(f) == 0);
    return path;
}

/* A conv layer (1 -> 8 channels, k3) and two linear layers on a 1x8x8 input;
 * WEIGHTS and METHOD and EXTRA are filled in by build(). */
static const char mlp_fmt[] =
    "format: spincim-model\n"
    "version: 1\n"
    "name: shapes\n"
    "method: %s\n"
    "classes: 10\n"
    "dataset: synthetic:1x8x8\n"
    "input: {channels: 1, height: 8, width: 8, encoding: binary}\n"
    "%s"
    "layers:\n"
    "  - {name: c1, kind: conv, out_channels: 8, kernel: 3, padding: 1, "
    "pool: {kind: max, size: 2}, activation: sign%s}\n"
    "  - {name: fc1, kind: linear, out_features: %d, activation: sign%s}\n"
    "  - {name: out, kind: linear, out_features: 10, activation: none%s}\n";

static const char *build(const char *method, const char *weights, int hidden, const char *extra)
{
    static char text[2048];
    snprintf(text, sizeof(text), mlp_fmt, method, weights, extra, hidden, extra, extra);
    return manifest(text);
}

static void load_ok(struct scim_model *m, const char *file)
{
    struct scim_diag d;
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_model_load(m, file, &d), 0);
    ASSERT_EQ(d.errors, 0);
    scim_diag_free(&d);
}

static size_t n_weights(const struct scim_layer *ly)
{
    return (size_t)ly->out_c * (size_t)ly->fan_in;
}

static int same_weights(const struct scim_layer *a, const struct scim_layer *b)
{
    return n_weights(a) == n_weights(b) && !memcmp(a->weight, b->weight, n_weights(a));
}

/* Same manifest, same weights; another seed, other weights; a layer's weights do not
 * change when another layer's shape does. Pinned: the first weights of seed 1. */
static void test_determinism(void)
{
    struct scim_model a, b, c, e;
    load_ok(&a, build("bnn", "weights: {random: {seed: 7}}\n", 64, ""));
    load_ok(&b, build("bnn", "weights: {random: {seed: 7}}\n", 64, ""));
    for (int l = 0; l < 3; l++)
        ASSERT(same_weights(&a.layers[l], &b.layers[l]));
    load_ok(&c, build("bnn", "weights: {random: {seed: 8}}\n", 64, ""));
    ASSERT(!same_weights(&a.layers[0], &c.layers[0]));
    load_ok(&e, build("bnn", "weights: {random: {seed: 7}}\n", 32, ""));
    ASSERT(same_weights(&a.layers[0], &e.layers[0]));
    ASSERT(!memcmp(a.layers[1].weight, e.layers[1].weight, 32 * (size_t)a.layers[1].fan_in));
    scim_model_free(&a), scim_model_free(&b), scim_model_free(&c), scim_model_free(&e);

    load_ok(&a, build("bnn", "weights: random\n", 64, ""));
    char first[17];
    int plus = 0;
    for (int k = 0; k < 16; k++)
        first[k] = a.layers[0].weight[k] > 0 ? '+' : '-';
    first[16] = '\0';
    for (size_t k = 0; k < n_weights(&a.layers[1]); k++)
        plus += a.layers[1].weight[k] > 0;
    ASSERT_STR_EQ(first, "++++-+------+--+");
    ASSERT_EQ(plus, 4107);
    scim_model_free(&a);
}

static double plus_fraction(const struct scim_model *m)
{
    size_t plus = 0, n = 0;
    for (int l = 0; l < m->n_layers; l++)
        for (size_t k = 0; k < n_weights(&m->layers[l]); k++, n++) {
            ASSERT(m->layers[l].weight[k] == 1 || m->layers[l].weight[k] == -1);
            plus += m->layers[l].weight[k] == 1;
        }
    return (double)plus / (double)n;
}

/* The fraction of +1 weights is p_plus: within 5 standard deviations of the 8,000
 * draws of the model; exactly 0 or 1 at the ends. */
static void test_p_plus(void)
{
    static const double ps[] = {0.0, 0.1, 0.25, 0.5, 0.9, 1.0};
    for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
        char w[80];
        struct scim_model m;
        snprintf(w, sizeof(w), "weights: {random: {seed: 3, p_plus: %g}}\n", ps[i]);
        load_ok(&m, build("bnn", w, 64, ""));
        size_t n = 0;
        for (int l = 0; l < m.n_layers; l++)
            n += n_weights(&m.layers[l]);
        ASSERT_EQ(n, 8 * 9 + 64 * 128 + 10 * 64);
        ASSERT_NEAR(plus_fraction(&m), ps[i], 5 * sqrt(ps[i] * (1 - ps[i]) / (double)n));
        scim_model_free(&m);
    }
    struct scim_model m;
    load_ok(&m, build("bnn", "weights: {random: {p_plus: 30%}}\n", 64, ""));
    ASSERT_NEAR(m.random_p_plus, 0.3, 1e-15);
    ASSERT_NEAR(plus_fraction(&m), 0.3, 5 * sqrt(0.21 / 8904.0));
    scim_model_free(&m);
}

/* The values beside the weights: synth.py's untrained model. */
static void test_defaults(void)
{
    struct scim_model m;
    load_ok(&m, build("scale_dropout", "weights:\n  random:\n", 64, ", dropout_p: 0.2"));
    ASSERT(m.random_weights == 1 && m.random_seed == 1 && m.random_p_plus == 0.5);
    ASSERT(m.tensors_path == NULL && strcmp(m.dataset, "synthetic:1x8x8") == 0);
    for (int l = 0; l < m.n_layers; l++) {
        const struct scim_layer *ly = &m.layers[l];
        ASSERT(ly->has_bn && ly->bias == NULL && ly->affine_w == NULL && !ly->scale_samples);
        ASSERT_NEAR(ly->dropout_p, 0.2, 1e-15);
        ASSERT_NEAR(ly->bn_eps, 1e-5, 0);
        for (int j = 0; j < ly->out_c; j++) {
            ASSERT(ly->scale[j] == 1.0 && ly->bn_mean[j] == 0.0 && ly->bn_var[j] == 1.0);
            ASSERT(ly->bn_gamma[j] == 1.0 && ly->bn_beta[j] == 0.0);
        }
    }
    ASSERT_NEAR(m.layers[0].input_scale, 1.0, 0); /* binary first-layer input */
    ASSERT_EQ(scim_model_weight_count(&m), (72 + 5 * 8) + (64 * 128 + 5 * 64) + (640 + 50));
    scim_model_free(&m);
}

/* Mean and standard deviation of n values. */
static void moments(const double *v, size_t n, double *mean, double *sd)
{
    double s = 0, q = 0;
    for (size_t k = 0; k < n; k++)
        s += v[k], q += v[k] * v[k];
    *mean = s / (double)n;
    *sd = sqrt(q / (double)n - *mean * *mean);
}

/* affine_dropout: gamma ~ N(1, 0.3^2), beta ~ N(0, 0.3^2) * sqrt(fan-in), no batch norm. */
static void test_affine(void)
{
    struct scim_model m;
    double mean, sd;
    load_ok(&m,
            build("affine_dropout", "weights: random\n", 2000, ", norm: layer, dropout_p: 0.3"));
    const struct scim_layer *ly = &m.layers[1];
    ASSERT(!ly->has_bn && ly->affine_w && ly->affine_b && ly->scale[0] == 1.0);
    moments(ly->affine_w, 2000, &mean, &sd);
    ASSERT_NEAR(mean, 1.0, 0.03);
    ASSERT_NEAR(sd, 0.3, 0.03);
    moments(ly->affine_b, 2000, &mean, &sd);
    ASSERT_NEAR(mean, 0.0, 0.03 * sqrt(128.0));
    ASSERT_NEAR(sd, 0.3 * sqrt(128.0), 0.03 * sqrt(128.0));
    ASSERT_NEAR(m.layers[0].affine_w[0], 0.86382400998869646, 1e-12); /* pinned stream */
    scim_model_free(&m);
}

/* subset: 16 samples per output around 1 (sigma 0.1 by default), samples and the mean
 * scale on one grid of 2^4 levels per layer that reaches the extreme samples. */
static void test_subset(void)
{
    struct scim_model m;
    double mean, sd;
    load_ok(&m, build("subset", "weights: random\n", 256, ", scale_samples: 16"));
    const struct scim_layer *ly = &m.layers[1];
    size_t n = 16 * 256;
    ASSERT(ly->scale_bits == 4 && ly->has_bn);
    double lo = 1, hi = 1;
    for (size_t k = 0; k < n; k++)
        lo = fmin(lo, ly->scale_samples[k]), hi = fmax(hi, ly->scale_samples[k]);
    for (size_t k = 0; k < n; k++) {
        double code = (ly->scale_samples[k] - lo) / (hi - lo) * 15;
        ASSERT_NEAR(code, floor(code + 0.5), 1e-9);
    }
    double code1 = (ly->scale[0] - lo) / (hi - lo) * 15;
    ASSERT_NEAR(code1, floor(code1 + 0.5), 1e-9);
    ASSERT_NEAR(ly->scale[0], 1.0, (hi - lo) / 30 + 1e-12);
    moments(ly->scale_samples, n, &mean, &sd);
    ASSERT_NEAR(mean, 1.0, 0.01);
    ASSERT_NEAR(sd, 0.1, 0.01);
    scim_model_free(&m);
    load_ok(&m, build("subset", "weights: {random: {scale_sigma: 0.4}}\n", 256,
                      ", scale_samples: 4, scale_bits: 3"));
    moments(m.layers[1].scale_samples, 4 * 256, &mean, &sd);
    ASSERT(m.layers[1].scale_bits == 3);
    ASSERT_NEAR(sd, 0.4, 0.05);
    scim_model_free(&m);
}

static void expect_error(const char *file, int code, const char *want)
{
    struct scim_diag d;
    struct scim_model m;
    char full[1024];
    scim_diag_init(&d, NULL);
    ASSERT_EQ(scim_model_load(&m, file, &d), code);
    snprintf(full, sizeof(full), "%s:%s", file, want);
    ASSERT_STR_CONTAINS(d.text, full);
    ASSERT(m.layers == NULL && m.tensors_path == NULL);
    scim_diag_free(&d);
}

/* Each wrong block at its file:line:col. */
static void test_errors(void)
{
    expect_error(build("bnn", "weights: {random: {p_plus: 1.5}}\n", 64, ""), SCIM_ECONFIG,
                 "8:28: error: 'weights.random.p_plus' must be in [0, 1], got 1.5");
    expect_error(build("bnn", "weights: {random: {p_plus: -0.1}}\n", 64, ""), SCIM_ECONFIG,
                 "8:28: error: 'weights.random.p_plus' must be in [0, 1], got -0.1");
    expect_error(build("bnn", "weights: {random: {seed: x}}\n", 64, ""), SCIM_ECONFIG,
                 "8:26: error: 'weights.random.seed' expects an integer, got 'x'");
    expect_error(build("bnn", "weights: random\ntensors: m.safetensors\n", 64, ""), SCIM_ECONFIG,
                 "8:1: error: 'weights' and 'tensors' exclude each other");
    expect_error(build("bnn", "weights: {random: {p_plsu: 0.4}}\n", 64, ""), SCIM_ECONFIG,
                 "8:20: error: unknown key 'p_plsu' in 'weights.random' (did you mean 'p_plus'?)");
    expect_error(build("bnn", "weights: {randon: {}}\n", 64, ""), SCIM_ECONFIG,
                 "8:11: error: unknown key 'randon' in 'weights' (did you mean 'random'?)");
    expect_error(build("bnn", "weights: {}\n", 64, ""), SCIM_ECONFIG,
                 "8:10: error: missing required key 'random' in 'weights'");
    expect_error(build("bnn", "weights: trained\n", 64, ""), SCIM_ECONFIG,
                 "8:10: error: 'weights' must be 'random' or a mapping {random: {seed: N, "
                 "p_plus: P}}, got 'trained'");
    expect_error(build("bnn", "weights: {random: 0.5}\n", 64, ""), SCIM_ECONFIG,
                 "8:19: error: 'weights.random' expects a mapping, got a value");
    expect_error(build("bnn", "", 64, ""), SCIM_ECONFIG,
                 "1:1: error: missing required key 'tensors' (the tensor file; a model described "
                 "by its shapes alone says 'weights: random' instead)");
    expect_error(build("bnn", "weights: random\ntest_vector: {samples: 4}\n", 64, ""), SCIM_ECONFIG,
                 "9:1: error: 'test_vector' needs its tensors, but a model with random weights");
    expect_error(build("bnn", "weights: {random: {p_plus: 2}}\n", 64, ", dropout_p: 2"),
                 SCIM_ECONFIG, "10:125: error: 'layers[0].dropout_p' must be in [0, 1], got 2");
    expect_error(build("bnn", "weights: random\n", 1000000, ""), SCIM_ECONFIG,
                 "8:1: error: random weights: the layers need 138000072 binary weights and "
                 "5000090 other values; a model without a tensor file holds at most 2^27 weights "
                 "and 2^24 other values");
}

/* A residual block: c2 adds c1's output, c3 (stride 2, more channels) adds c2's. */
static void test_residual(void)
{
    struct scim_model m;
    load_ok(&m, manifest("format: spincim-model\nversion: 1\nname: res\nmethod: scale_dropout\n"
                         "classes: 10\ndataset: synthetic:3x8x8\n"
                         "input: {channels: 3, height: 8, width: 8, encoding: bitserial8}\n"
                         "weights: {random: {seed: 5, p_plus: 0.5}}\n"
                         "layers:\n"
                         "  - {name: c1, kind: conv, out_channels: 4, kernel: 3, padding: 1, "
                         "activation: sign, dropout_p: 0.1}\n"
                         "  - {name: c2, kind: conv, out_channels: 4, kernel: 3, padding: 1, "
                         "activation: sign, residual: c1}\n"
                         "  - {name: c3, kind: conv, out_channels: 8, kernel: 3, stride: 2, "
                         "padding: 1, pool: {kind: avg, size: 4}, activation: sign, residual: c2, "
                         "residual_gain: 0.5}\n"
                         "  - {name: fc, kind: linear, out_features: 10, activation: none}\n"));
    ASSERT(m.layers[0].residual == -1 && m.layers[1].residual == 0 && m.layers[2].residual == 1);
    ASSERT_NEAR(m.layers[2].residual_gain, 0.5, 0);
    ASSERT(m.layers[2].out_h == 4 && m.layers[2].pooled_h == 1 && m.layers[3].fan_in == 8);
    ASSERT_NEAR(m.layers[0].input_scale, 1.0 / 255.0, 0);
    ASSERT(m.random_seed == 5 && m.layers[3].weight && m.layers[3].has_bn);
    scim_model_free(&m);
}

/* Every manifest of workloads/shapes/ loads with random weights: layers and shortcuts. */
static void test_shipped(void)
{
    static const struct {
        const char *name;
        int layers, residuals;
        long long weights;
    } want[] = {
        {"vgg-small", 9, 0, 4574592LL + 8192 * 1024 + 1024 * 1024 + 10240},
        {"vgg-small-subset", 9, 0, 4574592LL + 8192 * 1024 + 1024 * 1024 + 10240},
        {"resnet20", 20, 9, 268336},
        {"resnet18", 18, 8, 10992320},
        {"lenet5", 5, 0, 150 + 2400 + 48000 + 10080 + 840},
        {"lenet5-wide", 5, 0, 800 + 51200 + 409600 + 32768 + 1280},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        char file[600];
        struct scim_model m;
        long long w = 0;
        int res = 0;
        snprintf(file, sizeof(file), "%s/workloads/shapes/%s.yaml", SPINCIM_SOURCE_DIR,
                 want[i].name);
        load_ok(&m, file);
        for (int l = 0; l < m.n_layers; l++)
            w += (long long)n_weights(&m.layers[l]), res += m.layers[l].residual >= 0;
        if (m.n_layers != want[i].layers || res != want[i].residuals || w != want[i].weights)
            fprintf(stderr, "%s: %d layers, %d residual, %lld weights\n", want[i].name, m.n_layers,
                    res, w);
        ASSERT(m.random_weights && m.n_layers == want[i].layers && res == want[i].residuals);
        ASSERT_EQ(w, want[i].weights);
        scim_model_free(&m);
    }
}

int main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "%s/test_shapes-XXXXXX", SPINCIM_BINARY_DIR);
    ASSERT(mkdtemp(tmpdir));
    test_determinism();
    test_p_plus();
    test_defaults();
    test_affine();
    test_subset();
    test_errors();
    test_residual();
    test_shipped();
    unlink(path);
    ASSERT(rmdir(tmpdir) == 0);
    printf("test_shapes: ok\n");
    return 0;
}
