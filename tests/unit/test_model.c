/*
 * test_model.c - the model loader on a tiny generated model (conv 1->2, k3, pad 1,
 * max-pool 2 on a 4x4 input, then linear 8->10): a valid manifest and tensor
 * file load with the chained shapes and the stored values; broken manifests
 * report every error at its line:col; tensor files that disagree with the
 * manifest (shape, dtype, value, missing or extra tensors) are refused with a
 * message naming the tensor; residual connections resolve to an earlier layer
 * whose output fits, or are refused at their line:col; a Bayesian test vector loads
 * with its manifest block, or is refused at the block's line:col.
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

static char tmpdir[512];
static char made[64][600];
static int n_made;

static const char *tmp_path(const char *name)
{
    for (int i = 0; i < n_made; i++) {
        const char *base = strrchr(made[i], '/');
        if (base && strcmp(base + 1, name) == 0)
            return made[i];
    }
    ASSERT(n_made < 64);
    snprintf(made[n_made], sizeof(made[n_made]), "%s/%s", tmpdir, name);
    return made[n_made++];
}

static const char *write_text(const char *name, const char *text)
{
    const char *path = tmp_path(name);
    FILE *f = fopen(path, "wb");
    ASSERT(f);
    ASSERT(fputs(text, f) >= 0);
    ASSERT(fclose(f) == 0);
    return path;
}

/* One tensor to write: I8 from w, F32 from v (converted to little-endian float). */
struct tspec {
    const char *name;
    const char *dtype;
    int ndim;
    uint64_t shape[4];
    const int8_t *w;
    const double *v;
};

static size_t numel(const struct tspec *t)
{
    size_t n = 1;
    for (int i = 0; i < t->ndim; i++)
        n *= (size_t)t->shape[i];
    return n;
}

static void write_tensors(const char *name, const struct tspec *ts, int n)
{
    char json[4096];
    uint8_t data[4096];
    size_t used = 0, off = 0;
    used += (size_t)snprintf(json + used, sizeof(json) - used, "{");
    for (int i = 0; i < n; i++) {
        const struct tspec *t = &ts[i];
        size_t es = strcmp(t->dtype, "I8") == 0 ? 1 : 4, cnt = numel(t);
        used += (size_t)snprintf(json + used, sizeof(json) - used,
                                 "%s\"%s\":{\"dtype\":\"%s\",\"shape\":[", i ? "," : "", t->name,
                                 t->dtype);
        for (int k = 0; k < t->ndim; k++)
            used += (size_t)snprintf(json + used, sizeof(json) - used, "%s%llu", k ? "," : "",
                                     (unsigned long long)t->shape[k]);
        used += (size_t)snprintf(json + used, sizeof(json) - used, "],\"data_offsets\":[%zu,%zu]}",
                                 off, off + es * cnt);
        for (size_t k = 0; k < cnt; k++) {
            if (es == 1) {
                data[off++] = (uint8_t)t->w[k];
                continue;
            }
            float f = (float)t->v[k];
            uint32_t u;
            memcpy(&u, &f, 4);
            for (int b = 0; b < 4; b++)
                data[off++] = (uint8_t)(u >> (8 * b));
        }
    }
    used += (size_t)snprintf(json + used, sizeof(json) - used, "}");
    ASSERT(used < sizeof(json) && off < sizeof(data));
    FILE *f = fopen(tmp_path(name), "wb");
    ASSERT(f);
    for (int b = 0; b < 8; b++)
        fputc((int)((uint64_t)used >> (8 * b)) & 0xff, f);
    ASSERT(fwrite(json, 1, used, f) == used && fwrite(data, 1, off, f) == off);
    ASSERT(fclose(f) == 0);
}

