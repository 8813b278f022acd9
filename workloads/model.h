/*
 * model.h - a trained binary neural network as the simulator sees it.
 *
 * A model is a YAML manifest (topology, layer shapes, method, dropout
 * probabilities, provenance) plus a safetensors file with the tensors, or a
 * manifest alone whose `weights: random` block draws the weights from a seeded
 * distribution (an untrained network, for energy, area and latency); see
 * docs/model-format.md. The loader checks every shape against the manifest and
 * chains the layer shapes, so the mapper and the engines can trust them.
 *
 * Semantics of one binary layer (exactly what the engines and the reference
 * forward pass compute, in double precision):
 *   s_j  = sum_i W[j][i] * a_i          (W in {-1,+1}; a_i in {-1,+1}, or for the
 *                                        first layer with bit-serial input the
 *                                        integer u_i = 2*pixel - 255)
 *   z_j  = (s_j * input_scale + bias_j) * alpha_hat_j
 *          alpha_hat_j = scale_j, or 1 when the layer's scale is dropped
 *   y_j  = (z_j - bn_mean_j) / sqrt(bn_var_j + bn_eps) * bn_gamma_j + bn_beta_j
 *   out  = sign(y_j + g * r_j) (+1 if >= 0, else -1) for hidden layers, y_j for the last
 *          (r_j = 0 unless the layer has a residual connection, see below)
 *   then max pooling (of the +-1 values) or average pooling followed by sign.
 * Residual (skip) connection of hidden layer l from an earlier layer k (manifest
 * `residual: <name of k>`, gain g = `residual_gain`, default 1): k's output after its
 * pooling, shape (Ck, Hk, Wk), feeds the shortcut of l's MVM outputs (Cl, Hl, Wl) with
 * st = Hk / Hl = Wk / Wl (an integer) and Ck <= Cl ("option A" of ResNet):
 *   r(c, y, x) = act_k(c, y*st, x*st) in {-1, +1} for c < Ck, 0 for c >= Ck;
 * the add comes after batch-norm (or layer norm) and before the sign and pooling.
 * Convolution rows are ordered (c, kh, kw) like PyTorch's [Cout][Cin][K][K];
 * zero padding means the value -1 (pixel 0 in the first layer). A linear layer
 * after a conv layer reads the activations flattened in (c, y, x) order.
 */
#ifndef SCIM_MODEL_H
#define SCIM_MODEL_H

#include <stdint.h>

#include "sim/base/diag.h"

enum scim_layer_kind { SCIM_LAYER_CONV = 1, SCIM_LAYER_LINEAR };
enum scim_pool_kind { SCIM_POOL_NONE = 0, SCIM_POOL_MAX, SCIM_POOL_AVG };
enum scim_input_encoding { SCIM_INPUT_BITSERIAL8 = 1, SCIM_INPUT_BINARY };

/* How a model is made Bayesian (docs/model-format.md, "Bayesian methods"). */
enum scim_method {
    SCIM_METHOD_BNN = 0,
    SCIM_METHOD_SCALE_DROPOUT,
    SCIM_METHOD_SPINDROP,
    SCIM_METHOD_SPATIAL_SPINDROP,
    SCIM_METHOD_AFFINE_DROPOUT,
    SCIM_METHOD_SUBSET
};

