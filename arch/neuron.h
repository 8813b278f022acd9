/*
 * neuron.h - the arithmetic after the MVM, shared by every engine and by the
 * reference forward pass in the tests: scale (or 1 when dropped), batch-norm,
 * sign. Keeping it in one place makes "same numbers" a matter of construction.
 */
#ifndef SCIM_NEURON_H
#define SCIM_NEURON_H

#include <math.h>

#include "../workloads/model.h"

/* Pre-activation y_j of output j for the MVM result s (docs/model-format.md). */
static inline double scim_neuron_y(const struct scim_layer *L, int j, double s, double in_scale,
                                   int dropped)
{
    double z = s * in_scale;
    if (L->bias)
        z += L->bias[j];
    z *= dropped ? 1.0 : L->scale[j];
    if (!L->has_bn)
        return z;
    return (z - L->bn_mean[j]) / sqrt(L->bn_var[j] + L->bn_eps) * L->bn_gamma[j] + L->bn_beta[j];
}

/* Sign activation: +1 (bit 1) when y >= 0. */
static inline int scim_neuron_bit(double y)
{
    return y >= 0.0;
}

#endif