static const char tiny_yaml[] = "format: spincim-model\n"
                                "version: 1\n"
                                "name: tiny\n"
                                "topology: tiny-cnn\n"
                                "method: scale_dropout\n"
                                "classes: 10\n"
                                "dataset: mnist\n"
                                "input: {channels: 1, height: 4, width: 4, encoding: bitserial8}\n"
                                "tensors: tiny.safetensors\n"
                                "bn_eps: 1.0e-3\n"
                                "layers:\n"
                                "  - name: conv1\n"
                                "    kind: conv\n"
                                "    out_channels: 2\n"
                                "    kernel: 3\n"
                                "    stride: 1\n"
                                "    padding: 1\n"
                                "    pool: {kind: max, size: 2}\n"
                                "    activation: sign\n"
                                "    dropout_p: 0.25\n"
                                "  - name: fc\n"
                                "    kind: linear\n"
                                "    out_features: 10\n"
                                "    activation: none\n"
                                "    dropout_p: 0.1\n"
                                "provenance:\n"
                                "  command: \"python3 tools/train/train.py --topology tiny\"\n"
                                "  epochs: 3\n"
                                "  test_accuracy: 0.5\n";

static int8_t conv_w[18], fc_w[80];
static double conv_scale[2] = {0.5, 2.0}, bn_mean[2] = {0.1, -0.1}, bn_var[2] = {1.0, 4.0},
              bn_gamma[2] = {1.0, 0.5}, bn_beta[2] = {0.0, 0.25}, fc_scale[10], fc_bias[10];

/* The tensors of the tiny model; n_out is how many of them, tweak changes one. */
static int tiny_tensors(struct tspec *ts)
{
    for (int i = 0; i < 18; i++)
        conv_w[i] = (i % 3 == 0) ? -1 : 1;
    for (int i = 0; i < 80; i++)
        fc_w[i] = (i % 7 < 3) ? 1 : -1;
    for (int i = 0; i < 10; i++) {
        fc_scale[i] = 0.125 * (i + 1);
        fc_bias[i] = -0.5 + 0.25 * i;
    }
    const struct tspec all[] = {
        {"conv1.weight", "I8", 4, {2, 1, 3, 3}, conv_w, NULL},
        {"conv1.scale", "F32", 1, {2}, NULL, conv_scale},
        {"conv1.bn.mean", "F32", 1, {2}, NULL, bn_mean},
        {"conv1.bn.var", "F32", 1, {2}, NULL, bn_var},
        {"conv1.bn.weight", "F32", 1, {2}, NULL, bn_gamma},
        {"conv1.bn.bias", "F32", 1, {2}, NULL, bn_beta},
        {"fc.weight", "I8", 2, {10, 8}, fc_w, NULL},
        {"fc.scale", "F32", 1, {10}, NULL, fc_scale},
        {"fc.bias", "F32", 1, {10}, NULL, fc_bias},
    };
    memcpy(ts, all, sizeof(all));
    return (int)(sizeof(all) / sizeof(all[0]));
}