struct scim_layer {
    char name[32];             /* manifest name, also the tensor prefix */
    enum scim_layer_kind kind; /* conv or linear */
    int in_c, in_h, in_w;      /* input shape (linear: in_c = features, in_h = in_w = 1) */
    int out_c, out_h, out_w;   /* output shape of the MVM, before pooling */
    int kernel, stride, padding; /* conv geometry (linear: 1, 1, 0) */
    enum scim_pool_kind pool;  /* pooling after the activation */
    int pool_size;             /* pooling window = stride (1 when pool is NONE) */
    int pooled_h, pooled_w;    /* output shape after pooling */
    int fan_in;                /* rows of the weight matrix: in_c*kernel*kernel or features */
    int8_t *weight;            /* [out_c][fan_in], each -1 or +1, rows in (c, kh, kw) order */
    double *scale;             /* [out_c] learned scale vector alpha */
    double *bias;              /* [out_c] or NULL */
    int has_bn;                /* 1 if batch-norm parameters are present */
    double *bn_mean, *bn_var, *bn_gamma, *bn_beta; /* [out_c] each, when has_bn */
    double bn_eps;             /* batch-norm epsilon (dimensionless) */
    int sign_out;              /* 1: hidden layer (sign activation); 0: output logits */
    double dropout_p;          /* dropout probability; its meaning depends on the method */
    int norm_layer;            /* 1: inverted normalization (affine, then layer norm) */
    double *affine_w;          /* affine_dropout: [out_c] gamma of the inverted normalization */
    double *affine_b;          /* affine_dropout: [out_c] beta */
    int scale_bits;            /* subset method: bits of a stored scale (4) */
    int n_scale_samples;       /* subset method: stored scale vectors N (0 otherwise) */
    double *scale_samples;     /* subset method: [N][out_c] quantized scale vectors, or NULL */
    double input_scale;        /* multiplies s (1/255 for a bit-serial first layer, else 1) */
    double level_flip_p;       /* chip instance: probability a scale-crossbar cell of this
                                  layer reads one level off (arch/faults.h), 0 = none */
    uint64_t level_flip_stream; /* chip instance: the stream of those draws */
    int residual;              /* index k of the earlier hidden layer whose output (after its
                                  pooling) is this layer's shortcut r, or -1 for none; the
                                  shortcut source is the input of layer k + 1 */
    double residual_gain;      /* g: multiplies r before the add (dimensionless, > 0) */
};

struct scim_model {
    char *name;                  /* manifest `name` */
    char *topology;              /* "lenet5", "mlp4", ... */
    char *method;                /* "bnn", "scale_dropout", ... */
    enum scim_method method_id;  /* the same, as an enum */
    char *dataset;               /* dataset the model was trained on ("mnist") */
    int in_c, in_h, in_w;        /* input image shape */
    int classes;                 /* number of output classes */
    enum scim_input_encoding encoding; /* first-layer input encoding it was trained with */
    struct scim_layer *layers;   /* n_layers of them, in order */
    int n_layers;
    double reported_accuracy;    /* provenance.test_accuracy (fraction), or -1 */
    char *provenance_command;    /* provenance.command, or NULL */
    double *tv_mu;               /* Bayesian test vector (docs/model-format.md): element-wise
                                    mean [in_c][in_h][in_w], pixel scale [0, 1], or NULL */
    double *tv_logvar;           /* its log variance, same shape and scale (log of [0,1]^2) */
    int tv_samples;              /* test_vector.samples: N it was trained for, 0 if absent */
    char *manifest_path;         /* path the model was loaded from */
    char *tensors_path;          /* resolved safetensors path (NULL with random weights) */
    int random_weights;          /* 1: no tensor file, the weights were drawn from the
                                    manifest's `weights: random`; its accuracy means nothing */
    uint64_t random_seed;        /* weights.random.seed (random_weights only) */
    double random_p_plus;        /* weights.random.p_plus: probability of a +1 weight */
    int faulty_scales;           /* 1: a chip instance's own copies of the layers' scales */
};

/* Load a manifest and its safetensors (or draw its random weights); every error goes to
 * d (file:line:col for the manifest, "file: error:" for the tensors). Returns 0 or < 0. */
int scim_model_load(struct scim_model *m, const char *manifest_path, struct scim_diag *d);
void scim_model_free(struct scim_model *m);

/* Total binary weights, scale values and batch-norm values (for storage accounting). */
uint64_t scim_model_weight_count(const struct scim_model *m);

#endif
