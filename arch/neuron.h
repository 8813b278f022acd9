/*
 * neuron.h - the arithmetic after the MVM, shared by every engine and by the
 * reference forward pass in the tests: scale (or 1 when dropped), batch-norm,
 * residual add, sign. Keeping it in one place makes "same numbers" a matter of
 * construction.
 */
#ifndef SCIM_NEURON_H
#define SCIM_NEURON_H

#include <math.h>

#include "workloads/model.h"

/*
 * Scale variants of a layer: variant 0 is the learned scale alpha; variant 1 is
 * 1 (the scale dropped, unitary scale dropout) unless the layer stores N scale
 * samples (subset-parameter inference), whose variants 1..N are the samples.
 */
static inline int scim_layer_variants(const struct scim_layer *L)
{
    if (L->norm_layer)
        return 4; /* inverted normalization: bit 0 = gamma dropped, bit 1 = beta dropped */
    return L->scale_samples ? 1 + L->n_scale_samples : 2;
}

/* Does the layer draw random bits in a Monte Carlo pass? */
static inline int scim_layer_stochastic(const struct scim_layer *L)
{
    return L->dropout_p > 0.0 || L->n_scale_samples > 0;
}

static inline double scim_layer_alpha(const struct scim_layer *L, int variant, int j)
{
    if (variant == 0)
        return L->scale[j];
    if (L->scale_samples)
        return L->scale_samples[(size_t)(variant - 1) * (size_t)L->out_c + (size_t)j];
    return 1.0;
}

/* Pre-activation y_j of output j for the MVM result s (docs/model-format.md). */
static inline double scim_neuron_y(const struct scim_layer *L, int j, double s, double in_scale,
                                   int variant)
{
    double z = s * in_scale;
    if (L->bias)
        z += L->bias[j];
    z *= scim_layer_alpha(L, variant, j);
    if (!L->has_bn)
        return z;
    return (z - L->bn_mean[j]) / sqrt(L->bn_var[j] + L->bn_eps) * L->bn_gamma[j] + L->bn_beta[j];
}

/* Inverted normalization, before the normalization: v = gamma^ z + beta^, with
 * gamma^ = 1 when variant bit 0 is set and beta^ = 0 when bit 1 is set. */
static inline double scim_affine_v(const struct scim_layer *L, int j, double s, double in_scale,
                                   int variant)
{
    double z = s * in_scale;
    if (L->bias)
        z += L->bias[j];
    double g = (variant & 1) ? 1.0 : L->affine_w[j], b = (variant & 2) ? 0.0 : L->affine_b[j];
    return g * z + b;
}

/* Layer normalization of v with the layer's mean and population variance. */
static inline double scim_layernorm_y(double v, double mean, double var, double eps)
{
    return (v - mean) / sqrt(var + eps);
}

/* The residual add (model.h): y + g * r for the shortcut value r (-1, 0 or +1; 0 for
 * a layer without a residual connection). */
static inline double scim_residual_y(const struct scim_layer *L, double y, int r)
{
    return r ? y + L->residual_gain * (double)r : y;
}

/* Sign activation: +1 (bit 1) when y >= 0. */
static inline int scim_neuron_bit(double y)
{
    return y >= 0.0;
}

#endif