static void test_valid(void)
{
    struct tspec ts[12];
    int n = tiny_tensors(ts);
    write_tensors("tiny.safetensors", ts, n);
    const char *path = write_text("tiny.yaml", tiny_yaml);
    struct scim_diag d;
    struct scim_model m;
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_model_load(&m, path, &d), 0);
    ASSERT_EQ(d.errors, 0);
    ASSERT(strcmp(m.name, "tiny") == 0 && strcmp(m.topology, "tiny-cnn") == 0);
    ASSERT(strcmp(m.method, "scale_dropout") == 0 && strcmp(m.dataset, "mnist") == 0);
    ASSERT(m.in_c == 1 && m.in_h == 4 && m.in_w == 4 && m.classes == 10);
    ASSERT(m.encoding == SCIM_INPUT_BITSERIAL8);
    ASSERT_NEAR(m.reported_accuracy, 0.5, 0);
    ASSERT(strcmp(m.provenance_command, "python3 tools/train/train.py --topology tiny") == 0);
    ASSERT(strcmp(m.manifest_path, path) == 0);
    ASSERT_STR_CONTAINS(m.tensors_path, "/tiny.safetensors");
    ASSERT_EQ(m.n_layers, 2);

    const struct scim_layer *c = &m.layers[0];
    ASSERT(strcmp(c->name, "conv1") == 0 && c->kind == SCIM_LAYER_CONV);
    ASSERT(c->in_c == 1 && c->in_h == 4 && c->in_w == 4);
    ASSERT(c->out_c == 2 && c->out_h == 4 && c->out_w == 4);
    ASSERT(c->kernel == 3 && c->stride == 1 && c->padding == 1);
    ASSERT(c->pool == SCIM_POOL_MAX && c->pool_size == 2 && c->pooled_h == 2 && c->pooled_w == 2);
    ASSERT_EQ(c->fan_in, 9);
    for (int i = 0; i < 18; i++)
        ASSERT_EQ(c->weight[i], conv_w[i]);
    ASSERT_NEAR(c->scale[1], 2.0, 0);
    ASSERT(c->bias == NULL && c->has_bn);
    ASSERT_NEAR(c->bn_mean[0], 0.1, 1e-7);
    ASSERT_NEAR(c->bn_var[1], 4.0, 0);
    ASSERT_NEAR(c->bn_gamma[1], 0.5, 0);
    ASSERT_NEAR(c->bn_beta[1], 0.25, 0);
    ASSERT_NEAR(c->bn_eps, 1e-3, 0);
    ASSERT(c->sign_out == 1);
    ASSERT_NEAR(c->dropout_p, 0.25, 0);
    ASSERT_NEAR(c->input_scale, 1.0 / 255.0, 0);

    const struct scim_layer *f = &m.layers[1];
    ASSERT(strcmp(f->name, "fc") == 0 && f->kind == SCIM_LAYER_LINEAR);
    ASSERT(f->in_c == 8 && f->in_h == 1 && f->in_w == 1 && f->fan_in == 8);
    ASSERT(f->out_c == 10 && f->out_h == 1 && f->pooled_h == 1 && f->pooled_w == 1);
    ASSERT(f->pool == SCIM_POOL_NONE && f->pool_size == 1 && f->kernel == 1 && f->padding == 0);
    for (int i = 0; i < 80; i++)
        ASSERT_EQ(f->weight[i], fc_w[i]);
    ASSERT_NEAR(f->scale[9], 1.25, 0);
    ASSERT_NEAR(f->bias[0], -0.5, 0);
    ASSERT(!f->has_bn && f->bn_mean == NULL);
    ASSERT(f->sign_out == 0);
    ASSERT_NEAR(f->input_scale, 1.0, 0);
    ASSERT_NEAR(f->dropout_p, 0.1, 1e-12);
    ASSERT_EQ(scim_model_weight_count(&m), (2 * 9 + 2 + 4 * 2) + (10 * 8 + 10 + 10));

    scim_model_free(&m);
    scim_model_free(&m);
    ASSERT(m.layers == NULL && m.name == NULL);
    scim_diag_free(&d);
}

/* Unknown key, bad kernel and missing required key: all three, each at its place. */
static void test_three_errors(void)
{
    const char *path = write_text("three.yaml", "format: spincim-model\n"
                                                "version: 1\n"
                                                "topolgy: tiny-cnn\n"
                                                "name: tiny\n"
                                                "method: bnn\n"
                                                "classes: 10\n"
                                                "dataset: mnist\n"
                                                "input: {channels: 1, height: 4, width: 4, "
                                                "encoding: bitserial8}\n"
                                                "tensors: tiny.safetensors\n"
                                                "layers:\n"
                                                "  - name: conv1\n"
                                                "    kind: conv\n"
                                                "    out_channels: 2\n"
                                                "    kernel: x\n"
                                                "    activation: sign\n"
                                                "  - name: fc\n"
                                                "    kind: linear\n"
                                                "    activation: none\n");
    struct scim_diag d;
    struct scim_model m;
    char want[1024];
    scim_diag_init(&d, NULL);
    ASSERT_EQ(scim_model_load(&m, path, &d), SCIM_ECONFIG);
    ASSERT_EQ(d.errors, 3);
    snprintf(want, sizeof(want), "%s:3:1: error: unknown key 'topolgy' (did you mean 'topology'?)",
             path);
    ASSERT_STR_CONTAINS(d.text, want);
    snprintf(want, sizeof(want),
             "%s:14:13: error: 'layers[0].kernel' expects an integer, got 'x'", path);
    ASSERT_STR_CONTAINS(d.text, want);
    snprintf(want, sizeof(want),
             "%s:16:5: error: missing required key 'out_features' in 'layers[1]'", path);
    ASSERT_STR_CONTAINS(d.text, want);
    ASSERT(m.layers == NULL && m.name == NULL);
    scim_model_free(&m);
    scim_diag_free(&d);
}

/* Replace the first occurrence of from in base by to and load; expect code and needle. */
static void expect_edit(const char *base, const char *from, const char *to, int code,
                        const char *needle)
{
    char text[4096];
    const char *at = strstr(base, from);
    ASSERT(at);
    snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
    const char *path = write_text("edited.yaml", text);
    struct scim_diag d;
    struct scim_model m;
    scim_diag_init(&d, NULL);
    int rc = scim_model_load(&m, path, &d);
    if (rc != code || !d.text || !strstr(d.text, needle))
        fprintf(stderr, "manifest:\n%s\nmessages:\n%s", text, d.text ? d.text : "(none)\n");
    ASSERT_EQ(rc, code);
    ASSERT_STR_CONTAINS(d.text, needle);
    ASSERT(m.layers == NULL && m.tensors_path == NULL);
    scim_diag_free(&d);
}

static void expect_manifest(const char *from, const char *to, int code, const char *needle)
{
    expect_edit(tiny_yaml, from, to, code, needle);
}

static void test_manifest_errors(void)
{
    expect_manifest("spincim-model", "spincim-config", SCIM_ECONFIG,
                    ":1:9: error: 'format' must be 'spincim-model', got 'spincim-config'");
    expect_manifest("version: 1", "version: 2", SCIM_ECONFIG,
                    ":2:10: error: unsupported 'version' 2 (this spincim reads version 1)");
    expect_manifest("method: scale_dropout", "method: scale_dropuot", SCIM_ECONFIG,
                    "'method' must be one of bnn|scale_dropout|spindrop|spatial_spindrop|"
                    "affine_dropout|subset, got 'scale_dropuot' (did you mean 'scale_dropout'?)");
    expect_manifest("out_channels: 2", "out_channels: -2", SCIM_ECONFIG,
                    ":14:19: error: 'layers[0].out_channels' must be in [1, 1000000], got -2");
    expect_manifest("out_channels: 2", "out_channels: 2000000", SCIM_ECONFIG,
                    "'layers[0].out_channels' must be in [1, 1000000], got 2000000");
    expect_manifest("out_channels: 2", "out_channels: 99999999999999999999999", SCIM_ECONFIG,
                    "must be in [1, 1000000], got 99999999999999999999999");
    expect_manifest("height: 4", "height: 0", SCIM_ECONFIG,
                    "'input.height' must be in [1, 1000000], got 0");
    expect_manifest("dropout_p: 0.25", "dropout_p: 1.5", SCIM_ECONFIG,
                    ":20:16: error: 'layers[0].dropout_p' must be in [0, 1], got 1.5");
    expect_manifest("bn_eps: 1.0e-3", "bn_eps: -1", SCIM_ECONFIG,
                    "'bn_eps' must be in (0, inf], got -1");
    expect_manifest("    out_features: 10\n", "    out_features: 10\n    kernel: 3\n", SCIM_ECONFIG,
                    ":24:5: error: key 'kernel' in 'layers[1]' does not apply to a "
                    "linear layer");
    expect_manifest("pool: {kind: max, size: 2}", "pool: {kind: mean, sise: 2}", SCIM_ECONFIG,
                    "unknown key 'sise' in 'layers[0].pool' (did you mean 'size'?)");
    expect_manifest("kind: conv", "kind: dense", SCIM_ECONFIG,
                    "'layers[0].kind' must be one of conv|linear, got 'dense'");
    expect_manifest("name: fc", "name: conv1", SCIM_ECONFIG,
                    ":21:11: error: layer name 'conv1' is already used by layers[0]");
    expect_manifest("name: fc", "name: fc.x", SCIM_ECONFIG,
                    "'layers[1].name' must be 1 to 31 letters, digits, '_' or '-', got 'fc.x'");
    expect_manifest("layers:\n", "layers: []\nx:\n", SCIM_ECONFIG,
                    "'layers' must be a list of 1 to 4096 layers, got an empty list");
    expect_manifest("test_accuracy: 0.5", "test_accuracy: 0.5\n  notes: [a, b]", SCIM_ECONFIG,
                    "'provenance.notes' must be a single value");
    expect_manifest("test_accuracy: 0.5", "test_accuracy: 1.5", SCIM_ECONFIG,
                    "test_accuracy");
    /* shape chaining */
    expect_manifest("kernel: 3", "kernel: 7", SCIM_ECONFIG,
                    ":12:5: error: layer 'conv1': kernel 7 does not fit the input height 4 with "
                    "padding 1");
    expect_manifest("size: 2", "size: 5", SCIM_ECONFIG,
                    "layer 'conv1': output height 4 is smaller than the pooling size");
    expect_manifest("classes: 10", "classes: 9", SCIM_ECONFIG,
                    ":21:5: error: the last layer 'fc' has 10 outputs, but 'classes' is 9");
    expect_manifest("activation: sign", "activation: none", SCIM_ECONFIG,
                    "layer 'conv1': only the last layer may have activation 'none'");
    expect_manifest("activation: none", "activation: sign", SCIM_ECONFIG,
                    "the last layer 'fc' must have activation 'none'");
    expect_manifest("kind: linear", "kind: conv\n    kernel: 1", SCIM_ECONFIG,
                    "missing required key 'out_channels' in 'layers[1]'");
    expect_manifest("out_channels: 2\n    kernel: 3\n    stride: 1\n    padding: 1\n",
                    "out_channels: 1000\n    kernel: 2000\n    stride: 1\n    padding: 1000\n",
                    SCIM_ECONFIG, "layer 'conv1' is too large: fan-in 4000000 times 1000 outputs");
    expect_manifest("tensors: tiny.safetensors", "tensors: absent.safetensors", SCIM_ENOENT,
                    "absent.safetensors: error: cannot open");
}

/* A residual connection: c2 (4x2x2, stride 2) adds c1's output (2x4x4) with gain 0.5. */
static const char res_yaml[] = "format: spincim-model\n"
                               "version: 1\n"
                               "name: res\n"
                               "method: bnn\n"
                               "classes: 10\n"
                               "dataset: mnist\n"
                               "input: {channels: 1, height: 4, width: 4, encoding: binary}\n"
                               "tensors: res.safetensors\n"
                               "layers:\n"
                               "  - name: c1\n"
                               "    kind: conv\n"
                               "    out_channels: 2\n"
                               "    kernel: 3\n"
                               "    padding: 1\n"
                               "    activation: sign\n"
                               "  - name: c2\n"
                               "    kind: conv\n"
                               "    out_channels: 4\n"
                               "    kernel: 3\n"
                               "    stride: 2\n"
                               "    padding: 1\n"
                               "    activation: sign\n"
                               "    residual: c1\n"
                               "    residual_gain: 0.5\n"
                               "  - name: fc\n"
                               "    kind: linear\n"
                               "    out_features: 10\n"
                               "    activation: none\n";

static void test_residual(void)
{
    static int8_t w1[18], w2[72], w3[160];
    static double sc[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    memset(w1, 1, sizeof(w1)), memset(w2, 1, sizeof(w2)), memset(w3, 1, sizeof(w3));
    const struct tspec ts[] = {
        {"c1.weight", "I8", 4, {2, 1, 3, 3}, w1, NULL}, {"c1.scale", "F32", 1, {2}, NULL, sc},
        {"c2.weight", "I8", 4, {4, 2, 3, 3}, w2, NULL}, {"c2.scale", "F32", 1, {4}, NULL, sc},
        {"fc.weight", "I8", 2, {10, 16}, w3, NULL},     {"fc.scale", "F32", 1, {10}, NULL, sc},
    };
    write_tensors("res.safetensors", ts, 6);
    struct scim_diag d;
    struct scim_model m;
    scim_diag_init(&d, stderr);
    ASSERT_EQ(scim_model_load(&m, write_text("res.yaml", res_yaml), &d), 0);
    ASSERT(m.layers[0].residual == -1 && m.layers[2].residual == -1);
    ASSERT_NEAR(m.layers[0].residual_gain, 1.0, 0);
    ASSERT_EQ(m.layers[1].residual, 0);
    ASSERT_NEAR(m.layers[1].residual_gain, 0.5, 0);
    scim_model_free(&m);
    scim_diag_free(&d);
    static const char *const bad[][3] = {
        {"residual: c1", "residual: c9",
         ":23:15: error: layer 'c2': residual source 'c9' is not a layer of the model"},
        {"residual: c1", "residual: fc",
         ":23:15: error: layer 'c2': residual source 'fc' must be an earlier layer"},
        {"residual: c1", "residual: c2",
         ":23:15: error: layer 'c2': residual source 'c2' must be an earlier layer"},
        {"kernel: 3\n    stride: 2", "kernel: 2\n    stride: 1",
         ":23:15: error: layer 'c2': the output of residual source 'c1' is 4x4, not this layer's "
         "5x5 outputs times one integer stride"},
        {"out_channels: 4", "out_channels: 1",
         ":23:15: error: layer 'c2': residual source 'c1' has 2 channels, more than this "
         "layer's 1"},
        {"activation: none", "activation: none\n    residual: c2",
         ":29:15: error: the last layer 'fc' cannot have a residual connection (its outputs are "
         "the logits)"},
        {"residual_gain: 0.5", "residual_gain: 0",
         ":24:20: error: 'layers[1].residual_gain' must be in (0, inf], got 0"},
        {"    residual: c1\n", "", ":23:20: error: layer 'c2': 'residual_gain' needs 'residual'"},
        {"residual: c1", "residul: c1",
         ":23:5: error: unknown key 'residul' in 'layers[1]' (did you mean 'residual'?)"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_edit(res_yaml, bad[i][0], bad[i][1], SCIM_ECONFIG, bad[i][2]);
}

/* Write the tensors with one entry changed (or removed, or one added), expect the message. */
static void expect_tensors(void (*tweak)(struct tspec *ts, int *n), const char *needle)
{
    struct tspec ts[12];
    int n = tiny_tensors(ts);
    tweak(ts, &n);
    write_tensors("tiny.safetensors", ts, n);
    const char *path = write_text("tiny.yaml", tiny_yaml);
    struct scim_diag d;
    struct scim_model m;
    scim_diag_init(&d, NULL);
    int rc = scim_model_load(&m, path, &d);
    if (rc != SCIM_EFORMAT || !d.text || !strstr(d.text, needle))
        fprintf(stderr, "messages:\n%s", d.text ? d.text : "(none)\n");
    ASSERT_EQ(rc, SCIM_EFORMAT);
    ASSERT_EQ(d.errors, 1);
    ASSERT_STR_CONTAINS(d.text, "tiny.safetensors: error: ");
    ASSERT_STR_CONTAINS(d.text, needle);
    ASSERT(m.layers == NULL);
    scim_diag_free(&d);
}

static int8_t fc_w_wide[90];

static void fc_shape(struct tspec *ts, int *n)
{
    (void)n;
    ts[6].shape[1] = 9;
    for (int i = 0; i < 90; i++)
        fc_w_wide[i] = 1;
    ts[6].w = fc_w_wide;
}

static void zero_weight(struct tspec *ts, int *n)
{
    (void)ts;
    (void)n;
    conv_w[17] = 0;
}

static void f32_weight(struct tspec *ts, int *n)
{
    (void)n;
    static double v[80];
    ts[6].dtype = "F32";
    ts[6].w = NULL;
    ts[6].v = v;
}

static void drop_scale(struct tspec *ts, int *n)
{
    ts[7] = ts[--*n];
}

static void drop_bn_var(struct tspec *ts, int *n)
{
    ts[3] = ts[--*n];
}

static void extra_tensor(struct tspec *ts, int *n)
{
    ts[*n] = ts[8];
    ts[*n].name = "fc2.bias";
    (*n)++;
}

static void nan_scale(struct tspec *ts, int *n)
{
    (void)ts;
    (void)n;
    conv_scale[1] = NAN;
}

static void negative_var(struct tspec *ts, int *n)
{
    (void)ts;
    (void)n;
    bn_var[0] = -1;
}

static void test_tensor_errors(void)
{
    expect_tensors(fc_shape, "tensor 'fc.weight' has shape [10, 9], the manifest implies [10, 8]");
    expect_tensors(zero_weight, "tensor 'conv1.weight' element [1, 0, 2, 2] (index 17) is 0, "
                                "expected -1 or +1");
    expect_tensors(f32_weight, "tensor 'fc.weight' has dtype F32, expected I8");
    expect_tensors(drop_scale, "tensor 'fc.scale' is missing (layer 'fc' needs it)");
    expect_tensors(drop_bn_var, "layer 'conv1' has 3 of the 4 batch-norm tensors, "
                                "'conv1.bn.var' missing (all four or none)");
    expect_tensors(extra_tensor, "tensor 'fc2.bias' does not belong to any layer of the manifest");
    expect_tensors(nan_scale, "tensor 'conv1.scale' element 1 is nan, expected a finite number");
    conv_scale[1] = 2.0;
    expect_tensors(negative_var, "tensor 'conv1.bn.var' element 0 is -1, a variance cannot be "
                                 "negative");
    bn_var[0] = 1.0;
}

/* ---- the test vector ---- */

static const char tv_block[] = "test_vector:\n"
                               "  samples: 10\n"
                               "  alpha: 0.01\n"
                               "  command: \"python3 tools/train/testvec.py tiny.yaml\"\n";
static double tv_mu[16], tv_logvar[16];

/* The tiny model's tensors plus test_vector.mu and .logvar [1, 4, 4]. */
static int tv_tensors(struct tspec *ts)
{
    int n = tiny_tensors(ts);
    for (int k = 0; k < 16; k++) {
        tv_mu[k] = k / 16.0;
        tv_logvar[k] = -2.0 - k;
    }
    ts[n++] = (struct tspec){"test_vector.mu", "F32", 3, {1, 4, 4}, NULL, tv_mu};
    ts[n++] = (struct tspec){"test_vector.logvar", "F32", 3, {1, 4, 4}, NULL, tv_logvar};
    return n;
}

/* Load tiny.yaml + block with the tensors tv_tensors() gives after tweak (or the plain
 * tiny ones when plain); expect code and needle (and, for a block, its line:col). */
static void expect_tv(const char *block, void (*tweak)(struct tspec *ts, int *n), int plain,
                      int code, const char *needle)
{
    struct tspec ts[12];
    char text[4096], want[512];
    int n = plain ? tiny_tensors(ts) : tv_tensors(ts);
    if (tweak)
        tweak(ts, &n);
    write_tensors("tiny.safetensors", ts, n);
    snprintf(text, sizeof(text), "%s%s", tiny_yaml, block);
    const char *path = write_text("tiny.yaml", text);
    int line = 1;
    for (const char *p = tiny_yaml; *p; p++)
        line += *p == '\n';
    snprintf(want, sizeof(want), "%s:%d:1: error: %s", path, line, needle);
    struct scim_diag d;
    struct scim_model m;
    scim_diag_init(&d, NULL);
    int rc = scim_model_load(&m, path, &d);
    if (rc != code || (code && (!d.text || !strstr(d.text, needle))))
        fprintf(stderr, "messages:\n%s", d.text ? d.text : "(none)\n");
    ASSERT_EQ(rc, code);
    if (code && block[0] && strncmp(needle, "tensor", 6) == 0)
        ASSERT_STR_CONTAINS(d.text, want);
    else if (code)
        ASSERT_STR_CONTAINS(d.text, needle);
    if (code == 0) {
        ASSERT_EQ(m.tv_samples, 10);
        for (int k = 0; k < 16; k++) {
            ASSERT_NEAR(m.tv_mu[k], k / 16.0, 0);
            ASSERT_NEAR(m.tv_logvar[k], -2.0 - k, 0);
        }
    }
    ASSERT(code == 0 || (m.layers == NULL && m.tv_mu == NULL));
    scim_model_free(&m);
    scim_diag_free(&d);
}

static void tv_shape(struct tspec *ts, int *n)
{
    ts[*n - 2].ndim = 2; /* [1, 4] */
}

static void tv_dtype(struct tspec *ts, int *n)
{
    static const int8_t w[16] = {0};
    ts[*n - 1].dtype = "I8";
    ts[*n - 1].w = w;
}

static void tv_nan(struct tspec *ts, int *n)
{
    (void)ts;
    (void)n;
    tv_logvar[6] = NAN;
}

static void tv_no_logvar(struct tspec *ts, int *n)
{
    (void)ts;
    (*n)--;
}

static void test_test_vector(void)
{
    expect_tv(tv_block, NULL, 0, 0, "");
    expect_tv(tv_block, tv_shape, 0, SCIM_EFORMAT,
              "tensor 'test_vector.mu' has shape [1, 4], the model input is [1, 4, 4]");
    expect_tv(tv_block, tv_dtype, 0, SCIM_EFORMAT,
              "tensor 'test_vector.logvar' has dtype I8, expected F32");
    expect_tv(tv_block, tv_nan, 0, SCIM_EFORMAT,
              "tensor 'test_vector.logvar' element [0, 1, 2] (index 6) is nan, expected a finite "
              "number");
    expect_tv(tv_block, tv_no_logvar, 0, SCIM_EFORMAT,
              "tensor 'test_vector.logvar' is missing from ");
    expect_tv(tv_block, NULL, 1, SCIM_EFORMAT, "(the manifest's 'test_vector' needs it)");
    expect_tv("", NULL, 0, SCIM_EFORMAT,
              "tiny.safetensors: error: tensor 'test_vector.logvar' needs a 'test_vector' block in "
              "the manifest");
    expect_tv("test_vector: 3\n", NULL, 0, SCIM_ECONFIG, "yaml:30:14: error: 'test_vector' expects a "
                                                         "mapping, got a value");
    expect_tv("test_vector:\n  samples: 0\n", NULL, 0, SCIM_ECONFIG,
              "yaml:31:12: error: 'test_vector.samples' must be in [1, 1000000], got 0");
    expect_tv("test_vector:\n  alpha: -1\n", NULL, 0, SCIM_ECONFIG,
              "yaml:31:10: error: 'test_vector.alpha' must be in [0, inf], got -1");
    expect_tv("test_vector:\n  notes: [a, b]\n", NULL, 0, SCIM_ECONFIG,
              "yaml:31:10: error: 'test_vector.notes' must be a single value");
    tv_logvar[6] = -8.0;
}

static void test_files(void)
{
    struct scim_diag d;
    struct scim_model m;
    memset(&m, 0, sizeof(m));
    scim_model_free(&m); /* a zeroed model frees cleanly */
    scim_diag_init(&d, NULL);
    ASSERT_EQ(scim_model_load(&m, tmp_path("nothing.yaml"), &d), SCIM_ENOENT);
    ASSERT_STR_CONTAINS(d.text, "nothing.yaml: error: cannot open");
    write_text("empty.yaml", "");
    ASSERT_EQ(scim_model_load(&m, tmp_path("empty.yaml"), &d), SCIM_ECONFIG);
    ASSERT_STR_CONTAINS(d.text, "empty.yaml: error: a model manifest must be a mapping, got an "
                                "empty file");
    write_text("list.yaml", "- 1\n- 2\n");
    ASSERT_EQ(scim_model_load(&m, tmp_path("list.yaml"), &d), SCIM_ECONFIG);
    ASSERT_STR_CONTAINS(d.text, "list.yaml:1:1: error: a model manifest must be a mapping, got a "
                                "list");
    scim_diag_free(&d);
}

int main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "%s/test_model-XXXXXX", SPINCIM_BINARY_DIR);
    ASSERT(mkdtemp(tmpdir));
    test_valid();
    test_three_errors();
    test_manifest_errors();
    test_tensor_errors();
    test_files();
    test_residual();
    test_test_vector();
    for (int i = 0; i < n_made; i++)
        unlink(made[i]);
    ASSERT(rmdir(tmpdir) == 0);
    printf("test_model: ok\n");
    return 0;
}
